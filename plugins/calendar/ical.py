"""iCalendar (RFC 5545) in and out with the ``icalendar`` library: the subscription feed, view export and
file import. Recurrence travels as RRULE (+ EXDATE for deleted occurrences, RECURRENCE-ID for edited ones).

Timed events are written with their series' TZID (its own zone, else the organisation's; with the VTIMEZONE)
so clients expand weekly rules on the right local weekday and hour; all-day events are VALUE=DATE. An
imported event keeps its TZID as an IANA zone — Outlook's Windows names ("China Standard Time") included —
so a New York series stays at its New York hour across daylight saving.
"""
import datetime as _dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import icalendar
from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

from core import clock
from core.babel import gettext as _
from core.db import db
from core.records import service as records
from plugins.calendar import recurrence
from plugins.calendar.models import CalendarEvent
from plugins.calendar.service import EVENT, is_masked, new_uid, zone_of

PRODID = "-//Zhixin CRM//Calendar//ZH"
PRIORITY_OUT = {"high": 1, "normal": 5, "low": 9}
STATUS_OUT = {"not_started": "NEEDS-ACTION", "in_progress": "IN-PROCESS", "waiting": "NEEDS-ACTION",
              "completed": "COMPLETED", "deferred": "CANCELLED"}
MAX_IMPORT_BYTES = 2 * 1024 * 1024


class ImportProblem(ValueError):
    """An .ics file we refuse as a whole; the message names the event and the problem."""


def _uid(row, kind):
    return row.uid or f"zhixin-{kind}-{row.id}@zhixin"


def _when(value, all_day, tz):
    """A stored value as an iCalendar value: a date (all-day) or an aware local datetime."""
    if all_day:
        return value.date()
    return clock.to_local(value, tz)


def _rule_out(rule, all_day, tz):
    """Our rule with its local UNTIL as UTC (RFC 5545 wants UTC when DTSTART has a TZID, a date when
    DTSTART is a date)."""
    bits = []
    for bit in rule.split(";"):
        if bit.startswith("UNTIL="):
            local = _dt.datetime.strptime(bit[6:14], "%Y%m%d")
            if all_day:
                bit = f"UNTIL={local:%Y%m%d}"
            else:
                local = local.replace(hour=23, minute=59, second=59)
                bit = "UNTIL=" + clock.to_utc(local, tz).strftime("%Y%m%dT%H%M%SZ")
        bits.append(bit)
    return icalendar.vRecur.from_ical(";".join(bits))


def _event_component(event, user, exdates=()):
    masked = is_masked(event, user)
    comp = icalendar.Event()
    master = event.series if event.series_id else event
    tz = zone_of(master)
    # an imported UID may carry words of its own: a busy slot gets an opaque one
    comp.add("uid", f"zhixin-busy-{master.id}@zhixin" if masked else _uid(master, "event"))
    comp.add("dtstamp", (event.modified_at or clock.utcnow()).replace(tzinfo=_dt.timezone.utc))
    comp.add("summary", _("Busy") if masked else event.subject)
    comp.add("dtstart", _when(event.start, event.all_day, tz))
    comp.add("dtend", _when(event.end, event.all_day, tz))
    if event.private:
        comp.add("class", "PRIVATE")
    if not masked:
        if event.location:
            comp.add("location", event.location)
        if event.description:
            comp.add("description", event.description)
    if event.series_id and event.recurrence_id:
        comp.add("recurrence-id", _when(event.recurrence_id, event.all_day, tz))
    elif event.rrule:
        comp.add("rrule", _rule_out(event.rrule, event.all_day, tz))
        if exdates:
            comp.add("exdate", [_when(x, event.all_day, tz) for x in exdates])
    if event.reminder_minutes is not None and not masked:
        alarm = icalendar.Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", event.subject)
        alarm.add("trigger", _dt.timedelta(minutes=-event.reminder_minutes))
        comp.add_component(alarm)
    return comp


def _task_component(task):
    comp = icalendar.Todo()
    comp.add("uid", _uid(task, "task"))
    comp.add("dtstamp", (task.modified_at or clock.utcnow()).replace(tzinfo=_dt.timezone.utc))
    comp.add("summary", task.subject)
    if task.due_time:
        comp.add("due", _dt.datetime.combine(task.due_date, task.due_time, tzinfo=clock.org_timezone()))
    else:
        comp.add("due", task.due_date)
    comp.add("priority", PRIORITY_OUT.get(task.priority, 5))
    comp.add("status", STATUS_OUT.get(task.status, "NEEDS-ACTION"))
    if task.completed_at:
        comp.add("completed", task.completed_at.replace(tzinfo=_dt.timezone.utc))
    if task.description:
        comp.add("description", task.description)
    return comp


