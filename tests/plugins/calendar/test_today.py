"""The daily work plan (每日工作计划), the calendar-items hook, the dashboard widget and demo data."""
import datetime as dt
import random

from flask_babel import force_locale

from core import clock
from core.models import Opportunity, SalesStage
from core.records import service as records
from plugins.calendar.models import CalendarEvent, CalendarTask
from tests.plugins.calendar.conftest import make_event, make_task


def test_today_lists_events_due_and_overdue_tasks(client, login, make_user, frozen_clock):
    user = make_user("alice")
    login(client, user)
    make_event(user, "Morning call", start=dt.datetime(2026, 5, 15, 1))       # today 09:00 local
    make_event(user, "Tomorrow's call", start=dt.datetime(2026, 5, 16, 1))
    make_task(user, "Due today", due=dt.date(2026, 5, 15))
    make_task(user, "Late one", due=dt.date(2026, 5, 10))
    make_task(user, "Next week", due=dt.date(2026, 5, 22))
    make_task(user, "Already done", due=dt.date(2026, 5, 9), status="completed")
    page = client.get("/calendar/today").get_data(as_text=True)
    assert "Morning call" in page and "Tomorrow&#39;s call" not in page
    assert "Due today" in page and "Late one" in page and "overdue since" in page
    assert "Next week" not in page and "Already done" not in page


def test_today_follows_the_teaching_clock(client, login, make_user, frozen_clock):
    user = make_user("alice")
    login(client, user)
    make_task(user, "Friday task", due=dt.date(2026, 5, 22))
    assert "Friday task" not in client.get("/calendar/today").get_data(as_text=True)
    frozen_clock(dt.datetime(2026, 5, 22, 1))
    client = login(client.application.test_client(), user)  # a week later: the first login has ended
    assert "Friday task" in client.get("/calendar/today").get_data(as_text=True)


def test_quick_add_and_complete_from_today(client, login, make_user, frozen_clock):
    user = make_user("alice")
    login(client, user)
    client.post("/calendar/tasks/quick", data={"subject": "Phone Mr Li"})
    task = CalendarTask.get()
    assert (task.subject, task.due_date, task.owner_id) == ("Phone Mr Li", clock.today(), user.id)
    response = client.post(f"/calendar/tasks/{task.id}/complete", data={"next": "/calendar/today"})
    assert response.headers["Location"].endswith("/calendar/today")
    task = CalendarTask.get_by_id(task.id)
    assert task.status == "completed" and task.completed_at == clock.utcnow()
    page = client.get("/calendar/today").get_data(as_text=True)
    assert f'data-done-task="{task.id}"' in page
    assert client.post(f"/calendar/tasks/{task.id}/complete").status_code == 409
    client.post("/calendar/tasks/quick", data={"subject": "  "})
    assert CalendarTask.select().count() == 1


def test_hook_gives_events_tasks_and_opportunities_closing(cal, make_user, positions, frozen_clock):
    alice = make_user("alice", position=positions["sales_a"])
    bob = make_user("bob", position=positions["sales_b"])
    stage = SalesStage.get(SalesStage.name == "Proposal")
    won = SalesStage.get(SalesStage.is_won)
    for owner, name, st in ((alice, "Big deal", stage), (bob, "Bob's deal", stage), (alice, "Won deal", won)):
        records.save("opportunity", Opportunity(name=name, close_date=dt.date(2026, 5, 15), stage=st,
                                                owner=owner.id), owner)
    make_event(alice, "Morning call", start=dt.datetime(2026, 5, 15, 1))
    make_task(alice, "Due today", due=dt.date(2026, 5, 15))
    plugins = cal.extensions["zhixin_plugins"]
    with cal.test_request_context("/calendar/today"), force_locale("en"):
        window = dict(start=dt.datetime(2026, 5, 14, 16), end=dt.datetime(2026, 5, 15, 16))
        items = plugins.gather("zhixin_calendar_items", user=alice, owners=None, **window)
        mine = plugins.gather("zhixin_calendar_items", user=alice, owners=[alice.id], **window)
        bobs = plugins.gather("zhixin_calendar_items", user=alice, owners=[bob.id], **window)
    got = sorted((i.kind, i.title) for i in items)
    assert got == [("event", "Morning call"), ("opportunity", "Expected to close: Big deal"), ("task", "Due today")]
    assert all(i.url for i in items)
    assert sorted((i.kind, i.title) for i in mine) == got and bobs == []


