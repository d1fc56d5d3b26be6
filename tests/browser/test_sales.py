"""In a real browser: a salesperson quotes an opportunity's printers, sends and wins the quote, turns it into a sales
order and an invoice, issues it and records two payments until it is paid; every page on the way shows the same
total, the opportunity's page lists the three documents, and the invoice's PDF (the detail page's link) reads in
English and, in a Chinese browser, in Chinese."""
import datetime as dt
import io
import re
from decimal import Decimal

import pytest

from tests.browser.conftest import log_in
from tests.conftest import TEST_PASSWORD


def _confirm(page, label):
    """Click a document's action ``label`` and confirm it on the confirmation page."""
    page.click(f"main a.button:text-is('{label}')")
    page.wait_for_selector("[data-confirm-action]")
    page.click("[data-confirm-action] button[type=submit]")


def _shown(page, label):
    """A field of a document's detail page (``Total``, ``Status``…), as the reader sees it."""
    return page.locator(f"dl.details dt:text-is('{label}') + dd").first.inner_text()


@pytest.mark.browser
def test_quote_to_cash_in_the_browser(live_server, browser, page, make_user):
    server = live_server(plugins=["sales"])
    with server.app.app_context():
        from core import clock
        from core.models import Account, Opportunity, OpportunityLine, Product, SalesStage
        seller = make_user("seller", full_name="Seller Lin")
        printer = Product.create(name="激光打印机", code="P-100", unit_price=Decimal("1999.00"))
        account = Account.create(name="华夏贸易有限公司", owner=seller.id)
        stage = SalesStage.select().order_by(SalesStage.order).first()
        deal = Opportunity.create(name="Three printers", owner=seller.id, account=account.id, amount=0,
                                  stage=stage, close_date=clock.today() + dt.timedelta(days=30))
        OpportunityLine.create(opportunity=deal.id, product=printer.id, quantity=3, unit_price=printer.unit_price,
                               discount_percent=5)

    log_in(page, server.url, "seller", TEST_PASSWORD)
    page.goto(f"{server.url}/records/opportunity/{deal.id}")
    page.click("[data-action=create-quote]")
    page.wait_for_selector("[data-confirm-action]")
    page.click("[data-confirm-action] button[type=submit]")
    page.wait_for_url(re.compile(r"/records/quote/\d+$"))
    quote_number = page.inner_text("h1")
    assert re.search(r"Q-\d{4}-0001", quote_number)
    total = _shown(page, "Total")
    assert total.endswith("6,437.78")            # 3 × 1999 − 5 %, 13 % tax, rounded once
    assert "激光打印机" in page.inner_text("main")

    _confirm(page, "Mark as sent")
    _confirm(page, "Mark as accepted")
    _confirm(page, "Create sales order")
    page.wait_for_url(re.compile(r"/records/sales_order/\d+$"))
    assert re.search(r"SO-\d{4}-0001", page.inner_text("h1")) and _shown(page, "Total") == total
    _confirm(page, "Create invoice")
    page.wait_for_url(re.compile(r"/records/invoice/\d+$"))
    assert re.search(r"INV-\d{4}-0001", page.inner_text("h1")) and _shown(page, "Total") == total
    assert _shown(page, "Status") == "Draft"
    _confirm(page, "Issue invoice")
    page.wait_for_url(re.compile(r"/records/invoice/\d+$"))
    assert _shown(page, "Status") == "Issued"
    invoice_url = page.url

    for amount in ("3000.00", None):             # part of it, then what is still due
        page.click("a:text-is('Record a payment')")
        balance = page.inner_text("[data-balance]")
        page.fill("input[name=amount]", amount or re.sub(r"[^\d.]", "", balance))
        page.select_option("select[name=method]", "bank_transfer")
        page.click("form.stacked button[type=submit]")
        page.wait_for_url(invoice_url)
        assert _shown(page, "Status") == ("Partly paid" if amount else "Paid")
    assert _shown(page, "Balance due").endswith("0.00")
    assert page.locator("[data-overdue]").count() == 0

    page.goto(f"{server.url}/records/opportunity/{deal.id}")
    panel = page.locator("[data-section=sales]")
    for kind in ("quote", "sales_order", "invoice"):
        row = panel.locator(f"[data-sales={kind}] tr")
        assert row.count() == 1 and row.locator("td").nth(2).inner_text() == total

    _check_pdfs(page, browser, server, invoice_url, total)


def _pdf_text(page, invoice_url):
    """Click the invoice page's PDF link as the reader does; the downloaded file's text."""
    import pypdf
    page.goto(invoice_url)
    link = page.locator("main a[href$='/pdf']")
    assert link.count() == 1
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename.endswith(".pdf")
    with open(download.value.path(), "rb") as fh:
        return "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(fh.read())).pages)


def _check_pdfs(page, browser, server, invoice_url, total):
    """The invoice's PDF through the link on its page: English here, Chinese in a zh-CN browser."""
    text = _pdf_text(page, invoice_url)
    assert "Invoice" in text and re.search(r"INV-\d{4}-0001", text) and "华夏贸易有限公司" in text
    assert "激光打印机" in text and total in text and "Balance due" in text
    chinese = browser.new_context(locale="zh-CN", accept_downloads=True)
    try:
        zh_page = chinese.new_page()
        log_in(zh_page, server.url, "seller", TEST_PASSWORD)
        zh_page.wait_for_load_state()
        text = _pdf_text(zh_page, invoice_url)
        amount = re.search(r"[\d,]+\.\d\d", total).group(0)           # ¥ in Chinese, CN¥ in English
        assert "发票" in text and "激光打印机" in text and "应收余额" in text and f"¥{amount}" in text
    finally:
        chinese.close()
