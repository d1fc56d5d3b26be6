"""A salesperson walks lead → convert (with an opportunity) → product line → Closed Won in a real browser."""
from decimal import Decimal

import pytest

from tests.browser.conftest import log_in
from tests.conftest import TEST_PASSWORD


@pytest.mark.browser
def test_salesperson_converts_a_lead_and_closes_the_opportunity(live_server, page, make_user):
    server = live_server(plugins=[])
    with server.app.app_context():
        from core import positions as P
        from core.models import Product
        sales = P.create("Sales", P.create("Teacher"))
        make_user("sally", position=sales, full_name="Sally")
        Product.create(name="CRM Suite", code="CRM-1", unit_price=Decimal("1999.50"), unit="set")
    log_in(page, server.url, "sally", TEST_PASSWORD)
    page.wait_for_selector('[data-menu="records:lead"]')

    page.click('[data-menu="records:lead"]')
    page.click('[data-action="new"]')
    page.fill("input[name=last_name]", "Chen")
    page.fill("input[name=first_name]", "Jing")
    page.fill("input[name=company]", "Hengda Electronics")
    page.fill("input[name=email]", "chen@hengda.example")
    page.click('form[data-form="lead"] button[type=submit]')
    page.wait_for_selector("text=Lead saved.")

    page.click("a:has-text('Convert')")
    page.fill("input[name=opportunity_name]", "Hengda first order")
    page.select_option("select[name=stage]", label="Proposal")
    page.click('form[data-form="convert"] button[type=submit]')
    page.wait_for_selector("text=The lead was converted.")
    assert page.locator("h1").inner_text() == "Hengda first order"

    page.click('[data-action="add-line"]')
    page.select_option('form[data-form="line"] select[name=product]', label="CRM Suite (CRM-1)")
    page.fill('form[data-form="line"] input[name=quantity]', "2")
    page.click('form[data-form="line"] button[type=submit]')
    page.wait_for_selector("text=Line added.")
    assert "3,999.00" in page.locator('[data-related="lines"]').inner_text()

    page.click('[data-action="edit"]')
    page.select_option("select[name=stage]", label="Closed Won")
    assert page.input_value("input[name=probability]") == "100"  # the page follows the stage's default
    page.click('form[data-form="opportunity"] button[type=submit]')
    page.wait_for_selector("text=Opportunity saved.")
    fields = page.locator('[data-section="fields"]').inner_text()
    assert "3,999.00" in fields and "Closed Won" in fields and "100%" in fields
    history = page.locator('[data-related="stage_history"]').inner_text()
    assert "Proposal" in history and "Closed Won" in history

    export = page.request.get(server.url + "/records/opportunity/export.csv",  # streamed by the real server
                              headers={"Accept-Language": "en"})
    assert export.ok and "Hengda first order,Hengda Electronics,3999.00,Closed Won,100" in export.text()
