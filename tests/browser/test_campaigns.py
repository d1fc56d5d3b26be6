"""Campaigns in a real browser: create a campaign with two tasks, complete one and watch the task views
change, run the scheduler once and see the reminder in the bell."""
import datetime as dt

import pytest

from core import clock
from core.scheduler import run_once
from tests.browser.conftest import log_in
from tests.conftest import TEST_PASSWORD


def count(page, view):
    return int(page.locator(f'[data-count="{view}"]').inner_text())


@pytest.mark.browser
def test_campaign_tasks_views_and_reminder_in_the_bell(live_server, page, make_user):
    server = live_server(plugins=["campaigns"])
    with server.app.app_context():
        make_user("carol", email="")
        today = clock.today()
        soon = clock.local_now().replace(tzinfo=None) + dt.timedelta(days=1)
    log_in(page, server.url, "carol", TEST_PASSWORD)
    page.wait_for_selector('[data-menu="campaigns"]')

    page.click('[data-menu="campaigns"]')
    page.click('[data-action="new-campaign"]')
    page.fill("input[name=name]", "秋季校园推广")
    page.select_option("select[name=status]", "active")
    page.fill("input[name=start_date]", today.isoformat())
    page.fill("input[name=end_date]", (today + dt.timedelta(days=2)).isoformat())
    page.click("form.panel button[type=submit]")
    page.wait_for_selector('[data-action="new-task"]')
    assert page.locator("h1").inner_text() == "秋季校园推广"

    for subject, hours in (("印制海报", 0), ("联系学生会", 2)):
        page.click('[data-action="new-task"]')
        page.fill("input[name=subject]", subject)
        page.fill("input[name=due_at]", (soon + dt.timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M"))
        page.click("form.panel button[type=submit]")
        page.wait_for_selector(f'text="{subject}"')

    page.goto(server.url + "/campaigns/tasks/?view=open")
    assert (count(page, "open"), count(page, "history"), count(page, "mine")) == (2, 0, 2)
    page.locator('tr:has-text("印制海报") [data-complete]').click()
    page.fill("textarea[name=completion_note]", "海报已张贴在食堂门口")
    page.click('[data-action="complete"]')
    page.wait_for_selector(".flash-success")
    assert (count(page, "open"), count(page, "history"), count(page, "mine")) == (1, 1, 1)
    assert page.locator('[data-table="tasks"]').inner_text().count("印制海报") == 0
    page.click('[data-view="history"]')
    history = page.locator('[data-table="tasks"]').inner_text()
    assert "印制海报" in history and "海报已张贴在食堂门口" in history and "联系学生会" not in history

    assert page.locator("[data-unread]").count() == 0
    results = run_once(server.app)
    assert results["campaigns.reminders"] == 3     # the open task is due soon and the campaign ends soon
    page.reload()
    assert page.locator("[data-unread]").inner_text() == "3"
    page.click("[data-bell]")
    notes = page.locator("main").inner_text()
    assert "联系学生会" in notes and "印制海报" not in notes
