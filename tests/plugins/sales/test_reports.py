"""The sales reports reconcile with the documents: on seeded random quotes, invoices and payments made through the
plugin's services, every report page's CSV export agrees with figures computed here, in Python, from the stored
documents (invoice totals, lines, payments, quote revisions) — each breakdown's total is the invoiced revenue,
ageing buckets add up to the open balance, conversion counts are the quotes counted by hand. Access from every
side, Chinese pages, the drill-down, and the reports' absence where the sales plugin is off (globally or for a
class). Also: the opportunity's page lists its quotes, orders and invoices."""
import csv
import datetime as dt
import io
import random
import re
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest

from core import fiscal
from core.classroom import modules
from core.hierarchy.sharing import set_mode
from core.records import service as record_service
from core.models import Account, Opportunity, Organisation, Position, Product, ProductCategory, SalesStage, User
from plugins.sales import jobs, services
from plugins.sales.models import Invoice, InvoiceLine, Payment, Quote
from tests.plugins.reports.html import page_texts, report_table

D = Decimal
TODAY = dt.datetime(2026, 5, 15, 2, 0, 0)      # 10:00 in Shanghai
ISSUED = {"issued", "partly_paid", "paid"}     # written again here, apart from the plugin
OPEN = {"issued", "partly_paid"}
SENT = {"sent", "accepted", "rejected", "expired"}
REPORTS = ("invoiced_by_month", "invoiced_by_quarter", "invoiced_by_fiscal_year", "invoiced_by_owner",
           "invoiced_by_team", "invoiced_by_product", "invoiced_by_category", "quote_conversion",
           "receivables_ageing", "top_customers")
EXTRA = "Document discount and shipping"


@pytest.fixture
def app(make_app):
    app = make_app(plugins=["sales", "reports"])
    with app.test_request_context():
        yield app


@pytest.fixture
def school(app, make_school, frozen_clock):
    frozen_clock(TODAY)
    return make_school(language="")     # the language left to the browser (as_user asks for English or Chinese)


# --- generated documents ---------------------------------------------------------------------------------

def _lines(rng, products):
    out = []
    for _ in range(rng.randint(1, 3)):
        product = rng.choice(products + [None])
        out.append({"product": product.id if product else None, "description": "" if product else "Installation",
                    "quantity": rng.choice([D(1), D(2), D(3), D("1.5")]),
                    "unit_price": D(rng.randint(2000, 300000)) / 100,
                    "discount_percent": rng.choice([D(0), D(5), D("12.5")]), "discount_amount": D(0),
                    "tax_rate": rng.choice([D(0), D(6), D(13)])})
    return out


def _invoice(rng, owner, account, products):
    invoice = Invoice(owner=owner.id, account=account.id if account else None,
                      shipping=rng.choice([D(0), D("25.50")]))
    services.create("invoice", invoice, owner, _lines(rng, products))
    if rng.random() < 0.4:       # a document discount, on the header once the lines are there
        before = record_service.field_values(invoice)
        invoice.discount = D("10.00")
        record_service.save("invoice", invoice, owner, before)
    fate = rng.choice(["draft", "issued", "issued", "partly_paid", "paid", "void"])
    if fate == "draft":
        return invoice
    invoice.issue_date = dt.date(2025, 10, 1) + dt.timedelta(days=rng.randint(0, 226))   # to 2026-05-15
    invoice.due_date = invoice.issue_date + dt.timedelta(days=rng.choice([0, 10, 30, 45, 75, 100]))
    services.change_status("invoice", invoice, "issued", owner)
    if fate == "void":
        services.change_status("invoice", invoice, "void", owner)
    elif fate == "partly_paid":
        services.add_payment(invoice, owner, invoice.issue_date, (invoice.total / 3).quantize(D("0.01")), "cash")
    elif fate == "paid":
        half = (invoice.total / 2).quantize(D("0.01"))
        services.add_payment(invoice, owner, invoice.issue_date, half, "alipay")
        services.add_payment(Invoice.get_by_id(invoice.id), owner, invoice.issue_date, invoice.total - half,
                             "bank_transfer")
    return invoice


def _quote(rng, owner, account, products):
    quote = services.create("quote", Quote(owner=owner.id, account=account.id,
                                           valid_until=dt.date(2026, 5, 1) + dt.timedelta(days=rng.randint(0, 40))),
                            owner, _lines(rng, products))
    for _ in range(rng.choice([0, 0, 1, 2])):       # revisions: each sent before the next is made
        if rng.random() < 0.8:
            services.change_status("quote", quote, "sent", owner)
        quote = services.revise(quote, owner)
    if rng.random() < 0.85:
        services.change_status("quote", quote, "sent", owner)
        answer = rng.choice(["accepted", "rejected", None, None])
        if answer:
            services.change_status("quote", quote, answer, owner)


