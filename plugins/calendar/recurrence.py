"""Recurrence rules (重复规则): build, read back and expand RFC 5545 RRULE strings with python-dateutil.

A rule is expanded in the *local* time of the series' zone (its own, or the organisation's: a weekly 09:00
meeting stays at 09:00 across a daylight-saving change); ``UNTIL`` is stored as a naive ``YYYYMMDDT235959``
in that zone (the whole last day).

Month ends and leap days follow RFC 5545 (as every calendar client reading our feed does): "monthly on
the 31st" skips months without a 31st and "yearly on 29 February" happens only in leap years. Choose
"on the last day of the month" for every month's end.
"""
import datetime as _dt
from dataclasses import dataclass, field

from dateutil import rrule as _rr
from flask_babel import format_date

from core.babel import gettext as _, lazy_gettext as _l

FREQS = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
WEEKDAY_LABELS = (_l("Mon"), _l("Tue"), _l("Wed"), _l("Thu"), _l("Fri"), _l("Sat"), _l("Sun"))
MAX_OCCURRENCES = 1000  # a runaway rule (every day, forever) is cut off in any one window


class RecurrenceError(ValueError):
    """A rule that cannot be used; the message is for the user."""


@dataclass
class RuleParts:
    """The recurrence fields of the event form."""
    freq: str = ""                              # "" (no repeat) | DAILY | WEEKLY | MONTHLY | YEARLY
    interval: int = 1
    byday: list = field(default_factory=list)   # WEEKLY: ["MO", "WE"]
    monthly_by: str = "date"                    # date | weekday | last_day
    ends: str = "never"                         # never | until | count
    until: _dt.date = None
    count: int = None


def week_of_month(day):
    """1..4 for the n-th weekday of its month, -1 for the last one (so "the 5th Friday" never vanishes)."""
    n = (day.day - 1) // 7 + 1
    return -1 if n == 5 else n


def build(parts, start_local):
    """The RRULE string for ``parts`` of an event starting at ``start_local`` (naive local datetime)."""
    if not parts.freq:
        return ""
    if parts.freq not in FREQS:
        raise RecurrenceError(_("Unknown repeat frequency."))
    interval = int(parts.interval or 1)
    if interval < 1 or interval > 99:
        raise RecurrenceError(_("Repeat every 1 to 99 periods."))
    bits = [f"FREQ={parts.freq}"]
    if interval > 1:
        bits.append(f"INTERVAL={interval}")
    if parts.freq == "WEEKLY":
        days = [d for d in WEEKDAYS if d in (parts.byday or [])] or [WEEKDAYS[start_local.weekday()]]
        bits.append("BYDAY=" + ",".join(days))
    elif parts.freq == "MONTHLY":
        if parts.monthly_by == "weekday":
            bits.append(f"BYDAY={week_of_month(start_local.date())}{WEEKDAYS[start_local.weekday()]}")
        elif parts.monthly_by == "last_day":
            bits.append("BYMONTHDAY=-1")
        else:
            bits.append(f"BYMONTHDAY={start_local.day}")
    if parts.ends == "until":
        if not parts.until:
            raise RecurrenceError(_("Give the date the repetition ends."))
        if parts.until < start_local.date():
            raise RecurrenceError(_("The repetition cannot end before the event starts."))
        bits.append(f"UNTIL={parts.until:%Y%m%d}T235959")
    elif parts.ends == "count":
        if not parts.count or int(parts.count) < 1 or int(parts.count) > MAX_OCCURRENCES:
            raise RecurrenceError(_("Give a number of times between 1 and %(max)d.", max=MAX_OCCURRENCES))
        bits.append(f"COUNT={int(parts.count)}")
    return ";".join(bits)


def _split(rule):
    out = {}
    for bit in (rule or "").upper().split(";"):
        if "=" in bit:
            key, value = bit.split("=", 1)
            out[key.strip()] = value.strip()
    return out


def parse(rule):
    """The form fields for a stored rule (the reverse of :func:`build`)."""
    bits = _split(rule)
    parts = RuleParts(freq=bits.get("FREQ", ""), interval=int(bits.get("INTERVAL", 1) or 1))
    if "BYDAY" in bits and parts.freq == "WEEKLY":
        parts.byday = [d[-2:] for d in bits["BYDAY"].split(",")]
    if parts.freq == "MONTHLY":
        if bits.get("BYMONTHDAY") == "-1":
            parts.monthly_by = "last_day"
        elif "BYDAY" in bits:
            parts.monthly_by = "weekday"
    if "UNTIL" in bits:
        parts.ends = "until"
        parts.until = _dt.datetime.strptime(bits["UNTIL"][:8], "%Y%m%d").date()
    elif "COUNT" in bits:
        parts.ends, parts.count = "count", int(bits["COUNT"])
    return parts


def rule_set(rule, dtstart):
    """A dateutil rule for ``rule`` starting at the naive local ``dtstart``; RecurrenceError if unusable."""
    try:
        return _rr.rrulestr(rule, dtstart=dtstart, ignoretz=True)
    except (ValueError, TypeError) as exc:
        raise RecurrenceError(_("The repeat rule %(rule)s cannot be read: %(error)s", rule=rule, error=exc))


def expand(rule, dtstart, duration, window_start, window_end):
    """Starts (naive local) of the occurrences that overlap [window_start, window_end)."""
    starts = []
    for occ in rule_set(rule, dtstart).xafter(window_start - duration, inc=True):
        if occ >= window_end or len(starts) >= MAX_OCCURRENCES:
            break
        if occ + duration > window_start or (duration == _dt.timedelta(0) and occ >= window_start):
            starts.append(occ)
    return starts


def describe(rule, start_local):
    """A sentence for people: "Every 2 weeks on Mon, Wed, until 30 Jun 2026"."""
    if not rule:
        return ""
    parts = parse(rule)
    n = parts.interval
    text = {
        "DAILY": _("Every day") if n == 1 else _("Every %(n)d days", n=n),
        "WEEKLY": _("Every week") if n == 1 else _("Every %(n)d weeks", n=n),
        "MONTHLY": _("Every month") if n == 1 else _("Every %(n)d months", n=n),
        "YEARLY": _("Every year") if n == 1 else _("Every %(n)d years", n=n),
    }.get(parts.freq, rule)
    if parts.freq == "WEEKLY" and parts.byday:
        text += " " + _("on %(days)s", days=", ".join(str(WEEKDAY_LABELS[WEEKDAYS.index(d)])
                                                      for d in parts.byday if d in WEEKDAYS))
    elif parts.freq == "MONTHLY":
        if parts.monthly_by == "last_day":
            text += " " + _("on the last day")
        elif parts.monthly_by == "weekday":
            text += " " + _("on the same weekday of the month")
        else:
            text += " " + _("on day %(day)d", day=start_local.day)
    if parts.ends == "until":
        text += ", " + _("until %(date)s", date=format_date(parts.until, "medium"))
    elif parts.ends == "count":
        text += ", " + _("%(count)d times", count=parts.count)
    return text
