"""What a person sees: a quote made from an opportunity's page (its product lines copied), the pages in Chinese,
an overdue invoice, and the expiry job run by several schedulers at once."""
import datetime as dt
import re
from decimal import Decimal

from core import scheduler
from core.models import Account, Opportunity, OpportunityLine, SalesStage
from plugins.sales import services
from plugins.sales.models import Invoice, Quote
from tests.concurrency import run_at_once


def _opportunity(owner, printer):
    stage = SalesStage.select().order_by(SalesStage.order).first()
    account = Account.create(name="华夏贸易有限公司", owner=owner.id)
    opp = Opportunity.create(name="三台打印机", owner=owner.id, account=account.id, amount=0, stage=stage,
                             close_date=dt.date(2026, 6, 30))
    OpportunityLine.create(opportunity=opp.id, product=printer.id, quantity=3, unit_price=printer.unit_price,
                           discount_percent=5)
    return opp


def test_create_quote_from_the_opportunity_page_copies_its_lines(app, school, as_user, printer):
    alice = school["alice"]
    opp = _opportunity(alice, printer)
    client = as_user(alice)
    page = client.get(f"/records/opportunity/{opp.id}").get_data(as_text=True)
    assert 'data-action="create-quote"' in page
    assert client.post(f"/sales/opportunity/{opp.id}/do/quote").status_code == 302
    quote = Quote.get(Quote.opportunity == opp.id)
    line = quote.lines.get()
    assert (line.product_id, line.quantity, line.discount_percent) == (printer.id, 3, 5)
    assert quote.account_id == opp.account_id and quote.owner_id == alice.id
    assert quote.total == Decimal("6437.78")   # 3 × 1999 − 5 %, with the school's 13 % tax
    page = client.get(f"/records/opportunity/{opp.id}").get_data(as_text=True)
    assert quote.number in page
    assert as_user(school["bob"]).get(f"/sales/opportunity/{opp.id}/do/quote").status_code == 404


def test_pages_read_in_chinese(app, school, as_user, make_quote):
    alice = school["alice"]
    quote = make_quote(alice, quantity=3, discount_percent=5)
    client = as_user(alice, "zh-CN")
    listing = client.get("/records/quote/").get_data(as_text=True)
    assert "报价单" in listing and quote.number in listing
    detail = client.get(f"/records/quote/{quote.id}").get_data(as_text=True)
    for word in ("报价单", "草稿", "小计", "税额", "总计", "每行只舍入一次", "标记为已发送"):
        assert word in detail, word
    # the lines' column and the sum of the lines read differently (both were 小计)
    header = next(head for head in re.findall(r"<thead>.*?</thead>", detail, re.S) if "单价" in head)
    assert "金额" in header and "小计" not in header
    lines = client.get(f"/sales/quote/{quote.id}/lines").get_data(as_text=True)
    assert "保存明细" in lines and "税率" in lines
    for action in ("send", "accept", "invoice"):
        client.post(f"/sales/quote/{quote.id}/do/{action}")
    invoice = Invoice.get()
    client.post(f"/sales/invoice/{invoice.id}/do/issue")
    page = client.get(f"/records/invoice/{invoice.id}").get_data(as_text=True)
    assert "发票" in page and "已开具" in page and "收款" in page and "应收余额" in page
    assert "销售订单" in client.get("/records/sales_order/").get_data(as_text=True)


def test_an_issued_invoice_past_its_due_date_shows_overdue(app, school, as_user, make_quote, frozen_clock):
    alice = school["alice"]
    client = as_user(alice)
    overdue = []
    for due in ("2026-05-14", "2026-05-15"):      # today is 2026-05-15
        quote = make_quote(alice)
        for status in ("sent", "accepted"):
            services.change_status("quote", quote, status, alice)
        invoice = services.invoice_from("quote", quote, alice)
        assert client.post(f"/records/invoice/{invoice.id}/edit", data={
            "due_date": due, "discount": "0", "shipping": "0"}).status_code == 302
        assert client.post(f"/sales/invoice/{invoice.id}/do/issue").status_code == 302
        overdue.append("data-overdue" in client.get(f"/records/invoice/{invoice.id}").get_data(as_text=True))
    assert overdue == [True, False]


def test_expiry_run_by_three_schedulers_at_once_expires_each_sent_quote_once(app, school, make_quote, frozen_clock):
    alice = school["alice"]
    past, future, draft = (make_quote(alice, valid_until=dt.date(2026, 5, d)) for d in (10, 20, 1))
    for quote in (past, future):
        services.change_status("quote", quote, "sent", alice)
    job = [j for j in scheduler.all_jobs(app) if j.id == "sales.expire_quotes"][0]
    assert sum(run_at_once(lambda: scheduler.run_job(app, job), 3)) == 1
    assert [Quote.get_by_id(q.id).status for q in (past, future, draft)] == ["expired", "sent", "draft"]
    assert scheduler.run_job(app, job) == 0