def build(events, tasks, user, name):
    """A VCALENDAR of the given series/single events (their exceptions follow them) and tasks."""
    tz = clock.org_timezone()
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", str(tz.key))
    events = list(events)
    series_ids = [e.id for e in events if e.recurring]
    exceptions = {}
    if series_ids:
        for ex in CalendarEvent.select().where(CalendarEvent.series.in_(series_ids)):
            exceptions.setdefault(ex.series_id, []).append(ex)
    for event in events:
        own = exceptions.get(event.id, [])
        cal.add_component(_event_component(event, user, [x.recurrence_id for x in own if x.cancelled]))
        for ex in own:
            if not ex.cancelled:
                ex.series = event
                cal.add_component(_event_component(ex, user))
    for task in tasks:
        cal.add_component(_task_component(task))
    if any(not e.all_day for e in events):
        cal.add_missing_timezones()
    return cal.to_ical()


# --- import --------------------------------------------------------------------------------------

def _decoded(comp, name, label):
    """A date or datetime property, refusing what the parser could not read."""
    value = comp.get(name)
    if value is None:
        return None
    broken = [e for e in getattr(comp, "errors", []) if e[0] == name]
    if broken or isinstance(value, icalendar.prop.vBroken):
        raise ImportProblem(_("Event \"%(event)s\": the %(field)s date cannot be read (%(value)s).",
                              event=label, field=name, value=str(value)[:40]))
    decoded = comp.decoded(name)
    if isinstance(decoded, list):
        decoded = decoded[0]
    if not isinstance(decoded, (_dt.date, _dt.datetime)):
        raise ImportProblem(_("Event \"%(event)s\": the %(field)s date cannot be read (%(value)s).",
                              event=label, field=name, value=str(value)[:40]))
    return decoded


def _zone_name(tzid):
    """The IANA name for a TZID as calendar programs write it — Olson ("America/New_York"), Windows ("Eastern
    Standard Time", Outlook) or globally unique ("/example.org/Europe/Berlin") — or "" if unknown here."""
    tzid = str(tzid or "").strip().strip('"')
    for name in filter(None, (tzid, WINDOWS_TO_OLSON.get(tzid), "/".join(tzid.split("/")[-2:]))):
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            continue
        return name
    return ""


def _event_zone(comp, start, calendar_zone):
    """The zone a timed event repeats in: its DTSTART's TZID; for a UTC or floating start the calendar's
    X-WR-TIMEZONE (as Google writes it), else UTC for a UTC start, "" (the organisation's) for a floating one.
    An unknown TZID gives "": its VTIMEZONE still places the instants, the rule repeats in our zone."""
    tzid = comp["dtstart"].params.get("TZID")
    if tzid:
        return _zone_name(tzid)
    return calendar_zone or ("UTC" if start.tzinfo is not None else "")


def _to_stored(value, all_day, tz):
    if all_day:
        return _dt.datetime.combine(value, _dt.time())
    if value.tzinfo is None:  # floating local time
        return clock.to_utc(value, tz)
    return value.astimezone(_dt.timezone.utc).replace(tzinfo=None)


def _rule_in(comp, dtstart, all_day, tz, label):
    rule = comp.get("rrule")
    if rule is None:
        return ""
    if isinstance(rule, list):
        rule = rule[0]
    text = rule.to_ical().decode()
    bits = []
    for bit in text.split(";"):
        if bit.startswith("UNTIL="):
            value = bit[6:]
            try:
                if "T" in value:
                    until = _dt.datetime.strptime(value[:15], "%Y%m%dT%H%M%S")
                    if value.endswith("Z"):
                        until = clock.to_local(until, tz).replace(tzinfo=None)
                else:
                    until = _dt.datetime.strptime(value[:8], "%Y%m%d")
            except ValueError:
                raise ImportProblem(_("Event \"%(event)s\": the repeat end date cannot be read (%(value)s).",
                                      event=label, value=value))
            bit = f"UNTIL={until:%Y%m%d}T235959"  # stored form: the whole last local day
        bits.append(bit)
    text = ";".join(bits)
    freq = dict(b.split("=", 1) for b in bits if "=" in b).get("FREQ", "")
    if freq not in recurrence.FREQS:  # hourly or faster rules are not a calendar's business here
        raise ImportProblem(_("Event \"%(event)s\" repeats %(freq)s, which is not supported (daily, weekly, "
                              "monthly or yearly only).", event=label, freq=freq.lower() or "?"))
    try:
        recurrence.rule_set(text, _dt.datetime.combine(dtstart, _dt.time()) if all_day else dtstart)
    except recurrence.RecurrenceError as exc:
        raise ImportProblem(_("Event \"%(event)s\": %(error)s", event=label, error=exc))
    return text


