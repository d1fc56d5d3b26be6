"""What every report shares: the viewer's scope (access, date range, owner/team), names for group keys,
drill-down links and totals. Every query starts from :func:`scoped`, which starts from ``access.visible``."""
import datetime as _dt
import decimal
from urllib.parse import urlencode

from flask import url_for
from peewee import SQL, Value, fn

from core import access, names
from core.db import hundredths, is_mysql, is_postgres
from core.models import User
from core.reports import ReportParams
from plugins.reports import dates
from plugins.reports.fields import fields_of, team_user_ids


def scoped(model, user, record_type, params, date_field=None, query=None, plan=None):
    """``query`` (default: all of ``model``) narrowed to what ``user`` may read, the date range on
    ``date_field`` and the owner/team filter of ``params``. ``plan``: how the query reads its rows
    (``"by_owner"``: grouped by the owner; ``"page"``: the first rows in an indexed order), for the SQL form
    ``access.visible`` gives the same rule."""
    query = model.select() if query is None else query
    query = access.visible(query, user, record_type, plan=plan)
    return narrow(query, model, params, date_field)


def narrow(query, model, params, date_field=None):
    params = params or ReportParams()
    if date_field and (params.date_from or params.date_to):
        info = fields_of(model)[date_field]
        low, high = dates.date_bounds(info.is_datetime, params.date_from,
                                      params.date_to + _dt.timedelta(days=1) if params.date_to else None)
        if low is not None:
            query = query.where(info.field >= low)
        if high is not None:
            query = query.where(info.field < high)
    if params.owner_id and hasattr(model, "owner"):
        query = query.where(model.owner == params.owner_id)
    if params.position_id and hasattr(model, "owner"):
        query = query.where(model.owner.in_(team_user_ids(params.position_id)))
    return query


# GROUP BY / ORDER BY the first selected column by its position (all three databases accept it): a date
# bucket is a long expression, and naming it again in both clauses made Peewee build its SQL three times
# (a third of a small report's cost) for the database to recognise the same expression.
FIRST_COLUMN = SQL("1")


def group_key(column):
    """``column`` as a GROUP BY key (select it first and group by FIRST_COLUMN). MariaDB, for ``GROUP BY``
    an indexed column, reads the table in that index's order to skip the sort — a random row look-up per
    row, ~10x slower than a scan and a sort at 400k opportunities, chosen even with statistics analysed and
    with no switch to turn it off; ``column + 0`` is a key no index provides, so it scans. Elsewhere the
    column itself."""
    return (column + 0) if is_mysql() else column


def id_among(field, ids):
    """``field IN ids``. On PostgreSQL the ids travel as one array parameter (``= ANY(%s)``): building and
    binding a list of hundreds of parameters costs more than the index lookup itself."""
    ids = list(ids)
    if is_postgres():
        return field == fn.ANY(Value(ids, unpack=False))
    return field.in_(ids)


def user_names(ids):
    """id -> display name; past a few hundred ids one scan of the (small) user table beats a long list
    (on PostgreSQL the one-array form stays cheaper up to about 400 ids; measured on the bench data)."""
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    query = User.select(User.id, User.full_name, User.username)
    if len(ids) <= (400 if is_postgres() else 200):
        query = query.where(id_among(User.id, ids))
    return {i: (full or name) for i, full, name in query.tuples() if i in ids}


def visible_names(user, record_type, ids):
    """Display names of the referenced records ``user`` may read; the others show as private — core's one
    policy (:func:`core.names.names`)."""
    return names.names(user, record_type, ids)


def drill_filters(params, date_field):
    """The report's date range and owner/team as drill-down filter rows."""
    out = []
    params = params or ReportParams()
    if date_field and params.date_from:
        out.append((date_field, "gte", params.date_from.isoformat()))
    if date_field and params.date_to:
        out.append((date_field, "lte", params.date_to.isoformat()))
    if params.owner_id:
        out.append(("owner", "eq", str(params.owner_id)))
    if params.position_id:
        out.append(("owner", "team", str(params.position_id)))
    return out


def drill_url(record_type, filters):
    """The drill-down list of ``record_type`` records matching ``filters`` [(field, op, value)]."""
    query = urlencode([("f", f"{field}:{op}:{'' if value is None else value}") for field, op, value in filters])
    return url_for("reports.drill", type_name=record_type) + ("?" + query if query else "")


ZERO = decimal.Decimal(0)


def number(value):
    """A database's number (int, Decimal, float, None) as an exact Decimal; a float as it prints."""
    if type(value) is decimal.Decimal:      # the common cases first: a report calls this per cell
        return value
    if type(value) is int:
        return decimal.Decimal(value)
    if value is None:
        return ZERO
    return decimal.Decimal(value) if isinstance(value, int) else decimal.Decimal(str(value))


HUNDRED = decimal.Decimal(100)
_HUNDREDS = {1: HUNDRED, 2: HUNDRED ** 2}


def money_sum(expr):
    """SUM of a money expression in exact cents (``core.db.hundredths``); read it with :func:`from_cents`."""
    return fn.SUM(hundredths(expr))


def from_cents(value, power=1):
    """A sum of hundredths (``power`` of them multiplied: 2 for cents × percent) as exact Decimal."""
    return number(value) / (_HUNDREDS.get(power) or HUNDRED ** power)


def ratio(part, whole):
    """``part`` ÷ ``whole`` as a fraction (a "percent" column's value), or None when there is nothing to
    divide by."""
    whole = number(whole)
    if not whole:
        return None
    return number(part) / whole


def totals(columns, rows):
    """The totals row: sums of the columns marked ``total``."""
    out = {}
    for col in columns:
        if col.total:
            out[col.key] = _exact_sum([r.get(col.key) for r in rows])
    return out


def _exact_sum(values):
    """The exact sum of a column's values. Ints and Decimals add exactly as they are (a report's counts and
    amounts: no conversion per cell); anything else (a float, a driver's string) each through :func:`number`."""
    try:
        return sum((v for v in values if v is not None), ZERO)
    except TypeError:
        return sum((number(v) for v in values), ZERO)
