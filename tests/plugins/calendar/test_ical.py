"""iCalendar: the subscription feed read back with the icalendar library, revocable tokens, export of a
view, and import (recurrence round-trips as RRULE; a file with bad dates imports nothing)."""
import datetime as dt
import io
from zoneinfo import ZoneInfo

import icalendar

from plugins.calendar.models import CalendarEvent, CalendarFeed
from plugins.calendar.service import occurrences
from tests.plugins.calendar.conftest import make_event, make_task, set_mode

SH = ZoneInfo("Asia/Shanghai")


def feed_url(client):
    client.post("/calendar/subscription/regenerate")
    token = CalendarFeed.get().token
    return f"/calendar/feed/{token}.ics"


def test_feed_is_read_back_with_the_same_events(client, login, make_user, frozen_clock):
    user = make_user("alice")
    login(client, user)
    make_event(user, "Weekly review", start=dt.datetime(2026, 5, 4, 1),
               rrule="FREQ=WEEKLY;BYDAY=MO;UNTIL=20260630T235959", location="Room A", reminder_minutes=15)
    series = CalendarEvent.get()
    client.post(f"/calendar/events/{series.id}/delete", data={"scope": "this", "occurrence": "20260511T010000"})
    client.post(f"/calendar/events/{series.id}/move", data={"start": "2026-05-19T14:00",
                                                           "occurrence": "20260518T010000"})
    make_event(user, "Holiday", start=dt.datetime(2026, 5, 1), hours=48, all_day=True)
    make_task(user, "Send quote", due=dt.date(2026, 5, 20))
    url = feed_url(client)
    client.post("/logout")
    with client.session_transaction() as session:
        session.clear()
    response = client.get(url)  # no login: the token is the key
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    cal = icalendar.Calendar.from_ical(response.data)
    events = cal.walk("VEVENT")
    by_summary = {}
    for e in events:
        by_summary.setdefault(str(e["summary"]), []).append(e)
    master = [e for e in by_summary["Weekly review"] if "RECURRENCE-ID" not in e][0]
    assert master.decoded("dtstart") == dt.datetime(2026, 5, 4, 9, tzinfo=SH)
    assert master["rrule"].to_ical() == b"FREQ=WEEKLY;UNTIL=20260630T155959Z;BYDAY=MO"
    assert [d.dt for d in master["exdate"].dts] == [dt.datetime(2026, 5, 11, 9, tzinfo=SH)]
    assert str(master["location"]) == "Room A"
    moved = [e for e in by_summary["Weekly review"] if "RECURRENCE-ID" in e][0]
    assert moved.decoded("recurrence-id") == dt.datetime(2026, 5, 18, 9, tzinfo=SH)
    assert moved.decoded("dtstart") == dt.datetime(2026, 5, 19, 14, tzinfo=SH)
    assert moved["uid"] == master["uid"]
    holiday = by_summary["Holiday"][0]
    assert (holiday.decoded("dtstart"), holiday.decoded("dtend")) == (dt.date(2026, 5, 1), dt.date(2026, 5, 3))
    todo = cal.walk("VTODO")[0]
    assert str(todo["summary"]) == "Send quote" and todo.decoded("due") == dt.date(2026, 5, 20)
    # a real client's expansion of the feed gives the same occurrences as our calendar
    from dateutil.rrule import rrulestr
    rule = rrulestr(master["rrule"].to_ical().decode(), dtstart=master.decoded("dtstart"))
    theirs = [d for d in rule if d not in [x.dt for x in master["exdate"].dts]]
    ours = [o.start.replace(tzinfo=SH) for o in occurrences(user, dt.date(2026, 5, 1), dt.date(2026, 7, 31))
            if o.title == "Weekly review" and o.event.series_id is None]
    assert ours == [d for d in theirs if d != dt.datetime(2026, 5, 18, 9, tzinfo=SH)]


def test_feed_token_is_revocable_and_regenerable(client, login, make_user):
    user = make_user("alice")
    login(client, user)
    first = feed_url(client)
    assert client.get(first).status_code == 200
    second = feed_url(client)
    assert second != first
    assert client.get(first).status_code == 404 and client.get(second).status_code == 200
    client.post("/calendar/subscription/revoke")
    assert client.get(second).status_code == 404
    assert client.get("/calendar/feed/guess.ics").status_code == 404


def test_feed_masks_others_private_events(client, login, make_user, positions, frozen_clock):
    set_mode("private")
    boss = make_user("boss", position=positions["dept_a"])
    junior = make_user("junior", position=positions["sales_a"])
    make_event(junior, "Doctor", private=True, location="Hospital")
    make_event(junior, "Client visit")
    login(client, boss)
    url = feed_url(client) + "?who=team"
    text = client.get(url).get_data(as_text=True)
    cal = icalendar.Calendar.from_ical(text)
    assert sorted(str(e["summary"]) for e in cal.walk("VEVENT")) == ["Busy", "Client visit"]
    assert "Hospital" not in text and "Doctor" not in text


