"""Date bucketing in SQL on all three backends, and the periods the reports speak of (本月, 本财季 …).

:func:`bucket` turns a date or datetime column into a GROUP BY key:

* ``day`` and ``week`` (Monday the week starts on) give a date;
* ``month`` gives ``year * 100 + month`` (202603);
* ``quarter`` gives ``fiscal_year * 10 + fiscal_quarter`` (20261) — quarters follow the fiscal year;
* ``fiscal_year`` gives the calendar year the fiscal year starts in.

Numeric keys keep the SQL the same on every backend; :func:`describe` turns a key back into a label and the
local date range it covers, which the drill-down uses.

No per-row conversion: :func:`bucket` looks each stored value up in the buckets of a window around today
(:func:`segments`: for a datetime column the naive-UTC instants where the organisation's local wall clock
crosses a bucket boundary or its offset changes, exact with daylight saving; for a date column the local
dates) with a balanced CASE — a few comparisons of the stored value against bound constants, the range join
against a small calendar evaluated as a binary search, with no join for the planner to get wrong and no
table to keep. The window is computed per organisation zone, fiscal start and day, so changing either
applies at once (stored per-row columns would need recomputing). Outside the window, and for NULL, the
reference :func:`per_row_bucket` applies: a datetime column is first moved into the organisation's time zone
on every backend — PostgreSQL with ``AT TIME ZONE``; SQLite and MySQL/MariaDB add the UTC offset that applied
at that instant, chosen by a CASE over the zone's offset changes (:func:`offset_changes`; MariaDB's
``CONVERT_TZ`` needs time-zone tables most servers do not load, SQLite has no zones) — then year and month are
extracted. Aggregation stays in SQL.
"""
import datetime as _dt
import functools

from peewee import SQL, Case, ColumnBase, NodeList, Value, fn

from core import clock, fiscal
from core.db import db, is_mysql, is_postgres, is_sqlite
from core.localdates import local_expr, offset_changes  # noqa: F401  (offset_changes: re-exported)

UNITS = ("day", "week", "month", "quarter", "fiscal_year")


def _year_month(expr):
    if is_sqlite():
        return (fn.strftime("%Y", expr).cast("INTEGER"), fn.strftime("%m", expr).cast("INTEGER"))
    if is_mysql():
        return fn.YEAR(expr), fn.MONTH(expr)
    return fn.date_part("year", expr).cast("integer"), fn.date_part("month", expr).cast("integer")


def _div(a, b):
    """Integer division (all operands positive here)."""
    if is_mysql():
        return NodeList((a, SQL("DIV"), Value(b)), parens=True)
    return NodeList((a, SQL("/"), Value(b)), parens=True)


def per_row_bucket(column, unit, is_datetime=False, fiscal_month=None):
    """The key of ``column`` for ``unit`` converted row by row (zone offset, then year and month): the
    reference :func:`bucket` agrees with, and its fallback outside the window it knows."""
    if unit not in UNITS:
        raise ValueError(f"unknown date unit {unit!r}")
    expr = local_expr(column) if is_datetime else column
    if unit == "day":
        return fn.date(expr) if (is_sqlite() or is_mysql()) else expr.cast("date")
    if unit == "week":
        if is_sqlite():
            return fn.date(expr, "-6 days", "weekday 1")
        if is_mysql():
            return fn.SUBDATE(fn.DATE(expr), fn.WEEKDAY(expr))
        return fn.date_trunc("week", expr).cast("date")
    year, month = _year_month(expr)
    if unit == "month":
        return year * 100 + month
    start = fiscal_month or fiscal.start_month()
    index = NodeList((year * 12 + month - start,), parens=True)   # months since year 0 of the fiscal calendar
    fiscal_year = _div(index, 12)
    if unit == "fiscal_year":
        return fiscal_year
    fiscal_quarter = _div(NodeList((index, SQL("-"), fiscal_year, SQL("* 12")), parens=True), 3)
    return NodeList((fiscal_year, SQL("* 10 +"), fiscal_quarter, SQL("+ 1")), parens=True)


# --- buckets as ranges: no per-row conversion -----------------------------------------------------------

# How far around today the ranges reach (years back, years ahead); a value outside, or NULL, takes the
# per-row expression, so the window only decides what is fast, never what is right.
WINDOW = {"day": (3, 1), "week": (3, 1), "month": (10, 6), "quarter": (10, 6), "fiscal_year": (10, 6)}


def _key_of(local, unit, start_month):
    """Python's twin of :func:`per_row_bucket` for one local wall-clock date or datetime."""
    day = local.date() if isinstance(local, _dt.datetime) else local
    if unit == "day":
        return day
    if unit == "week":
        return day - _dt.timedelta(days=day.weekday())
    if unit == "month":
        return day.year * 100 + day.month
    index = day.year * 12 + day.month - start_month
    fiscal_year = index // 12
    if unit == "fiscal_year":
        return fiscal_year
    return fiscal_year * 10 + (index - fiscal_year * 12) // 3 + 1


