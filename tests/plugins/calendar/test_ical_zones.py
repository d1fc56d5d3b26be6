"""iCalendar files as Google Calendar, Outlook and Apple Calendar write them, from another zone (New York),
imported into an organisation in Asia/Shanghai: each series keeps its own zone (Outlook's Windows names
included), its deleted occurrences (EXDATE) and its changed ones (RECURRENCE-ID); the export round-trips.
The reference occurrences come from the ``recurring_ical_events`` package reading the same files."""
import datetime as dt
import io
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events
from dateutil.rrule import rrulestr
from hypothesis import HealthCheck, given, settings, strategies as st

from core.db import db
from plugins.calendar.models import CalendarEvent, CalendarFeed
from plugins.calendar.service import occurrences
from tests.migrations import run_steps

ICS = Path(__file__).parent / "ics"
FILES = ("google.ics", "outlook.ics", "apple.ics")
SH, NY = ZoneInfo("Asia/Shanghai"), ZoneInfo("America/New_York")
FIRST, LAST = dt.date(2026, 3, 1), dt.date(2026, 5, 31)


@pytest.fixture
def owner(client, login, school, frozen_clock):
    frozen_clock(dt.datetime(2026, 3, 1))
    login(client, school["owner"])
    return school["owner"]


def upload(client, data):
    return client.post("/calendar/import", data={"file": (io.BytesIO(data), "calendar.ics")},
                       content_type="multipart/form-data", follow_redirects=True)


def reference(data):
    """(summary, start) of every occurrence in the local days [FIRST, LAST]: UTC for timed, a date for all-day."""
    lo = dt.datetime.combine(FIRST, dt.time(), tzinfo=SH)
    hi = dt.datetime.combine(LAST + dt.timedelta(days=1), dt.time(), tzinfo=SH)
    out = []
    for comp in recurring_ical_events.of(icalendar.Calendar.from_ical(data)).between(lo, hi):
        start = comp.decoded("dtstart")
        if isinstance(start, dt.datetime):
            start = start.astimezone(dt.timezone.utc).replace(tzinfo=None)
        out.append((str(comp["summary"]), start))
    return sorted(out)


def ours(user):
    """The same pairs from the calendar's occurrences (shown in the organisation's zone)."""
    return sorted((o.title, o.start.date() if o.all_day else o.start.replace(tzinfo=SH).astimezone(
        dt.timezone.utc).replace(tzinfo=None)) for o in occurrences(user, FIRST, LAST))


def slot(html, when):
    """The text of the week/day grid's cell for the local hour ``when`` ("2026-03-02T22:00")."""
    match = re.search(r'data-slot="%s".*?</td>' % when, html, re.S)
    return match.group(0) if match else ""


@pytest.mark.parametrize("name", FILES)
def test_imported_file_gives_the_occurrences_its_own_program_would(client, owner, name):
    data = (ICS / name).read_bytes()
    assert "Nothing was imported." not in upload(client, data).get_data(as_text=True)
    assert ours(owner) == reference(data)


@pytest.mark.parametrize("name", FILES)
def test_exported_feed_of_an_imported_file_expands_to_the_same_occurrences(client, owner, name):
    data = (ICS / name).read_bytes()
    upload(client, data)
    client.post("/calendar/subscription/regenerate")
    feed = client.get(f"/calendar/feed/{CalendarFeed.get().token}.ics").data
    assert reference(feed) == reference(data)
    zones = {str(c["dtstart"].params.get("TZID")) for c in icalendar.Calendar.from_ical(feed).walk("VEVENT")
             if isinstance(c.decoded("dtstart"), dt.datetime)}
    assert "America/New_York" in zones  # the series went out in its own zone, with its VTIMEZONE
    assert {str(t["tzid"]) for t in icalendar.Calendar.from_ical(feed).walk("VTIMEZONE")} >= zones


def test_weekly_new_york_meeting_keeps_its_new_york_hour_across_daylight_saving(client, owner, school, login):
    upload(client, (ICS / "google.ics").read_bytes())
    for monday in (dt.date(2026, 3, 2), dt.date(2026, 3, 9), dt.date(2026, 3, 30)):  # DST began on 8 March
        local = dt.datetime.combine(monday, dt.time(9), tzinfo=NY).astimezone(SH)
        html = client.get(f"/calendar/?view=week&date={monday}").get_data(as_text=True)
        assert "NY stand-up" in slot(html, f"{local:%Y-%m-%dT%H}:00"), monday
    assert {dt.datetime.combine(dt.date(2026, 3, 2), dt.time(9), tzinfo=NY).astimezone(SH).hour,
            dt.datetime.combine(dt.date(2026, 3, 9), dt.time(9), tzinfo=NY).astimezone(SH).hour} == {22, 21}
    # the deleted occurrence (EXDATE 16 March) stays deleted, the moved one (23 → 24 March) shows once
    week = client.get("/calendar/?view=week&date=2026-03-16").get_data(as_text=True)
    assert "NY stand-up" not in week
    week = client.get("/calendar/?view=week&date=2026-03-23").get_data(as_text=True)
    assert week.count("title=\"NY stand-up") == 1 and "title=\"NY stand-up (moved)\"" in week
    login(client, school["lead"])  # the superior sees the same times
    html = client.get(f"/calendar/?view=week&date=2026-03-09&who={owner.id}").get_data(as_text=True)
    assert "NY stand-up" in slot(html, "2026-03-09T21:00")
    login(client, school["outsider"])
    assert "NY stand-up" not in client.get("/calendar/?view=week&date=2026-03-09&who=all").get_data(as_text=True)