def generate(school, seed, invoices=4, quotes=3):
    """Documents of alice and bob (peers in Sales A), their manager and carol (the other class)."""
    rng = random.Random(seed)
    hardware, software = ProductCategory.create(name="Hardware"), ProductCategory.create(name="Software")
    products = [Product.create(name="Router", code="R1", category=hardware, unit_price=D("100")),
                Product.create(name="Licence", code="L1", category=software, unit_price=D("50")),
                Product.create(name="Cable", code="C1", unit_price=D("5"))]
    for username in ("alice", "bob", "manager_a", "carol"):
        owner = school[username]
        accounts = [Account.create(name=f"{username} customer {i}", owner=owner.id) for i in range(2)]
        for _ in range(invoices):
            _invoice(rng, owner, rng.choice(accounts + [None]), products)
        for _ in range(quotes):
            _quote(rng, owner, rng.choice(accounts), products)
    jobs.expire_quotes(None)     # sent quotes valid until before today expire


# --- the figures, computed here from the stored documents ------------------------------------------------

def owners_seen(school, viewer):
    """Private sharing: one's own documents and those of the positions below one's own."""
    return {"alice": {"alice"}, "bob": {"bob"}, "carol": {"carol"}, "manager_a": {"alice", "bob", "manager_a"},
            "teacher": {"alice", "bob", "manager_a", "carol"}, "outsider": set()}[viewer]


def invoices_of(school, usernames, statuses=ISSUED):
    ids = {school[name].id for name in usernames}
    return [i for i in Invoice.select() if i.owner_id in ids and i.status in statuses]


def paid_of(invoice):
    return sum((p.amount for p in Payment.select().where(Payment.invoice == invoice.id)), D(0))


def month_key(day):
    return f"{day.year}-{day.month:02d}"


def by(items, key, value):
    out = defaultdict(lambda: D(0))
    for item in items:
        out[key(item)] += value(item)
    return dict(out)


# --- reading the pages -----------------------------------------------------------------------------------

def csv_report(client, report_id, **args):
    resp = client.get(f"/reports/run/sales.{report_id}", query_string=dict(args, format="csv"))
    assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
    rows = list(csv.reader(io.StringIO(resp.data.decode("utf-8-sig"))))
    return rows[0], rows[1:-1], rows[-1]


def amounts(body, column=-1):
    """{label: Decimal} of a CSV body."""
    return {row[0]: D(row[column]) for row in body}


def without_zeros(figures):
    return {k: v for k, v in figures.items() if v != 0}


def check_revenue(client, school, viewer):
    """Every invoiced-revenue breakdown of ``viewer`` against the stored invoices they may read."""
    mine = invoices_of(school, owners_seen(school, viewer))
    revenue = sum((i.total for i in mine), D(0))
    start_month = fiscal.start_month()
    _head, body, total = csv_report(client, "invoiced_by_month")
    assert without_zeros(amounts(body)) == without_zeros(by(mine, lambda i: month_key(i.issue_date),
                                                            lambda i: i.total))
    assert D(total[-1] or 0) == revenue and int(total[1] or 0) == len(mine)
    _head, body, total = csv_report(client, "invoiced_by_quarter")
    assert amounts(body) == by(mine, lambda i: fiscal.quarter_of(i.issue_date, start_month).label,
                               lambda i: i.total)
    assert D(total[-1] or 0) == revenue
    _head, body, total = csv_report(client, "invoiced_by_fiscal_year")
    assert amounts(body) == by(mine, lambda i: fiscal.year_of(i.issue_date, start_month).label, lambda i: i.total)
    assert D(total[-1] or 0) == revenue
    _head, body, total = csv_report(client, "invoiced_by_owner")
    assert amounts(body) == by(mine, lambda i: User.get_by_id(i.owner_id).display_name, lambda i: i.total)
    assert D(total[-1] or 0) == revenue
    _head, body, total = csv_report(client, "invoiced_by_team")
    assert amounts(body) == by(mine, lambda i: Position.get_by_id(User.get_by_id(i.owner_id).position_id).name,
                               lambda i: i.total)
    assert D(total[-1] or 0) == revenue
    lines = [ln for i in mine for ln in InvoiceLine.select().where(InvoiceLine.document == i.id)]
    outside = sum((i.shipping - i.discount for i in mine), D(0))
    for report_id, name in (("invoiced_by_product", lambda ln: ln.product.name if ln.product_id else "(no product)"),
                            ("invoiced_by_category", lambda ln: ln.product.category.name
                             if ln.product_id and ln.product.category_id else "(no category)")):
        _head, body, total = csv_report(client, report_id)
        expected = by(lines, name, lambda ln: ln.line_total)
        if mine:
            expected[EXTRA] = outside
        assert amounts(body) == expected, report_id
        assert D(total[-1] or 0) == revenue == sum(expected.values(), D(0)), report_id
    return revenue