def parse(data):
    """Read an .ics file into event dicts; any problem raises ImportProblem and nothing is kept."""
    if len(data) > MAX_IMPORT_BYTES:
        raise ImportProblem(_("The file is larger than 2 MB."))
    try:
        cal = icalendar.Calendar.from_ical(data)
    except (ValueError, IndexError, KeyError) as exc:
        raise ImportProblem(_("This is not an iCalendar (.ics) file: %(error)s", error=exc))
    calendar_zone = _zone_name(cal.get("x-wr-timezone"))
    out = []
    for n, comp in enumerate(cal.walk("VEVENT"), 1):
        label = str(comp.get("summary") or _("number %(n)d", n=n))
        start = _decoded(comp, "dtstart", label)
        if start is None:
            raise ImportProblem(_("Event \"%(event)s\" has no start (DTSTART).", event=label))
        all_day = not isinstance(start, _dt.datetime)
        zone = "" if all_day else _event_zone(comp, start, calendar_zone)
        tz = ZoneInfo(zone) if zone else clock.org_timezone()
        end = _decoded(comp, "dtend", label)
        if end is None and comp.get("duration") is not None:
            end = start + comp.decoded("duration")
        if end is None:
            end = start + (_dt.timedelta(days=1) if all_day else _dt.timedelta(0))
        if isinstance(end, _dt.datetime) != (not all_day):
            raise ImportProblem(_("Event \"%(event)s\": start and end mix a date and a time.", event=label))
        s, e = _to_stored(start, all_day, tz), _to_stored(end, all_day, tz)
        if e < s:
            raise ImportProblem(_("Event \"%(event)s\" ends before it starts.", event=label))
        local_start = s if all_day else clock.to_local(s, tz).replace(tzinfo=None)
        rid = _decoded(comp, "recurrence-id", label)
        exdates = []
        for ex in (comp.get("exdate") if isinstance(comp.get("exdate"), list) else
                   [comp.get("exdate")] if comp.get("exdate") is not None else []):
            for d in ex.dts:
                exdates.append(_to_stored(d.dt, all_day, tz))
        alarm = next((a for a in comp.walk("VALARM")), None)
        reminder = None
        if alarm is not None and isinstance(alarm.decoded("trigger", None), _dt.timedelta):
            reminder = max(0, int(-alarm.decoded("trigger").total_seconds() // 60))
        out.append(dict(
            uid=str(comp.get("uid") or new_uid())[:191], subject=label[:200], start=s, end=e, all_day=all_day,
            location=str(comp.get("location") or "")[:200], description=str(comp.get("description") or ""),
            private=str(comp.get("class") or "").upper() in ("PRIVATE", "CONFIDENTIAL"),
            rrule=_rule_in(comp, local_start, all_day, tz, label) if rid is None else "",
            recurrence_id=_to_stored(rid, all_day, tz) if rid is not None else None,
            exdates=exdates, reminder_minutes=reminder, timezone=zone))
    if not out:
        raise ImportProblem(_("The file holds no events."))
    return out


def import_events(data, user):
    """Import every event of ``data`` into ``user``'s calendar in one transaction; returns (created, skipped)."""
    parsed = parse(data)
    created = skipped = 0
    with db.atomic():
        by_uid = {}
        for item in sorted(parsed, key=lambda i: i["recurrence_id"] is not None):
            exdates = item.pop("exdates")
            rid = item["recurrence_id"]
            if rid is None:
                exists = CalendarEvent.select().where((CalendarEvent.owner == user.id)
                                                      & (CalendarEvent.uid == item["uid"])
                                                      & CalendarEvent.series.is_null()).exists()
                if exists:
                    skipped += 1
                    continue
                event = CalendarEvent(owner=user.id, **item)
                records.save(EVENT, event, user)
                by_uid[item["uid"]] = event
                for x in exdates:
                    records.save(EVENT, CalendarEvent(
                        owner=user.id, subject=event.subject, start=x, end=x + (event.end - event.start),
                        all_day=event.all_day, series=event.id, recurrence_id=x, cancelled=True, uid=event.uid), user)
                created += 1
            elif item["uid"] in by_uid:
                series = by_uid[item["uid"]]
                records.save(EVENT, CalendarEvent(owner=user.id, series=series.id, **item), user)
            # a changed occurrence whose series was skipped (or is not in the file) goes with it
    return created, skipped


__all__ = ["ImportProblem", "build", "import_events", "parse"]
