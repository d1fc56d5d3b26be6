"""Printable documents: each quote, order and invoice as a print page and a PDF (one template, WeasyPrint), read
back with pypdf in Chinese and English; who may open them (exactly who may open the document); hostile text
escaped; and the PDF renderer fetching nothing but the logo and the stylesheet."""
import datetime as dt
import io
import re
import struct
import zlib
from decimal import Decimal
from urllib.parse import urljoin

import pypdf
import pytest
import weasyprint
from babel.numbers import format_currency
from flask import g, url_for

from core import filestore
from core.hierarchy.sharing import set_mode
from core.models import Account, Contact, Organisation, Product
from plugins.sales import pdf, printing, services, views
from plugins.sales.models import STATUSES, Invoice, Quote, SalesOrder
from tests.core.access.helpers import expected, sides_of

KINDS = ("quote", "sales_order", "invoice")
TITLES = {"zh-CN": {"quote": "报价单", "sales_order": "销售订单", "invoice": "发票"},
          "en": {"quote": "Quote", "sales_order": "Sales order", "invoice": "Invoice"}}
BABEL_LOCALE = {"zh-CN": "zh_Hans_CN", "en": "en"}
HOSTILE = '<img src="http://127.0.0.1:9/track.png">'


def set_org(**fields):
    Organisation.update(**fields).where(Organisation.id == 1).execute()
    g.pop("org_profile", None)


