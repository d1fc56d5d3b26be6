"""How near a deadline is (临近截止): the on-page badge beside a campaign about to end ("ends in 2 days") and a
task due soon ("due in 3 hours"), in the reader's language, from the teaching clock (``core.clock``) in the
organisation's zone. Templates call them as globals ``ends_soon`` and ``due_soon``; "" means no badge (not
near, or passed already: overdue has its own marker)."""
import datetime as _dt

from flask_babel import format_timedelta

from core import clock
from core.babel import gettext as _

SOON_DAYS = 7       # an end date (or a task's due date) within this many local days
SOON_HOURS = 24     # a due time within this many hours


def _days_left(day, days):
    left = (day - clock.today()).days if day is not None else -1
    return left if 0 <= left <= days else None


def _in_days(left):
    return format_timedelta(_dt.timedelta(days=left), granularity="day", threshold=SOON_DAYS + 1,
                            add_direction=True)


def ends_soon(end_date, days=SOON_DAYS):
    """"ends today" / "ends in 2 days" for a last day within ``days`` local days from today, else ""."""
    left = _days_left(end_date, days)
    if left is None:
        return ""
    return _("ends today") if left == 0 else _("ends %(when)s", when=_in_days(left))


def due_soon(due, hours=SOON_HOURS, days=SOON_DAYS):
    """"due in 3 hours" for a due time (naive UTC) within ``hours`` from now; "due today" / "due in 2 days"
    for a due date (a local day) within ``days``; else ""."""
    if isinstance(due, _dt.datetime):
        left = due - clock.utcnow()
        if not _dt.timedelta(0) <= left <= _dt.timedelta(hours=hours):
            return ""
        return _("due %(when)s", when=format_timedelta(left, granularity="minute", threshold=2, add_direction=True))
    left = _days_left(due, days)
    if left is None:
        return ""
    return _("due today") if left == 0 else _("due %(when)s", when=_in_days(left))
