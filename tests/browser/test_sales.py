"""In a real browser: a salesperson quotes an opportunity's printers, sends and wins the quote, turns it into a sales
order and an invoice, issues it and records two payments until it is paid; every page on the way shows the same
total, and the opportunity's page lists the three documents."""
import datetime as dt
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
def test_quote_to_cash_in_the_browser(live_server, page, make_user):
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
