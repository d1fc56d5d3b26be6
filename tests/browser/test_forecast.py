"""The forecast in a real browser: a teacher sets a quota, a salesperson closes an opportunity, and the
attainment changes on both the salesperson's and the teacher's forecast."""
from decimal import Decimal

import pytest

from tests.browser.conftest import log_in
from tests.conftest import TEST_PASSWORD


def _school(server, make_user):
    from core import clock
    from core import positions as P
    from core.models import Opportunity, SalesStage
    with server.app.app_context():
        teacher_pos = P.create("Teacher")
        cls = P.create("Class A", teacher_pos)
        dept = P.create("Dept A", cls)
        sales = P.create("Sales A", dept)
        make_user("teacher", teacher_pos)
        student = make_user("student", sales, full_name="Student Zhang")
        negotiation = SalesStage.get(SalesStage.name == "Negotiation")
        deal = Opportunity.create(name="School uniforms", owner=student.id, amount=Decimal("250.00"),
                                  stage=negotiation.id, probability=80, close_date=clock.today())
        won = SalesStage.get(SalesStage.is_won == True)  # noqa: E712
        return student.id, deal.id, won.id, cls.id


def _log_in_as(page, server, username):
    page.context.clear_cookies()
    log_in(page, server.url, username, TEST_PASSWORD)
    page.wait_for_selector('[data-menu="home"]')


def _team_attainment(page, server, class_id):
    page.goto(server.url + "/forecast/team")
    row = page.locator(f'tr[data-row="position-{class_id}"] a[data-figure="attainment"]')
    total = page.locator('tr[data-row="total"] a[data-figure="attainment"]')
    return row.inner_text().strip(), total.inner_text().strip()


@pytest.mark.browser
def test_quota_and_closed_deal_change_attainment_for_salesperson_and_teacher(live_server, page, make_user):
    server = live_server(plugins=["forecast"])
    student_id, deal_id, won_id, class_id = _school(server, make_user)

    _log_in_as(page, server, "teacher")
    assert _team_attainment(page, server, class_id) == ("—", "—")        # no quota yet
    page.goto(server.url + "/forecast/quotas")
    page.fill(f'input[name="quota-{student_id}"]', "1000")
    page.click("form[data-quota-grid] button[type=submit]")
    page.wait_for_selector(".flash-success")
    assert _team_attainment(page, server, class_id) == ("0.0%", "0.0%")

    _log_in_as(page, server, "student")
    page.goto(server.url + "/forecast/my")
    assert page.locator('[data-stat="attainment"] a').inner_text().strip() == "0.0%"
    page.goto(server.url + f"/records/opportunity/{deal_id}/edit")
    form = page.locator("form:has(select[name=stage])")
    form.locator("select[name=stage]").select_option(str(won_id))
    form.locator("[type=submit]").last.click()
    page.wait_for_load_state()
    page.goto(server.url + "/forecast/my")
    assert page.locator('[data-stat="attainment"] a').inner_text().strip() == "25.0%"
    assert "250.00" in page.locator('[data-stat="closed"]').inner_text()

    _log_in_as(page, server, "teacher")
    assert _team_attainment(page, server, class_id) == ("25.0%", "25.0%")
    # the figure shows its arithmetic with the numbers filled in
    page.locator(f'tr[data-row="position-{class_id}"] a[data-figure="attainment"]').click()
    formula = page.locator("[data-formula]").inner_text()
    assert "250.00 ÷" in formula and "1,000.00 × 100 = 25.0%" in formula