def _local_boundaries(unit, first, last):
    """Local dates around [first, last] on which a bucket of ``unit`` may start (a few days or a month
    beyond each end, so a window cut anywhere inside has every key change)."""
    if unit in ("day", "week"):
        day, out = first - _dt.timedelta(days=3), []
        while day <= last + _dt.timedelta(days=3):
            out.append(day)
            day += _dt.timedelta(days=1)
        return out
    day, out = fiscal.add_months(first.replace(day=1), -1), []
    while day <= fiscal.add_months(last, 1):
        out.append(day)
        day = fiscal.add_months(day, 1)
    return out


@functools.lru_cache(maxsize=64)
def segments(unit, is_datetime, zone_key, start_month, today):
    """((first stored value, key) …), end: from each first value up to the next one (the last: up to
    ``end``) the column has that key. A datetime's breakpoints are the UTC instants where the local wall
    clock crosses a boundary or the zone's offset changes; each piece's key is computed from its own first
    instant, so a fall-back hour that crosses a boundary gets the keys the per-row expression gives it,
    in the order it gives them (the keys need not rise)."""
    back, ahead = WINDOW[unit]
    first, last = _dt.date(today.year - back, 1, 1), _dt.date(today.year + ahead, 1, 1)
    boundaries = _local_boundaries(unit, first, last)
    if not is_datetime:
        cuts = [(day, day) for day in boundaries[:-1]]
        end = boundaries[-1]
    else:
        lo = _dt.datetime.combine(first, _dt.time()) - _dt.timedelta(days=1)
        end = _dt.datetime.combine(last, _dt.time()) + _dt.timedelta(days=1)
        changes = offset_changes(zone_key)
        cuts = set()
        for i, (at, offset) in enumerate(changes):
            until = changes[i + 1][0] if i + 1 < len(changes) else _dt.datetime.max
            if until <= lo or at >= end:
                continue
            start, stop, offset = max(at, lo), min(until, end), _dt.timedelta(seconds=offset)
            cuts.add((start, start + offset))
            for day in boundaries:
                t = _dt.datetime.combine(day, _dt.time()) - offset
                if start < t < stop:
                    cuts.add((t, t + offset))
        cuts = sorted(cuts)
    pieces = []
    for value, local in cuts:
        key = _key_of(local, unit, start_month)
        if not pieces or pieces[-1][1] != key:
            pieces.append((value, key))
    return tuple(pieces), end


def _tree(column, pieces):
    """A balanced CASE over the sorted ``pieces``: a few comparisons a row, no conversion."""
    if len(pieces) == 1:
        return Value(pieces[0][1])
    middle = len(pieces) // 2
    return Case(None, [(column < pieces[middle][0], _tree(column, pieces[:middle]))], _tree(column, pieces[middle:]))


def bucket(column, unit, is_datetime=False, fiscal_month=None):
    """The GROUP BY key expression of ``column`` for ``unit`` (see the module docstring): the value's
    range looked up in the buckets of a window around today (computed in Python from the organisation's
    zone and fiscal start, so a change of either applies at once), a few comparisons a row; outside the
    window, and for NULL (the window test is not true for NULL), the per-row expression."""
    if unit not in UNITS:
        raise ValueError(f"unknown date unit {unit!r}")
    start = fiscal_month or fiscal.start_month()
    zone = str(clock.org_timezone().key) if is_datetime else "UTC"
    return _Bucket(column, _compiled(unit, bool(is_datetime), zone, start, clock.today(), _dialect()))


class _Bucket(ColumnBase):
    """A compiled bucket expression with ``column`` put back where it goes: the column is compiled once in
    the query's own context (its table alias) and its text repeated, instead of a few hundred nodes."""

    def __init__(self, column, parts):
        super().__init__()
        self.column, self.parts = column, parts

    def __sql__(self, ctx):
        mark, values = len(ctx._sql), len(ctx._values)
        ctx.sql(self.column)
        if len(ctx._values) != values:
            raise ValueError("a date bucket needs a plain column, not an expression with parameters")
        column = "".join(ctx._sql[mark:])
        del ctx._sql[mark:]
        ctx.literal("(")
        for i, (text, params) in enumerate(self.parts):
            if i:
                ctx.literal(column)
            ctx.literal(text)
            for param in params:
                ctx.value(param, False, add_param=False)
        return ctx.literal(")")


def _dialect():
    return "postgres" if is_postgres() else ("mysql" if is_mysql() else "sqlite")


class _Placeholder(ColumnBase):
    """Where the column goes in a compiled bucket expression."""

    def __sql__(self, ctx):
        return ctx.literal(_MARK)


