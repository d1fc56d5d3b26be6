"""In a real browser: a customer sends the public feedback form, the assignee sees the bell, resolves the
feedback, and the month's "feedback handled" bar in the service report grows by one."""
import pytest

from tests.browser.conftest import log_in
from tests.conftest import TEST_PASSWORD


def handled_this_month(page, server):
    """(table cell, chart value) of "feedback handled" for the current month in the current fiscal year."""
    from core import clock
    from plugins.service import reporting
    with server.app.app_context():
        period = reporting.fiscal_period(reporting.fiscal_year_of(clock.today()))
        index = period.months.index(clock.today().replace(day=1))
    page.goto(server.url + "/service/report")
    row = page.locator('[data-table="monthly"] tbody tr').nth(index)
    cell = int(row.locator('[data-col="feedback_handled"]').inner_text())
    values = page.locator('[data-section="monthly"] figure.chart desc.value').evaluate_all(
        "nodes => nodes.map(n => n.textContent)")                  # SVG nodes have no innerText
    bar = int(float(values[2 * len(period.months) + index]))      # third series: feedback handled
    return cell, bar


@pytest.mark.browser
def test_public_feedback_reaches_the_assignee_and_counts_as_handled(live_server, page, make_user):
    server = live_server(plugins=["service"], SERVICE_MIN_FILL_SECONDS=0)
    with server.app.app_context():
        from plugins.service.models import ServiceSettings
        agent = make_user("agent", full_name="Agent Zhou")
        ServiceSettings.update(default_owner=agent.id).where(ServiceSettings.id == 1).execute()

    page.goto(server.url + "/service/public")
    page.fill("input[name=name]", "Wang Fang")
    page.fill("input[name=email]", "wang.fang@example.com")
    page.fill("input[name=subject]", "Invoice <b>missing</b>")
    page.fill("textarea[name=message]", "The invoice for order 42 never arrived.")
    a, b = page.get_attribute("input[name=answer]", "data-question").split(" + ")
    page.fill("input[name=answer]", str(int(a) + int(b)))
    page.click("[data-public-form] button[type=submit]")
    page.wait_for_selector("[data-public-thanks]")

    log_in(page, server.url, "agent", TEST_PASSWORD)
    page.wait_for_selector("[data-bell] [data-unread]")
    assert page.inner_text("[data-bell] [data-unread]") == "1"
    before = handled_this_month(page, server)
    assert before[0] == before[1]

    page.click("[data-bell]")
    page.click("text=Invoice <b>missing</b>")
    page.wait_for_selector("[data-item-detail]")
    assert page.inner_text("[data-owner]") == "Agent Zhou"
    page.select_option("[data-status-form] select[name=status]", "resolved")
    page.fill("[data-status-form] textarea[name=resolution]", "Sent a copy by e-mail.")
    page.click("[data-status-form] button[type=submit]")
    page.wait_for_selector('[data-status="resolved"]')

    after = handled_this_month(page, server)
    assert after == (before[0] + 1, before[1] + 1)