def test_other_plugins_items_appear_on_today(make_app, login, make_user, frozen_clock):
    """A plugin contributing through zhixin_calendar_items shows on the daily work plan with its link."""
    import types

    from core import hookimpl
    from core.extension import CalendarItem
    extra = types.ModuleType("tests_calendar_extra")
    extra.NAME = "calendar_extra"

    @hookimpl
    def zhixin_calendar_items(user, start, end):
        return [CalendarItem(title="Service case due", start=start, url="/somewhere/7", kind="service")]
    extra.zhixin_calendar_items = zhixin_calendar_items
    extra.HOOKS = "tests_calendar_extra"
    import sys
    sys.modules["tests_calendar_extra"] = extra
    app = make_app(plugins=["calendar", "calendar_extra"], extra_plugins=[extra])
    with app.app_context():
        user = make_user("alice")
        client = app.test_client()
        login(client, user)
        page = client.get("/calendar/today").get_data(as_text=True)
        week = client.get("/calendar/?view=week").get_data(as_text=True)
    assert '<a href="/somewhere/7">Service case due</a>' in page
    assert 'href="/somewhere/7" data-kind="service">' in week and "Service case due" in week


def test_dashboard_widget_shows_next_events_and_tasks(client, login, make_user, frozen_clock):
    user = make_user("alice")
    login(client, user)
    make_event(user, "Soon", start=dt.datetime(2026, 5, 16, 1))
    make_task(user, "Due Monday", due=dt.date(2026, 5, 18))
    page = client.get("/").get_data(as_text=True)
    assert 'data-widget="calendar"' in page and "Soon" in page and "Due Monday" in page


def test_demo_data_covers_this_and_next_month(cal, make_user, frozen_clock):
    from plugins.calendar.demo import create_demo
    users = [make_user("teacher"), make_user("student01")]
    create_demo(users, random.Random(1))
    starts = [e.start.date() for e in CalendarEvent.select()]
    assert min(starts) >= dt.date(2026, 5, 1) - dt.timedelta(days=1) and max(starts) < dt.date(2026, 7, 1)
    assert {e.owner_id for e in CalendarEvent.select()} == {u.id for u in users}
    assert CalendarTask.select().count() >= 6


def test_opportunities_closing_show_in_the_month_view_and_today(client, login, make_user, positions, frozen_clock):
    alice = make_user("alice", position=positions["sales_a"])
    bob = make_user("bob", position=positions["sales_b"])
    stage = SalesStage.get(SalesStage.name == "Proposal")
    records.save("opportunity", Opportunity(name="Big deal", close_date=dt.date(2026, 5, 15), stage=stage,
                                            owner=alice.id), alice)
    records.save("opportunity", Opportunity(name="Hidden deal", close_date=dt.date(2026, 5, 15), stage=stage,
                                            owner=bob.id), bob)
    login(client, alice)
    month = client.get("/calendar/?date=2026-05-01").get_data(as_text=True)
    cell = month.split('data-date="2026-05-15"')[1].split("</td>")[0]
    assert "Expected to close: Big deal" in cell and 'data-kind="opportunity"' in cell
    assert "Hidden deal" not in month
    assert "Expected to close: Big deal" in client.get("/calendar/today").get_data(as_text=True)
    agenda = client.get("/calendar/?view=agenda&date=2026-05-10").get_data(as_text=True)
    assert "Expected to close: Big deal" in agenda


def test_teaching_clock_shift_moves_today(client, login, make_user):
    """The instructor's shifted clock (an offset in the organisation profile) decides "today"."""
    from core.models import Organisation
    clock.freeze(None)
    user = make_user("alice")
    login(client, user)
    real_today = clock.today()
    Organisation.update(clock_offset_seconds=10 * 86400).where(Organisation.id == 1).execute()
    page = client.get("/calendar/today").get_data(as_text=True)
    assert f'data-today="{(real_today + dt.timedelta(days=10)).isoformat()}"' in page
    client.post("/calendar/tasks/quick", data={"subject": "Lab task"})
    assert CalendarTask.get().due_date == real_today + dt.timedelta(days=10)
