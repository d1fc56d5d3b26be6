"""The week/day grid and the daily work plan with the other modules on: an event past midnight is drawn in the
time grid on both days, other modules' timed items at their hour, every module's overdue open items on the
plan (marked overdue), and "ends in 2 days" / "due in 3 hours" badges on the campaign and task lists —
seen by the owner, their superior and an outsider (core.access as it is)."""
import datetime as dt
import re

import pytest

from core import clock
from core.records import service as records
from plugins.calendar.models import CalendarTask
from plugins.campaigns.models import Campaign, CampaignTask
from plugins.service import services
from plugins.service.models import ITEM_MODELS
from tests.plugins.calendar.conftest import make_event

NOW = dt.datetime(2026, 5, 15, 2, 0)   # 10:00 in Asia/Shanghai, a Friday


@pytest.fixture
def full(make_app):
    app = make_app(plugins=["calendar", "campaigns", "service"])
    with app.test_request_context():
        yield app


@pytest.fixture
def people(full, make_school, login, frozen_clock):
    frozen_clock(NOW)
    s = make_school()
    users = {"owner": s["alice"], "superior": s["manager_a"], "outsider": s["carol"]}
    return {role: (user, login(full.test_client(), user)) for role, user in users.items()}


def local(utc):
    return clock.to_local(utc).replace(tzinfo=None)


def slot(html, when):
    """The grid cell of the local hour ``when`` (a naive local datetime)."""
    match = re.search(r'data-slot="%s".*?</td>' % when.strftime("%Y-%m-%dT%H:00"), html, re.S)
    return match.group(0) if match else ""


def all_day_row(html):
    return html.split('class="cal-allday"')[1].split("</tr>")[0]


def campaign(owner, name="Spring fair", **fields):
    fields.setdefault("status", "active")
    row = Campaign(name=name, owner=owner.id, start_date=dt.date(2026, 5, 1), **fields)
    records.save("campaign", row, owner)
    return row


def campaign_task(owner, subject, due_at, status="open"):
    task = CampaignTask(campaign=campaign(owner, f"Campaign of {subject}", end_date=dt.date(2026, 6, 30)),
                        owner=owner.id, subject=subject, due_at=due_at, status=status)
    records.save("campaign_task", task, owner)
    return task


def service_item(owner, subject):
    item = ITEM_MODELS["complaint"](owner=owner.id, subject=subject, priority="urgent")
    services.create("complaint", item, owner)
    return ITEM_MODELS["complaint"].get_by_id(item.id)


def test_event_past_midnight_is_drawn_in_the_time_grid_on_both_days(people):
    owner, client = people["owner"]
    event = make_event(owner, "Night shipment", start=dt.datetime(2026, 5, 18, 14, 0), hours=4)
    start, end = local(event.start), local(event.end)
    assert start.date() + dt.timedelta(days=1) == end.date()   # 22:00 → 02:00 in Shanghai
    midnight = dt.datetime.combine(end.date(), dt.time())
    for role in ("owner", "superior"):
        client = people[role][1]
        for url in (f"/calendar/?view=week&date={start.date()}&who={owner.id}",
                    f"/calendar/?view=day&date={end.date()}&who={owner.id}"):
            html = client.get(url).get_data(as_text=True)
            assert "Night shipment" not in all_day_row(html), (role, url)
            second = slot(html, midnight)
            assert "Night shipment" in second and f'data-until="{end:%H:%M}"' in second, (role, url)
        week = client.get(f"/calendar/?view=week&date={start.date()}&who={owner.id}").get_data(as_text=True)
        assert "Night shipment" in slot(week, start) and 'data-until="24:00"' in slot(week, start)
    week = people["outsider"][1].get(f"/calendar/?view=week&date={start.date()}&who=all").get_data(as_text=True)
    assert "Night shipment" not in week


def test_timed_items_of_other_modules_are_drawn_at_their_time(people):
    owner, _client = people["owner"]
    task = campaign_task(owner, "Call the exhibitors", dt.datetime(2026, 5, 18, 6, 30))
    item = service_item(owner, "Broken delivery")
    for role in ("owner", "superior"):
        for when, title in ((local(task.due_at), "Call the exhibitors"), (local(item.resolution_due_at),
                                                                          "Broken delivery")):
            html = people[role][1].get(f"/calendar/?view=day&date={when.date()}&who={owner.id}").get_data(
                as_text=True)
            assert title in slot(html, when) and f"{when:%H:%M}" in slot(html, when), (role, title)
            assert title not in all_day_row(html), (role, title)
    for when in (local(task.due_at), local(item.resolution_due_at)):
        html = people["outsider"][1].get(f"/calendar/?view=day&date={when.date()}&who=all").get_data(as_text=True)
        assert "Call the exhibitors" not in html and "Broken delivery" not in html