_MARK = "\x00column\x00"


@functools.lru_cache(maxsize=64)
def _compiled(unit, is_datetime, zone, start, today, dialect):
    """The bucket expression compiled once (with Peewee, the tree of a few hundred comparisons cost more
    than the salesperson's whole query), as SQL texts with their parameters, split where the column goes."""
    column = _Placeholder()
    pieces, end = segments(unit, is_datetime, zone, start, today)
    inside = (column >= pieces[0][0]) & (column < end)
    expr = Case(None, [(inside, _tree(column, pieces))], per_row_bucket(column, unit, is_datetime, start))
    sql, params = db.get_sql_context().sql(expr).query()
    mark = db.param
    out, params = [], list(params)
    for text in sql.split(_MARK):
        n = text.count(mark)
        out.append((text, tuple(params[:n])))
        params = params[n:]
    return tuple(out)


def _as_date(value):
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    return _dt.date.fromisoformat(str(value)[:10])


def describe(unit, key, fiscal_month=None):
    """(label, first local date, first local date after) of a bucket key; (label, None, None) for NULL."""
    from core.babel import gettext as _
    if key is None:
        return _("(none)"), None, None
    if unit == "day":
        day = _as_date(key)
        return day.isoformat(), day, day + _dt.timedelta(days=1)
    if unit == "week":
        day = _as_date(key)
        return day.isoformat(), day, day + _dt.timedelta(days=7)
    key = int(key)
    if unit == "month":
        start = _dt.date(key // 100, key % 100, 1)
        return f"{start.year}-{start.month:02d}", start, fiscal.add_months(start, 1)
    start_month = fiscal_month or fiscal.start_month()
    if unit == "fiscal_year":
        year = fiscal.FiscalYear(key, start_month)
        return year.label, year.start, year.after
    fiscal_year, number = divmod(key, 10)
    quarter = fiscal.Quarter(fiscal_year, number, start_month)
    return quarter.label, quarter.start, quarter.after


# --- periods ("this fiscal quarter") ---------------------------------------------------------------------

def period(name, today=None, fiscal_month=None):
    """(first day, first day after) of a relative period name, or None when the name is unknown."""
    today = today or clock.today()
    start_month = fiscal_month or fiscal.start_month()
    one = _dt.timedelta(days=1)
    monday = today - _dt.timedelta(days=today.weekday())
    month = fiscal.month_of(today, start_month)
    quarter = fiscal.quarter_of(today, start_month)
    year = fiscal.year_of(today, start_month)
    table = {
        "today": (today, today + one),
        "yesterday": (today - one, today),
        "this_week": (monday, monday + 7 * one),
        "last_week": (monday - 7 * one, monday),
        "this_month": (month.start, month.after),
        "last_month": (month.previous().start, month.start),
        "next_month": (month.after, month.next().after),
        "this_quarter": (quarter.start, quarter.after),
        "last_quarter": (quarter.previous().start, quarter.start),
        "next_quarter": (quarter.after, quarter.next().after),
        "this_fiscal_year": (year.start, year.after),
        "last_fiscal_year": (year.previous().start, year.start),
        "last_7_days": (today - 6 * one, today + one),
        "last_30_days": (today - 29 * one, today + one),
        "last_90_days": (today - 89 * one, today + one),
    }
    return table.get(name)


def period_labels():
    from core.babel import lazy_gettext as _l
    return {
        "today": _l("Today"), "yesterday": _l("Yesterday"), "this_week": _l("This week"),
        "last_week": _l("Last week"), "this_month": _l("This month"), "last_month": _l("Last month"),
        "next_month": _l("Next month"), "this_quarter": _l("This fiscal quarter"),
        "last_quarter": _l("Last fiscal quarter"), "next_quarter": _l("Next fiscal quarter"),
        "this_fiscal_year": _l("This fiscal year"), "last_fiscal_year": _l("Last fiscal year"),
        "last_7_days": _l("Last 7 days"), "last_30_days": _l("Last 30 days"), "last_90_days": _l("Last 90 days"),
    }


def unit_labels():
    from core.babel import lazy_gettext as _l
    return {"day": _l("Day"), "week": _l("Week"), "month": _l("Month"), "quarter": _l("Fiscal quarter"),
            "fiscal_year": _l("Fiscal year")}


def date_bounds(field_is_datetime, start, end):
    """Local [start, end) dates as bounds comparable with the stored column (UTC for datetimes)."""
    if not field_is_datetime:
        return start, end
    tz = clock.org_timezone()

    def to_utc(day):
        return clock.to_utc(_dt.datetime.combine(day, _dt.time()), tz) if day else None
    return to_utc(start), to_utc(end)


__all__ = ["UNITS", "bucket", "date_bounds", "describe", "per_row_bucket", "period"]