def check_ageing(client, school, viewer):
    today = TODAY.date()
    unpaid = invoices_of(school, owners_seen(school, viewer), OPEN)
    bands = ("Current", "1–30 days", "31–60 days", "61–90 days", "Over 90 days")

    def band(invoice):
        late = (today - invoice.due_date).days
        return bands[0] if late <= 0 else bands[1] if late <= 30 else bands[2] if late <= 60 else \
            bands[3] if late <= 90 else bands[4]
    head, body, total = csv_report(client, "receivables_ageing")
    assert head[2:7] == list(bands)
    expected = defaultdict(lambda: dict.fromkeys(bands, D(0)))
    for invoice in unpaid:
        expected[invoice.account.name if invoice.account_id else "(no customer)"][band(invoice)] += \
            invoice.total - paid_of(invoice)
    got = {row[0]: dict(zip(bands, (D(c) for c in row[2:7]))) for row in body}
    assert got == dict(expected)
    for row in body:
        assert sum((D(c) for c in row[2:7]), D(0)) == D(row[7])
    open_balance = sum((i.total - paid_of(i) for i in unpaid), D(0))
    assert D(total[7] or 0) == open_balance == sum((D(c or 0) for c in total[2:7]), D(0))


def check_top_customers(client, school, viewer):
    mine = invoices_of(school, owners_seen(school, viewer))
    _head, body, total = csv_report(client, "top_customers", top=100)
    name = lambda i: i.account.name if i.account_id else "(no customer)"   # noqa: E731
    revenue, received = by(mine, name, lambda i: i.total), by(mine, name, paid_of)
    assert {row[0]: (D(row[2]), D(row[3]), D(row[4])) for row in body} == {
        k: (revenue[k], received[k], revenue[k] - received[k]) for k in revenue}
    assert [D(row[2]) for row in body] == sorted((D(row[2]) for row in body), reverse=True)
    assert D(total[2] or 0) == sum(revenue.values(), D(0))
    _head, top2, _total = csv_report(client, "top_customers", top=2)
    assert [row[0] for row in top2] == [row[0] for row in body[:2]]


def rate_text(part, whole):
    tenths = Fraction(part * 1000, whole)           # percentage points × 10
    whole_tenths = int(tenths) + (1 if tenths - int(tenths) >= Fraction(1, 2) else 0)
    return f"{Decimal(whole_tenths) / 10:.1f}%"


def check_conversion(client, school, viewer):
    ids = {school[name].id for name in owners_seen(school, viewer)}
    latest = {}
    for quote in Quote.select().where(Quote.status.in_(list(SENT))):
        if quote.owner_id in ids and (quote.number not in latest or quote.revision > latest[quote.number].revision):
            latest[quote.number] = quote
    counted = defaultdict(lambda: defaultdict(int))
    for quote in latest.values():
        counted[User.get_by_id(quote.owner_id).display_name][quote.status] += 1
    _head, body, total = csv_report(client, "quote_conversion")
    got = {row[0]: (int(row[1]), int(row[2]), int(row[3]), int(row[4]), int(row[5]), row[6]) for row in body}
    want = {}
    for owner, n in counted.items():
        sent = sum(n.values())
        want[owner] = (sent, n["accepted"], n["rejected"], n["expired"], n["sent"], rate_text(n["accepted"], sent))
    assert got == want
    assert int(total[1] or 0) == len(latest)
    accepted = sum(1 for q in latest.values() if q.status == "accepted")
    assert total[6] == (rate_text(accepted, len(latest)) if latest else "")


