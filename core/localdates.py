"""Stored local dates: a record's datetime as the organisation's calendar date, kept beside it.

A datetime is stored as naive UTC; reports bucket by the local calendar (本月 is the organisation's month).
Converting every row at query time (zone offset, then year and month) dominated the aggregates, so a
record type may declare shadows of a datetime field: :class:`LocalDateField` (``created_on``, a DATE) and
:class:`LocalMonthField` (``created_month``, ``year * 100 + month``) of ``created_at``. They are written on
every save of the record — the record service's and any other (:func:`stamp`) — indexed, and recomputed in
SQL for every table when the organisation's time zone changes (:func:`recompute`, called in the same
transaction as the change). Reports then group by the stored month straight from an index, and by ranges
over the stored date for the other units.

The SQL form of "local date of a naive-UTC column" (:func:`local_expr`) lives here too, because the
recomputation needs it and so do the reports: PostgreSQL with ``AT TIME ZONE``; SQLite and MySQL/MariaDB
add the UTC offset that applied at that instant, chosen by a balanced CASE over the zone's offset changes
(:func:`offset_changes`; MariaDB's ``CONVERT_TZ`` needs time-zone tables most servers do not load, SQLite
has no zones).
"""
import datetime as _dt
import functools
from zoneinfo import ZoneInfo

import peewee
from peewee import SQL, Case, NodeList, Value, fn

from core import clock
from core.db import db, is_mysql, is_postgres

# The years whose offset changes the CASE knows; an instant outside keeps the offset at the nearer edge.
ZONE_YEARS = (1970, 2100)


@functools.lru_cache(maxsize=16)
def offset_changes(zone_key, years=ZONE_YEARS):
    """[(naive UTC instant, UTC offset in seconds from then on)] of a zone over ``years``; the first entry
    is the offset at the start. Found by stepping a day at a time and halving the step to the second."""
    tz = ZoneInfo(zone_key)

    def offset(seconds):
        return int(_dt.datetime.fromtimestamp(seconds, tz).utcoffset().total_seconds())

    def naive_utc(seconds):
        return _dt.datetime(1970, 1, 1) + _dt.timedelta(seconds=seconds)
    day = 86400
    t = int((_dt.datetime(years[0], 1, 1) - _dt.datetime(1970, 1, 1)).total_seconds())
    end = int((_dt.datetime(years[1], 1, 1) - _dt.datetime(1970, 1, 1)).total_seconds())
    changes = [(naive_utc(t), offset(t))]
    while t < end:
        if offset(t + day) != offset(t):
            low, high = t, t + day         # the offset changes after low, at or before high (whole seconds)
            while high - low > 1:
                middle = (low + high) // 2
                low, high = (middle, high) if offset(middle) == offset(low) else (low, middle)
            changes.append((naive_utc(high), offset(high)))
        t += day
    return tuple(changes)


def _offset_at(column, changes):
    """The offset in force at ``column``: a balanced CASE tree (a few comparisons a row, not one per change)."""
    if len(changes) == 1:
        return Value(changes[0][1])
    middle = len(changes) // 2
    return Case(None, [(column < changes[middle][0], _offset_at(column, changes[:middle]))],
                _offset_at(column, changes[middle:]))


def local_expr(column, zone=None):
    """A naive-UTC datetime column as local wall-clock time in ``zone`` (default: the organisation's)."""
    zone = zone or str(clock.org_timezone().key)
    if is_postgres():
        return NodeList((column, SQL("AT TIME ZONE 'UTC' AT TIME ZONE"), Value(zone)), parens=True)
    offset = _offset_at(column, offset_changes(zone))
    if is_mysql():
        return fn.TIMESTAMPADD(SQL("SECOND"), offset, column)
    return fn.datetime(column, offset.concat(" seconds"))


def local_date_expr(column, zone=None):
    """The local calendar date of a naive-UTC datetime column, as a DATE (SQLite: 'YYYY-MM-DD' text)."""
    expr = local_expr(column, zone)
    return expr.cast("date") if is_postgres() else fn.DATE(expr)


def local_month_expr(column, zone=None):
    """The local month of a naive-UTC datetime column as ``year * 100 + month`` (202603)."""
    expr = local_expr(column, zone)
    if is_postgres():
        return (fn.date_part("year", expr) * 100 + fn.date_part("month", expr)).cast("integer")
    if is_mysql():
        return fn.YEAR(expr) * 100 + fn.MONTH(expr)
    return fn.strftime("%Y%m", expr).cast("INTEGER")


class LocalDateField(peewee.DateField):
    """The organisation's calendar date of the datetime field named ``source`` (see the module docstring):
    written on every save, recomputed when the time zone changes; never edited by hand."""

    def __init__(self, source, **kwargs):
        kwargs.setdefault("null", True)
        super().__init__(**kwargs)
        self.source = source

    def local(self, value):
        return clock.to_local(value).date()

    expression = staticmethod(local_date_expr)   # the same in SQL


class LocalMonthField(peewee.IntegerField):
    """The organisation's month (``year * 100 + month``) of the datetime field named ``source``: what the
    per-month reports group by, straight from an index."""

    def __init__(self, source, **kwargs):
        kwargs.setdefault("null", True)
        super().__init__(**kwargs)
        self.source = source

    def local(self, value):
        local = clock.to_local(value)
        return local.year * 100 + local.month

    expression = staticmethod(local_month_expr)


SHADOWS = (LocalDateField, LocalMonthField)


@functools.lru_cache(maxsize=None)
def shadows(model):
    """The model's local date and month fields (a model's fields are fixed once it is defined)."""
    return tuple(f for f in model._meta.sorted_fields if isinstance(f, SHADOWS))


def shadow_of(model, name, kind=LocalDateField):
    """The field of ``kind`` that shadows ``model``'s datetime field ``name``, or None."""
    return next((f for f in shadows(model) if f.source == name and isinstance(f, kind)), None)


def stamp(record):
    """Fill ``record``'s local-date shadows from their datetime fields (``core.models.Record.save`` calls
    this, so the record service's writes and every other save keep them)."""
    for field in shadows(type(record)):
        value = getattr(record, field.source)
        setattr(record, field.name, field.local(value) if value is not None else None)


def fill(table, pairs, zone):
    """``UPDATE table SET shadow = local date (or month) of source`` in ``zone`` for each (shadow, source,
    LocalDateField or LocalMonthField) — in SQL, one statement (migrations call it with their frozen table
    and column names)."""
    t = peewee.Table(table)
    db.execute(t.update({peewee.Column(t, shadow): kind.expression(peewee.Column(t, source), zone)
                         for shadow, source, kind in pairs}))


def recompute(models, zone):
    """Set every shadow of ``models`` from its datetime in ``zone`` (call inside the transaction that changes
    the organisation's zone, so that no report sees a mix of the two zones)."""
    for model in models:
        pairs = [(f.column_name, model._meta.fields[f.source].column_name, type(f)) for f in shadows(model)]
        if pairs:
            fill(model._meta.table_name, pairs, zone)
