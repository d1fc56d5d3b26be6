"""The one source of "now" (时钟).

All code asks this module for the time. An instructor may shift the organisation's "today" for a lab
(an offset stored in the organisation profile); tests freeze it with :func:`freeze`.
Business dates (created, closed, due) follow the shifted clock (:func:`utcnow`); what must not bend to a
lab's story (lock-outs, sessions, audit timestamps, scheduled snapshots) uses :func:`real_utcnow`.
Times are naive UTC datetimes in the database; :func:`local_now` and :func:`today` are in the
organisation's time zone.
"""
import datetime as _dt
import threading
from zoneinfo import ZoneInfo

_state = threading.local()
_frozen = {"at": None}
_offset = {"delta": _dt.timedelta(0)}
_zone = {"source": None}


def utcnow():
    """Current time as a naive UTC datetime (how times are stored)."""
    if _frozen["at"] is not None:  # a frozen clock stands in for real time; the teaching shift still applies
        return _frozen["at"] + _offset["delta"]
    return _dt.datetime.now(_dt.timezone.utc).replace(tzinfo=None) + _offset["delta"]


now = utcnow


def real_utcnow():
    """Real time, never shifted by the teaching clock (naive UTC): for lock-outs, sessions, audit
    timestamps and scheduled snapshots. A frozen clock (tests) still stands in for it."""
    if _frozen["at"] is not None:
        return _frozen["at"]
    return _dt.datetime.now(_dt.timezone.utc).replace(tzinfo=None)


def set_offset(delta):
    """Shift the clock by ``delta`` (the teaching clock); ``timedelta(0)`` returns to real time."""
    _offset["delta"] = delta or _dt.timedelta(0)


def offset():
    return _offset["delta"]


def freeze(at):
    """Freeze the clock at a naive UTC datetime (tests); ``None`` unfreezes."""
    if at is not None and at.tzinfo is not None:
        at = at.astimezone(_dt.timezone.utc).replace(tzinfo=None)
    _frozen["at"] = at


def set_timezone_source(source):
    """Where the organisation's time zone comes from: a function returning a zone name (``core.models``
    registers the organisation profile's, so the clock needs no import of the models)."""
    _zone["source"] = source


def org_timezone():
    try:
        return ZoneInfo((_zone["source"] and _zone["source"]()) or "UTC")
    except Exception:  # an unknown zone name falls back to UTC rather than break every page
        return ZoneInfo("UTC")


def to_local(value, tz=None):
    """A stored naive UTC datetime in the organisation's time zone."""
    if value is None:
        return None
    tz = tz or org_timezone()
    return value.replace(tzinfo=_dt.timezone.utc).astimezone(tz)


def to_utc(value, tz=None):
    """A naive local datetime (as typed in a form) to naive UTC for storage."""
    if value is None:
        return None
    tz = tz or org_timezone()
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    return value.astimezone(_dt.timezone.utc).replace(tzinfo=None)


def local_now(tz=None):
    return to_local(utcnow(), tz)


def today(tz=None):
    """Today's date in the organisation's time zone."""
    return local_now(tz).date()