# --- the tests -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("seed,fiscal_start", [(1, 1), (7, 4)])
def test_every_report_reconciles_with_the_documents_from_each_viewer(school, as_user, seed, fiscal_start):
    profile = Organisation.get_profile()
    profile.fiscal_year_start = fiscal_start
    profile.save()
    generate(school, seed)
    assert Invoice.select().where(Invoice.status.in_(list(ISSUED))).count() > 5
    for viewer in ("alice", "manager_a", "teacher", "carol"):
        client = as_user(school[viewer])
        check_revenue(client, school, viewer)
        check_ageing(client, school, viewer)
        check_top_customers(client, school, viewer)
        check_conversion(client, school, viewer)


def test_the_rate_is_rounded_half_up_from_the_exact_fraction():
    assert rate_text(1, 8) == "12.5%" and rate_text(1, 16) == "6.3%" and rate_text(2, 3) == "66.7%"
    assert rate_text(1, 3) == "33.3%" and rate_text(0, 4) == "0.0%"


def test_each_side_sees_only_what_it_may_read(school, as_user):
    generate(school, 3, invoices=3, quotes=2)
    people = {name: school[name].display_name for name in ("alice", "bob", "manager_a", "carol")}

    def owners(viewer, report_id="invoiced_by_owner"):
        return {row[0] for row in csv_report(as_user(school[viewer]), report_id)[1]}

    def expected(viewer):
        return {people[n] for n in owners_seen(school, viewer)
                if invoices_of(school, {n})}
    assert owners("alice") == expected("alice") and people["bob"] not in owners("alice")     # a peer, private
    assert owners("bob") == expected("bob") and people["alice"] not in owners("bob")
    assert owners("manager_a") == expected("manager_a")                                        # the superior
    assert owners("carol") <= {people["carol"]}                                                # the other class
    assert owners("outsider") == set()
    outsider = csv_report(as_user(school["outsider"]), "receivables_ageing")
    assert outsider[1] == [] and csv_report(as_user(school["outsider"]), "top_customers")[1] == []
    assert owners("teacher", "quote_conversion") == {people[n] for n in people
                                                     if Quote.select().where((Quote.owner == school[n].id)
                                                                             & Quote.status.in_(list(SENT))).exists()}
    # the team filter narrows to Sales A; it never widens what a viewer reads
    team = school["positions"]["sales_a"].id
    assert {row[0] for row in csv_report(as_user(school["teacher"]), "invoiced_by_owner", team=team)[1]} == \
        expected("alice") | expected("bob")
    assert {row[0] for row in csv_report(as_user(school["alice"]), "invoiced_by_owner", team=team)[1]} == \
        expected("alice")
    set_mode("sales", "read")                                   # public read: the peer and the other class see it
    everyone = {people[n] for n in people if invoices_of(school, {n})}
    assert owners("bob") == everyone and owners("carol") == everyone
    assert check_revenue(as_user(school["bob"]), school, "teacher") == \
        sum((i.total for i in Invoice.select() if i.status in ISSUED), D(0))


def test_report_pages_read_in_chinese_with_labels_not_codes(school, as_user):
    generate(school, 5, invoices=3, quotes=2)
    client = as_user(school["manager_a"], "zh-CN")
    codes = re.compile(r"\b(issued|partly_paid|paid|draft|void|sent|accepted|rejected|expired|bank_transfer|alipay|"
                       r"d1_30|d31_60|d61_90|d90_plus|current)\b")
    chinese = {"invoiced_by_month": "开票收入", "quote_conversion": "报价转化率", "receivables_ageing": "应收账款账龄",
               "top_customers": "客户排行", "invoiced_by_product": "单据折扣与运费"}
    for report_id in REPORTS:
        resp = client.get(f"/reports/run/sales.{report_id}")
        assert resp.status_code == 200, report_id
        html = resp.get_data(as_text=True)
        head, _rows, _foot = report_table(html)
        texts = page_texts(html)
        assert all(re.search(r"[\u4e00-\u9fff]", h) for h in head), (report_id, head)
        assert not [t for t in texts if codes.search(t)], (report_id, [t for t in texts if codes.search(t)])
        assert "Invoiced revenue" not in html and "Receivables" not in html, report_id
        if report_id in chinese:
            assert chinese[report_id] in html, report_id
    family = client.get("/reports/family/sales").get_data(as_text=True)
    assert "开票收入" in family and 'data-report="sales.receivables_ageing"' in family