def tiny_png():
    """A 1×1 PNG, made here (no file to ship)."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


@pytest.fixture
def documents(app, school, frozen_clock):
    """A quote, its sales order and the invoice of the order (issued, part paid) for a Chinese customer with a
    Chinese product, owned by alice, in a school with a Chinese name and address."""
    set_org(name="智欣职业学院", address="上海市浦东新区 学院路 1 号", phone="021-5555 0000",
            website="https://zhixin.example.edu.cn")
    alice = school["alice"]
    product = Product.create(name="激光打印机", code="P-CN-1", unit_price=Decimal("1999.00"))
    account = Account.create(name="华夏贸易有限公司", owner=alice.id, billing_address="北京市海淀区 中关村大街 8 号")
    contact = Contact.create(first_name="伟", last_name="王", email="wang.wei@huaxia.example.cn", owner=alice.id,
                             account=account.id)
    quote = services.create("quote", Quote(owner=alice.id, account=account.id, contact=contact.id,
                                           valid_until=dt.date(2026, 6, 30)), alice,
                            [{"product": product.id, "description": "A4 黑白", "quantity": Decimal(3),
                              "unit_price": product.unit_price, "discount_percent": Decimal(5),
                              "discount_amount": Decimal(0), "tax_rate": Decimal(13)}])
    for status in ("sent", "accepted"):
        services.change_status("quote", quote, status, alice)
    order = services.order_from_quote(quote, alice)
    invoice = services.invoice_from("sales_order", order, alice)
    services.change_status("invoice", invoice, "issued", alice)
    services.add_payment(invoice, alice, dt.date(2026, 5, 20), Decimal("1000.00"), "bank_transfer")
    return {"quote": Quote.get_by_id(quote.id), "sales_order": SalesOrder.get_by_id(order.id),
            "invoice": Invoice.get_by_id(invoice.id), "alice": alice}


def pdf_text(data):
    reader = pypdf.PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages), reader


def font_names(reader):
    return {str(font["/BaseFont"]) for page in reader.pages
            for font in page["/Resources"]["/Font"].values()}


@pytest.mark.parametrize("language", ["zh-CN", "en"])
@pytest.mark.parametrize("kind", KINDS)
def test_the_pdf_reads_back_with_the_organisation_customer_lines_and_total(documents, as_user, kind, language):
    document = documents[kind]
    response = as_user(documents["alice"], language).get(f"/sales/{kind}/{document.id}/pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == f'attachment; filename="{document.number}.pdf"'
    text, reader = pdf_text(response.data)
    total = format_currency(document.total, "CNY", locale=BABEL_LOCALE[language])
    for expected_text in ("智欣职业学院", "上海市浦东新区", TITLES[language][kind], document.number, "华夏贸易有限公司",
                          "王伟", "激光打印机", total):
        assert expected_text in text, expected_text
    assert any("WenQuanYi" in name for name in font_names(reader))   # the Chinese glyphs are the font's, not boxes
    if kind == "invoice":
        balance = format_currency(document.balance_due, "CNY", locale=BABEL_LOCALE[language])
        assert balance in text and ("应收余额" if language == "zh-CN" else "Balance due") in text


def visible_text(html):
    return re.sub(r"<[^>]+>", " ", html)


def test_the_print_page_in_chinese_shows_labels_never_codes(documents, as_user):
    client = as_user(documents["alice"], "zh-CN")
    for kind in KINDS:
        document = documents[kind]
        response = client.get(f"/sales/{kind}/{document.id}/print")
        assert response.status_code == 200 and response.mimetype == "text/html"
        page = response.get_data(as_text=True)
        text = visible_text(page)
        assert TITLES["zh-CN"][kind] in text and document.number in text and "每行只舍入一次" in text
        codes = set(STATUSES[kind]) | {"bank_transfer", "sales_order", "partly_paid"}
        assert [code for code in codes if re.search(rf"\b{code}\b", text)] == []
        assert "data-print" in page and "<style" not in page and "<script>" not in page   # CSP: static files only
        assert f'href="/sales/static/{printing.STYLESHEET}"' in page
    invoice_page = visible_text(client.get(f"/sales/invoice/{documents['invoice'].id}/print").get_data(as_text=True))
    assert "部分付款" in invoice_page and "已付金额" in invoice_page and "应收余额" in invoice_page
    assert "已付清" not in invoice_page          # the amount paid is not labelled as the status "paid in full"
    assert "金额" in invoice_page and "税率" in invoice_page
    assert "2026年5月15日" in invoice_page     # issued today (the frozen clock), a date in Chinese


def test_the_detail_page_offers_print_and_pdf_to_a_reader(documents, school, as_user):
    set_mode("sales", "read")
    for kind in KINDS:
        document = documents[kind]
        page = as_user(school["bob"]).get(f"/records/{kind}/{document.id}").get_data(as_text=True)
        assert f'href="/sales/{kind}/{document.id}/print"' in page
        assert f'href="/sales/{kind}/{document.id}/pdf"' in page


@pytest.fixture
def sides(school, as_user):
    users = dict(sides_of(school), nobody=school["outsider"])
    return users, {side: as_user(user) for side, user in users.items()}


@pytest.mark.parametrize("mode", ["private", "read"])
def test_print_and_pdf_open_for_exactly_who_may_read_the_document(sides, app, mode):
    users, clients = sides
    set_mode("sales", mode)
    wrong = []
    for kind in KINDS:
        document = services.create(kind, {"quote": Quote, "sales_order": SalesOrder, "invoice": Invoice}[kind](
            owner=users["owner"].id, notes="Marker4711"), users["owner"])
        for side, client in clients.items():
            want = 200 if expected(side, mode, "read") else 404
            for what in ("print", "pdf"):
                got = client.get(f"/sales/{kind}/{document.id}/{what}").status_code
                if got != want:
                    wrong.append((kind, side, what, got))
        for what in ("print", "pdf"):
            anonymous = app.test_client().get(f"/sales/{kind}/{document.id}/{what}")
            if anonymous.status_code != 302 or "/login" not in anonymous.headers["Location"]:
                wrong.append((kind, "anonymous", what, anonymous.status_code))
    assert wrong == []
    assert clients["owner"].get("/sales/account/1/print").status_code == 404   # not a sales document
    assert clients["owner"].get(f"/sales/quote/{999_999}/pdf").status_code == 404


def test_a_private_account_is_not_named_on_a_document_the_viewer_may_read(documents, school, as_user):
    set_mode("sales", "read")      # bob may read alice's documents, not her accounts (their family stays private)
    set_mode("account", "private")
    page = as_user(school["bob"]).get(f"/sales/quote/{documents['quote'].id}/print").get_data(as_text=True)
    assert "华夏贸易有限公司" not in page and "北京市海淀区" not in page and "王伟" not in page
    assert "(private record)" in page


def test_hostile_text_is_escaped_and_the_pdf_fetches_nothing_for_it(documents, as_user, app):
    quote = documents["quote"]
    Account.update(name=f"Evil {HOSTILE}", billing_address=HOSTILE).where(Account.id == quote.account_id).execute()
    Quote.update(notes=f"<script>alert(1)</script>{HOSTILE}").where(Quote.id == quote.id).execute()
    page = as_user(documents["alice"]).get(f"/sales/quote/{quote.id}/print").get_data(as_text=True)
    assert HOSTILE not in page and "<script>alert" not in page
    assert "&lt;img src=&#34;http://127.0.0.1:9/track.png&#34;&gt;" in page
    view = printing.printable("quote", Quote.get_by_id(quote.id), documents["alice"])
    fetcher = pdf.DocumentFetcher("http://localhost/")
    text, _reader = pdf_text(pdf.render(view, fetcher))
    assert "Evil <img" in text                     # the text itself, printed
    assert fetcher.asked == ["http://localhost/sales/static/print.css"] and fetcher.refused == []


def test_the_fetcher_serves_the_logo_and_the_stylesheet_and_refuses_every_other_url(documents, app):
    name = "logo-00000000000000ab.png"
    filestore.write(name, [tiny_png()], "image/png")
    set_org(logo=name)
    view = printing.printable("invoice", documents["invoice"], documents["alice"])
    fetcher = pdf.DocumentFetcher("http://localhost/", name)
    _text, reader = pdf_text(pdf.render(view, fetcher))
    logo_url = urljoin("http://localhost/", url_for("admin.logo"))
    assert sorted(fetcher.asked) == sorted([logo_url, "http://localhost/sales/static/print.css"])
    assert fetcher.refused == []
    assert any("/XObject" in page["/Resources"] for page in reader.pages)   # the logo is in the PDF
    # whatever HTML reaches the renderer, any other address is refused, not fetched
    others = ["http://127.0.0.1:9/x.png", "https://example.org/a.css", "file:///etc/passwd",
              "data:image/png;base64,iVBORw0KGgo=", "http://localhost/admin/users"]
    html = "".join(f'<img src="{u}">' for u in others if not u.endswith(".css")) + \
        '<link rel="stylesheet" href="https://example.org/a.css">'
    weasyprint.HTML(string=html, base_url="http://localhost/", url_fetcher=fetcher).write_pdf()
    assert sorted(fetcher.refused) == sorted(others)
    for url in others:
        with pytest.raises(pdf.Refused):
            fetcher.fetch(url)


def test_a_logo_that_is_not_in_the_file_store_is_never_fetched(documents, app):
    set_org(logo="http://127.0.0.1:9/logo.png")
    view = printing.printable("quote", documents["quote"], documents["alice"])
    assert view.logo_url == ""
    fetcher = pdf.DocumentFetcher("http://localhost/")
    pdf.render(view, fetcher)
    assert fetcher.asked == ["http://localhost/sales/static/print.css"]


def test_the_pdf_is_named_by_its_number_and_revision_in_any_script(documents, as_user):
    """The file name keeps a Chinese prefix (filename*, UTF-8) with an ASCII stand-in for old clients."""
    quote = documents["quote"]
    assert printing.file_name(quote) == f"{quote.number}.pdf"
    assert printing.file_name(Quote(number="Q-2026-0001", revision=2)) == "Q-2026-0001-r2.pdf"
    invoice = documents["invoice"]
    Invoice.update(number="发票-2026-0007").where(Invoice.id == invoice.id).execute()
    header = as_user(documents["alice"]).get(f"/sales/invoice/{invoice.id}/pdf").headers["Content-Disposition"]
    assert header == "attachment; filename=\"2026-0007.pdf\"; filename*=UTF-8''%E5%8F%91%E7%A5%A8-2026-0007.pdf"
    Invoice.update(number="发票").where(Invoice.id == invoice.id).execute()
    header = as_user(documents["alice"]).get(f"/sales/invoice/{invoice.id}/pdf").headers["Content-Disposition"]
    assert header.startswith('attachment; filename="invoice.pdf"; filename*=')


def test_without_pango_the_pdf_says_what_to_install_and_the_print_page_still_works(documents, as_user, monkeypatch):
    monkeypatch.setattr(views, "pdf_output", None)     # what views.py holds when WeasyPrint cannot load Pango
    client = as_user(documents["alice"])
    response = client.get(f"/sales/invoice/{documents['invoice'].id}/pdf")
    assert response.status_code == 503 and "libpango-1.0-0" in response.get_data(as_text=True)
    assert client.get(f"/sales/invoice/{documents['invoice'].id}/print").status_code == 200