def test_export_of_a_view(client, login, make_user, frozen_clock):
    user = make_user("alice")
    login(client, user)
    make_event(user, "In May", start=dt.datetime(2026, 5, 18, 1))
    make_event(user, "In July", start=dt.datetime(2026, 7, 18, 1))
    response = client.get("/calendar/export.ics?view=month&date=2026-05-10")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    cal = icalendar.Calendar.from_ical(response.data)
    assert [str(e["summary"]) for e in cal.walk("VEVENT")] == ["In May"]


def upload(client, text, name="events.ics"):
    return client.post("/calendar/import", data={"file": (io.BytesIO(text.encode()), name)},
                       content_type="multipart/form-data", follow_redirects=True)


GOOD = """BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//test//EN\r
BEGIN:VEVENT\r
UID:one@test\r
SUMMARY:Imported weekly\r
DTSTART;TZID=Asia/Shanghai:20260504T090000\r
DTEND;TZID=Asia/Shanghai:20260504T100000\r
RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=4\r
EXDATE;TZID=Asia/Shanghai:20260511T090000\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:one@test\r
RECURRENCE-ID;TZID=Asia/Shanghai:20260518T090000\r
SUMMARY:Imported weekly (moved)\r
DTSTART;TZID=Asia/Shanghai:20260519T150000\r
DTEND;TZID=Asia/Shanghai:20260519T160000\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:two@test\r
SUMMARY:Conference\r
DTSTART;VALUE=DATE:20260601\r
DTEND;VALUE=DATE:20260603\r
END:VEVENT\r
END:VCALENDAR\r
"""


def test_import_keeps_recurrence_exceptions_and_all_day(client, login, make_user):
    user = make_user("alice")
    login(client, user)
    page = upload(client, GOOD).get_data(as_text=True)
    assert "2 events imported" in page
    series = CalendarEvent.get(CalendarEvent.subject == "Imported weekly")
    assert series.rrule == "FREQ=WEEKLY;COUNT=4;BYDAY=MO" and series.start == dt.datetime(2026, 5, 4, 1)
    got = [(o.start, o.title) for o in occurrences(user, dt.date(2026, 5, 1), dt.date(2026, 6, 30))]
    assert got == [(dt.datetime(2026, 5, 4, 9), "Imported weekly"), (dt.datetime(2026, 5, 19, 15),
                   "Imported weekly (moved)"), (dt.datetime(2026, 5, 25, 9), "Imported weekly"),
                   (dt.datetime(2026, 6, 1), "Conference")]
    # importing the same file again adds nothing
    assert "0 events imported, 2 skipped" in upload(client, GOOD).get_data(as_text=True)


def test_import_of_a_file_with_bad_dates_imports_nothing(client, login, make_user):
    login(client, make_user("alice"))
    bad = GOOD.replace("DTSTART;VALUE=DATE:20260601", "DTSTART;VALUE=DATE:20261345")
    page = upload(client, bad).get_data(as_text=True)
    assert "Nothing was imported." in page and "Conference" in page and "20261345" in page
    assert CalendarEvent.select().count() == 0
    ends_first = GOOD.replace("DTEND;VALUE=DATE:20260603", "DTEND;VALUE=DATE:20250603")
    assert "ends before it starts" in upload(client, ends_first).get_data(as_text=True)
    assert "not an iCalendar" in upload(client, "hello").get_data(as_text=True)
    assert CalendarEvent.select().count() == 0


def test_export_then_import_round_trips_the_series(client, login, make_user, frozen_clock):
    alice, bob = make_user("alice"), make_user("bob")
    login(client, alice)
    make_event(alice, "Monthly close", start=dt.datetime(2026, 1, 31, 1), rrule="FREQ=MONTHLY;BYMONTHDAY=-1;COUNT=6")
    data = client.get("/calendar/export.ics?view=month&date=2026-01-10").data
    login(client, bob)
    upload(client, data.decode())
    theirs = CalendarEvent.get(CalendarEvent.owner == bob.id)
    assert theirs.rrule == "FREQ=MONTHLY;COUNT=6;BYMONTHDAY=-1"
    assert [o.start for o in occurrences(bob, dt.date(2026, 1, 1), dt.date(2026, 12, 31))] == [
        o.start for o in occurrences(alice, dt.date(2026, 1, 1), dt.date(2026, 12, 31))]


def test_feed_of_a_deactivated_user_is_gone(client, login, make_user):
    from core.models import User
    user = make_user("alice")
    login(client, user)
    url = feed_url(client)
    User.update(active=False).where(User.id == user.id).execute()
    assert client.get(url).status_code == 404


def test_import_refuses_rules_faster_than_daily(client, login, make_user):
    login(client, make_user("alice"))
    page = upload(client, GOOD.replace("RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=4", "RRULE:FREQ=SECONDLY")).get_data(
        as_text=True)
    assert "Nothing was imported." in page and "secondly" in page
    assert CalendarEvent.select().count() == 0


def test_out_of_range_dates_in_the_address_fall_back_to_today(client, login, make_user, frozen_clock):
    login(client, make_user("alice"))
    for value in ("0001-01-01", "9999-12-31", "not-a-date"):
        assert client.get(f"/calendar/?view=month&date={value}").status_code == 200
        assert client.get(f"/calendar/today?date={value}").status_code == 200