def test_daily_plan_lists_every_modules_overdue_open_items_marked_overdue(people, frozen_clock, full):
    owner, client = people["owner"]
    frozen_clock(NOW - dt.timedelta(days=5))
    late_task = campaign_task(owner, "Send the brochures", NOW - dt.timedelta(days=4))
    campaign_task(owner, "Already sent", NOW - dt.timedelta(days=4), status="done")
    late_item = service_item(owner, "Unanswered complaint")
    frozen_clock(NOW)
    assert late_item.resolution_due_at < NOW
    plan = client.get("/calendar/today").get_data(as_text=True)
    overdue = " ".join(re.findall(r"<li [^>]*data-overdue>.*?</li>", plan, re.S))
    for title, due in (("Send the brochures", late_task.due_at), ("Unanswered complaint", late_item.resolution_due_at)):
        assert title in overdue
        assert f"overdue since {local(due):%b} {local(due).day}" in overdue
    assert "Already sent" not in plan
    # the plan is personal: the superior sees the items in the calendar, not on their own plan; the outsider nowhere
    assert "Send the brochures" not in people["superior"][1].get("/calendar/today").get_data(as_text=True)
    assert "Send the brochures" not in people["outsider"][1].get("/calendar/today").get_data(as_text=True)
    plugins = full.extensions["zhixin_plugins"]
    assert {i.kind for i in plugins.gather("zhixin_overdue_items", user=owner, before=NOW)} == {
        "campaign_task", "service"}
    assert plugins.gather("zhixin_overdue_items", user=people["outsider"][0], before=NOW) == []


def test_campaigns_about_to_end_and_tasks_due_soon_carry_a_badge(people):
    owner, client = people["owner"]
    today = clock.today()
    ending = campaign(owner, "Ends soon", end_date=today + dt.timedelta(days=2))
    campaign(owner, "Ends later", end_date=today + dt.timedelta(days=20))
    campaign(owner, "Finished", end_date=today + dt.timedelta(days=1), status="completed")
    soon = NOW + dt.timedelta(hours=3)
    campaign_task(owner, "Print badges", soon)
    records.save("calendar_task", CalendarTask(owner=owner.id, subject="Book the hall", due_date=local(soon).date(),
                                               due_time=local(soon).time()), owner)
    left = (ending.end_date - clock.today()).days
    for role in ("owner", "superior"):
        listing = people[role][1].get("/campaigns/").get_data(as_text=True)
        badges = dict(re.findall(r'data-campaign="\d+">\s*<td><a [^>]*>([^<]+)</a>.*?(?:data-ends-soon>([^<]*)<|</tr>)',
                                 listing, re.S))
        assert badges == {"Ends soon": f"ends in {left} days", "Ends later": "", "Finished": "",
                          "Campaign of Print badges": ""}, role
        detail = people[role][1].get(f"/campaigns/{ending.id}").get_data(as_text=True)
        assert f"ends in {left} days" in detail
    tasks = client.get("/campaigns/tasks/").get_data(as_text=True)
    assert "data-due-soon>due in 3 hours<" in tasks
    assert "data-due-soon>due in 3 hours<" in client.get("/calendar/tasks/").get_data(as_text=True)
    assert "data-due-soon>due in 3 hours<" in client.get("/calendar/today").get_data(as_text=True)
    assert "Ends soon" not in people["outsider"][1].get("/campaigns/").get_data(as_text=True)


def test_badges_read_in_chinese(people, login, full):
    owner, _client = people["owner"]
    owner.language = "zh"
    owner.save()
    client = login(full.test_client(), owner)
    campaign(owner, "Ends soon", end_date=clock.today() + dt.timedelta(days=2))
    campaign_task(owner, "Print badges", NOW + dt.timedelta(hours=3))
    assert "data-ends-soon>2天后结束<" in client.get("/campaigns/").get_data(as_text=True)
    assert "data-due-soon>3小时后到期<" in client.get("/campaigns/tasks/").get_data(as_text=True)
