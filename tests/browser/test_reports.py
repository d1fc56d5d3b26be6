"""Reports in a real browser: build a grouped report with a chart, save it, drill down from a bar,
export CSV."""
import datetime as dt
import decimal

import pytest

from tests.browser.conftest import log_in
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser


def _data(app, make_user):
    from core.models import Opportunity, SalesStage
    with app.app_context():
        ann = make_user("ann", full_name="Ann")
        bob = make_user("bob", full_name="Bob")
        prospecting = SalesStage.get(SalesStage.name == "Prospecting")
        won = SalesStage.get(SalesStage.name == "Closed Won")
        for name, stage, amount in [("Alpha", prospecting, "100"), ("Beta", won, "250"), ("Gamma", won, "50")]:
            Opportunity.create(name=name, owner=ann, stage=stage, amount=decimal.Decimal(amount),
                               close_date=dt.date(2026, 5, 1))
        Opportunity.create(name="Bob's secret", owner=bob, stage=won, amount=decimal.Decimal("999"),
                           close_date=dt.date(2026, 5, 1))


def test_build_save_drill_down_and_export(live_server, page, make_user):
    server = live_server(plugins=["reports"])
    _data(server.app, make_user)
    log_in(page, server.url, "ann", TEST_PASSWORD)
    page.wait_for_selector('[data-menu="reports"]')
    page.click('[data-menu="reports"]')
    page.click("[data-new-report]")
    page.wait_for_load_state()  # the builder's script is deferred: the preview button works once it has run
    page.select_option("#type", "opportunity")
    page.select_option("#group_field_0", "stage")
    page.select_option("#agg_func_0", "count")
    page.select_option("#agg_func_1", "sum")
    page.select_option("#agg_field_1", "amount")
    page.select_option("#chart", "bar")
    page.click("[data-preview]")
    page.wait_for_selector("[data-preview-result] svg")
    table = page.inner_text("[data-preview-result] [data-report-table]")
    assert "Closed Won" in table and "300" in table and "999" not in table
    page.fill("#name", "My pipeline by stage")
    page.click("[data-save]")
    page.wait_for_selector("[data-chart] svg")
    assert page.inner_text("h1") == "My pipeline by stage"

    # drill down from the "Closed Won" bar to the records behind it
    bars = page.locator("[data-chart] svg a")
    assert bars.count() == 2
    bars.nth(1).click(force=True)
    page.wait_for_selector("[data-drill-list]")
    listed = page.inner_text("[data-drill-list]")
    assert "Beta" in listed and "Gamma" in listed and "Alpha" not in listed and "secret" not in listed

    page.go_back()
    page.wait_for_selector("[data-export-csv]")
    with page.expect_download() as download_info:
        page.click("[data-export-csv]")
    download = download_info.value
    text = open(download.path(), encoding="utf-8-sig").read()
    assert download.suggested_filename.endswith(".csv")
    assert "Closed Won,2,300.00" in text and "999" not in text