def test_outlook_windows_zone_names_become_their_iana_zones(client, owner):
    upload(client, (ICS / "outlook.ics").read_bytes())
    series = CalendarEvent.get(CalendarEvent.subject == "NY pipeline call")
    assert series.timezone == "America/New_York"
    assert "in America/New_York time" in client.get(f"/calendar/events/{series.id}").get_data(as_text=True)
    assert CalendarEvent.get(CalendarEvent.subject == "上海客户拜访").timezone == "Asia/Shanghai"
    html = client.get("/calendar/?view=day&date=2026-03-05").get_data(as_text=True)
    assert "上海客户拜访" in slot(html, "2026-03-05T14:00")


def test_an_unchanged_edit_of_an_imported_series_keeps_its_zone_and_rule(client, owner):
    upload(client, (ICS / "apple.ics").read_bytes())
    series = CalendarEvent.get(CalendarEvent.subject == "Evening call with Shanghai")
    before = ours(owner)
    form = client.get(f"/calendar/events/{series.id}/edit").get_data(as_text=True)
    fields = dict(re.findall(r'name="(\w+)"[^>]*?value="([^"]*)"', form))
    data = {k: v for k, v in fields.items() if k in ("csrf_token", "subject", "start_date", "start_time",
                                                   "end_date", "end_time", "interval", "count")}
    data.update(freq="WEEKLY", ends="count", monthly_by="date", byday=["WE"], scope="series")
    assert client.post(f"/calendar/events/{series.id}/edit", data=data).status_code == 302
    assert CalendarEvent.get_by_id(series.id).timezone == "America/New_York"
    assert ours(owner) == before


def test_the_migration_gives_an_older_database_the_zone_column(client, owner):
    run_steps("plugins.calendar.migrations.0002_event_timezone", "down")
    assert "timezone" not in {c.name for c in db.get_columns("calendar_event")}
    run_steps("plugins.calendar.migrations.0002_event_timezone", "up")
    assert "timezone" in {c.name for c in db.get_columns("calendar_event")}
    upload(client, (ICS / "google.ics").read_bytes())
    assert CalendarEvent.get(CalendarEvent.subject == "NY stand-up").timezone == "America/New_York"


WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
ZONES = ("America/New_York", "Europe/London", "Australia/Sydney", "Asia/Kolkata", "America/Sao_Paulo", "UTC")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(zone=st.sampled_from(ZONES), day=st.integers(0, 364), hour=st.integers(0, 23),
       freq=st.sampled_from(("DAILY;INTERVAL=9", "WEEKLY", "WEEKLY;BYDAY={day},{other}", "MONTHLY")),
       count=st.integers(1, 30), deleted=st.sets(st.integers(0, 29), max_size=5),
       moved=st.one_of(st.none(), st.integers(0, 29)))
def test_any_series_from_any_zone_shows_as_its_own_zone_expands_it(client, owner, zone, day, hour, freq, count,
                                                                   deleted, moved):
    """A series in a random zone, with EXDATEs and an override, against recurring_ical_events' reading."""
    CalendarEvent.delete().execute()
    start = dt.datetime(2026, 1, 1, hour) + dt.timedelta(days=day)
    # the start is one of the rule's days, as calendar programs write it (RFC 5545 leaves a start off the
    # rule undefined: dateutil skips it, recurring_ical_events counts it)
    freq = freq.format(day=WEEKDAYS[start.weekday()], other=WEEKDAYS[(start.weekday() + 3) % 7])
    starts = list(rrulestr(f"FREQ={freq};COUNT={count}", dtstart=start))
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//hypothesis//EN", "BEGIN:VEVENT", "UID:series@test",
             "SUMMARY:Series", f"DTSTART;TZID={zone}:{start:%Y%m%dT%H%M%S}",
             f"DTEND;TZID={zone}:{start + dt.timedelta(minutes=90):%Y%m%dT%H%M%S}", f"RRULE:FREQ={freq};COUNT={count}"]
    lines += [f"EXDATE;TZID={zone}:{starts[i]:%Y%m%dT%H%M%S}" for i in sorted(deleted) if i < len(starts)]
    lines.append("END:VEVENT")
    if moved is not None and moved < len(starts) and moved not in deleted:
        lines += ["BEGIN:VEVENT", "UID:series@test", "SUMMARY:Moved", f"RECURRENCE-ID;TZID={zone}:{starts[moved]:%Y%m%dT%H%M%S}",
                  f"DTSTART;TZID={zone}:{starts[moved] + dt.timedelta(hours=5):%Y%m%dT%H%M%S}",
                  f"DTEND;TZID={zone}:{starts[moved] + dt.timedelta(hours=6):%Y%m%dT%H%M%S}", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    data = ("\r\n".join(lines) + "\r\n").encode()
    assert "Nothing was imported." not in upload(client, data).get_data(as_text=True)
    first, last = dt.date(2025, 12, 1), dt.date(2029, 12, 31)
    theirs = sorted((str(c["summary"]), c.decoded("dtstart").astimezone(dt.timezone.utc).replace(tzinfo=None))
                    for c in recurring_ical_events.of(icalendar.Calendar.from_ical(data)).between(
                        dt.datetime(2025, 12, 1, tzinfo=SH), dt.datetime(2030, 1, 1, tzinfo=SH)))
    mine = sorted((o.title, o.start.replace(tzinfo=SH).astimezone(dt.timezone.utc).replace(tzinfo=None))
                  for o in occurrences(owner, first, last))
    assert mine == theirs
