"""The calendar in a real browser: plan a weekly recurring event from the week view, see it in the month
view, drag an occurrence, and complete a task from the daily work plan."""
import datetime as dt

import pytest

from tests.browser.conftest import log_in
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser


def test_weekly_event_from_week_view_shows_in_month_view_and_task_completes_today(
        live_server, page, make_user, frozen_clock):
    frozen_clock(dt.datetime(2026, 5, 12, 1, 0))  # Tuesday 12 May 2026, 09:00 in Shanghai
    server = live_server(plugins=["calendar"])
    with server.app.app_context():
        from core.records import service as records
        from plugins.calendar.models import CalendarTask
        user = make_user("student")
        task = CalendarTask(owner=user.id, subject="Prepare the quote", due_date=dt.date(2026, 5, 12))
        records.save("calendar_task", task, user)
        task_id = task.id
    log_in(page, server.url, "student", TEST_PASSWORD)
    page.wait_for_selector('[data-menu="calendar"]')

    # week view: click an empty slot to create
    page.goto(server.url + "/calendar/?view=week&date=2026-05-12")
    page.click('td[data-slot="2026-05-12T10:00"]', position={"x": 60, "y": 20})
    page.wait_for_selector("input[name=subject]")
    assert page.input_value("input[name=start_time]") == "10:00"
    page.fill("input[name=subject]", "Sales training")
    page.select_option("select[name=freq]", "WEEKLY")
    page.check("input[name=byday][value=TU]")
    page.check("input[name=byday][value=TH]")
    page.select_option("select[name=ends]", "count")
    page.fill("input[name=count]", "4")
    page.click("form.stacked button[type=submit]")
    page.wait_for_selector("[data-event-detail]")
    assert "Every week on Tue, Thu" in page.inner_text("main")

    # month view: the four occurrences (12, 14, 19, 21 May)
    page.goto(server.url + "/calendar/?view=month&date=2026-05-12")
    items = page.locator(".cal-item", has_text="Sales training")
    assert items.count() == 4
    days = sorted(page.locator("td.cal-day", has=page.locator(".cal-item", has_text="Sales training"))
                  .evaluate_all("cells => cells.map(c => c.dataset.date)"))
    assert days == ["2026-05-12", "2026-05-14", "2026-05-19", "2026-05-21"]

    # drag the 19 May occurrence to 20 May: only that one moves
    source = page.locator('td[data-date="2026-05-19"] .cal-item', has_text="Sales training")
    with page.expect_navigation():
        source.drag_to(page.locator('td[data-date="2026-05-20"]'))
    days = sorted(page.locator("td.cal-day", has=page.locator(".cal-item", has_text="Sales training"))
                  .evaluate_all("cells => cells.map(c => c.dataset.date)"))
    assert days == ["2026-05-12", "2026-05-14", "2026-05-20", "2026-05-21"]

    # the daily work plan: complete the task
    page.click('[data-menu="calendar-today"]')
    page.wait_for_selector(f'[data-complete="{task_id}"]')
    assert "Sales training" in page.inner_text('[data-plan="events"]')
    page.click(f'[data-complete="{task_id}"]')
    page.wait_for_selector(f'[data-done-task="{task_id}"]')
    assert page.locator(f'[data-complete="{task_id}"]').count() == 0
    with server.app.app_context():
        from plugins.calendar.models import CalendarTask
        assert CalendarTask.get_by_id(task_id).status == "completed"



def test_leader_picks_the_team_calendar(live_server, page, make_user, frozen_clock):
    frozen_clock(dt.datetime(2026, 5, 12, 1, 0))
    server = live_server(plugins=["calendar"])
    with server.app.app_context():
        from core import positions
        from core.records import service as records
        from plugins.calendar.models import CalendarEvent
        dept = positions.create("Dept")
        sales = positions.create("Sales", dept)
        leader = make_user("leader", position=dept, full_name="Wang Wei")
        records.save("calendar_event", CalendarEvent(owner=leader.id, subject="Budget review",
                                                     start=dt.datetime(2026, 5, 14, 2),
                                                     end=dt.datetime(2026, 5, 14, 3)), leader)
        junior = make_user("junior", position=sales, full_name="Li Na")
        records.save("calendar_event", CalendarEvent(owner=junior.id, subject="Client visit",
                                                     start=dt.datetime(2026, 5, 13, 2),
                                                     end=dt.datetime(2026, 5, 13, 3)), junior)
    log_in(page, server.url, "leader", TEST_PASSWORD)
    page.wait_for_selector('[data-menu="calendar"]')
    page.click('[data-menu="calendar"]')
    page.wait_for_selector("[data-calendar]")
    page.wait_for_load_state()  # calendar.js is deferred: the select submits itself only once it has run
    assert page.locator(".cal-item", has_text="Client visit").count() == 0
    with page.expect_navigation():
        page.select_option("select[data-who]", "team")  # no button press: the choice applies at once
    item = page.locator('td[data-date="2026-05-13"] .cal-item', has_text="Client visit")
    assert item.count() == 1
    legend = page.inner_text(".cal-legend")
    assert "Li Na" in legend and "Wang Wei" in legend  # one colour per person
    colours = {page.locator(".cal-item", has_text=s).get_attribute("style") for s in ("Client visit", "Budget review")}
    assert len(colours) == 2