def test_a_month_drills_down_to_its_invoices(school, as_user):
    generate(school, 11, invoices=4, quotes=0)
    client = as_user(school["teacher"])
    html = client.get("/reports/run/sales.invoiced_by_month").get_data(as_text=True)
    _head, rows, _foot = report_table(html)
    links = re.findall(r'<a href="([^"]+)" data-drill>', html)
    assert len(links) == len(rows)
    issued = invoices_of(school, owners_seen(school, "teacher"))
    for row, link in zip(rows, links):
        listed = client.get(link.replace("&amp;", "&")).get_data(as_text=True)
        month = [i.number for i in issued if month_key(i.issue_date) == row[0]]
        others = [i.number for i in Invoice.select() if i.number not in month]
        assert all(number in listed for number in month), row
        assert not [number for number in others if re.search(rf"\b{re.escape(number)}\b", listed)], row


def test_the_reports_need_the_sales_plugin(make_app, request, login):
    without = make_app(plugins=["reports"])
    people = request.getfixturevalue("make_school")()
    client = login(without.test_client(), people["teacher"])
    assert client.get("/reports/run/sales.invoiced_by_month").status_code == 404
    family = client.get("/reports/family/sales").get_data(as_text=True)
    assert "sales.invoiced_by_month" not in family and "when the sales plugin (Quote to cash) is enabled" in family
    assert "reports.won_by_month" in family


def test_a_class_with_sales_switched_off_has_none_of_its_reports(school, as_user):
    modules.set_classes("sales", [school["positions"]["class_b"].id])
    alice, carol = as_user(school["alice"]), as_user(school["carol"])
    for report_id in REPORTS:
        assert alice.get(f"/reports/run/sales.{report_id}").status_code == 404, report_id
        assert carol.get(f"/reports/run/sales.{report_id}").status_code == 200, report_id
    for page in ("/reports/", "/reports/family/sales"):
        assert 'data-report="sales.' not in alice.get(page).get_data(as_text=True)
        assert 'data-report="sales.invoiced_by_month"' in carol.get(page).get_data(as_text=True)
    assert "when the sales plugin (Quote to cash) is enabled" in alice.get("/reports/family/sales").get_data(as_text=True)


def test_the_opportunity_page_lists_its_quotes_orders_and_invoices(school, as_user, printer):
    alice, bob = school["alice"], school["bob"]
    stage = SalesStage.select().order_by(SalesStage.order).first()
    account = Account.create(name="Huaxia", owner=alice.id)
    opp = Opportunity.create(name="Printers", owner=alice.id, account=account.id, amount=0, stage=stage,
                             close_date=dt.date(2026, 6, 30))
    quote = services.create("quote", Quote(owner=alice.id, account=account.id, opportunity=opp.id), alice,
                            [{"product": printer.id, "quantity": D(1), "unit_price": printer.unit_price,
                              "tax_rate": D(13)}])
    services.change_status("quote", quote, "sent", alice)
    services.change_status("quote", quote, "accepted", alice)
    order = services.order_from_quote(quote, alice)
    invoice = services.invoice_from("sales_order", order, alice)
    page = as_user(alice).get(f"/records/opportunity/{opp.id}").get_data(as_text=True)
    for kind, number in (("quote", quote.number), ("sales_order", order.number), ("invoice", invoice.number)):
        assert re.search(rf'data-sales="{kind}">.*?{re.escape(number)}', page, re.S), kind
    set_mode("opportunity", "read")      # bob may read the opportunity; the documents stay private to alice
    page = as_user(bob).get(f"/records/opportunity/{opp.id}").get_data(as_text=True)
    assert "Printers" in page and order.number not in page and invoice.number not in page
    assert 'data-sales="quote"' not in page


def test_ageing_puts_each_boundary_day_in_its_band(school, as_user, printer):
    alice = school["alice"]
    today = TODAY.date()
    expected = {}
    for days_late, band in ((-5, 2), (0, 2), (1, 3), (30, 3), (31, 4), (60, 4), (61, 5), (90, 5), (91, 6),
                            (400, 6)):
        account = Account.create(name=f"Late {days_late}", owner=alice.id)
        invoice = services.create("invoice", Invoice(owner=alice.id, account=account.id), alice, [
            {"product": printer.id, "quantity": D(1), "unit_price": D("100.00"), "tax_rate": D(0)}])
        invoice.issue_date = today - dt.timedelta(days=days_late + 30)
        invoice.due_date = today - dt.timedelta(days=days_late)
        services.change_status("invoice", invoice, "issued", alice)
        expected[account.name] = band
    _head, body, total = csv_report(as_user(alice), "receivables_ageing")
    assert {row[0]: [i for i in range(2, 7) if D(row[i])] for row in body} == {k: [v] for k, v in expected.items()}
    assert D(total[7]) == D("1000.00")
