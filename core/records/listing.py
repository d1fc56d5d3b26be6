"""Record lists for someone who sees 100k+ rows: keyset pages, a capped count, sorting on indexed columns.

A page is read from a cursor (the sort value and id of the row before it, signed so that a link cannot be
made to say something else), not from an OFFSET that makes the database walk every earlier row; the order is
always (sort column, id), so ties on the sort column keep a stable place. The count stops at
``LIST_COUNT_CAP`` + 1 rows (``SELECT COUNT(*) FROM (SELECT … LIMIT cap + 1)``) unless the user asks for the
exact figure. A list sorts only by a column with an index starting ``(column, id)``
(``core.models.list_sort_indexes``) and never by a lookup's name (an account's name on an opportunity): that
order exists in no index of the listed table, so its first page would sort the whole visible set on every
request.
"""
import datetime as _dt
import decimal
import math
from dataclasses import dataclass

import peewee
from flask import current_app, request
from flask_babel import format_number
from itsdangerous import BadSignature, URLSafeSerializer

from core.babel import gettext as _, ngettext
from core.web import fail

SALT = "zhixin.records.list-cursor"
# the columns a list reads of a linked row (an opportunity's account, stage, owner) to name and link it:
# the model's Meta ``name_fields`` if it has them, else those of these it has (what ``__str__`` reads)
NAME_FIELDS = ("name", "title", "subject", "code", "first_name", "last_name", "full_name", "username")


def name_columns(model):
    """The columns of ``model`` (or an alias of it) that a page needs to show a link to one of its rows: its
    id and the fields its name is made of — not every column of the linked table (its password hash, its
    description), which a page of 20 rows would otherwise build, fetch and convert for each row."""
    meta = getattr(model, "_meta", None) or model.model._meta
    wanted = getattr(meta, "name_fields", None) or [n for n in NAME_FIELDS if n in meta.fields]
    return [model.id, *(getattr(model, n) for n in wanted)]


def sortable(rt):
    """Names of the list columns the list may be sorted by: own (not lookup), never NULL, with an index
    starting ``(column, id)`` declared by the model (``list_sort_indexes``)."""
    model = rt.model
    indexed = indexed_orders(model)
    out = []
    for name in rt.list_columns:
        field = model._meta.fields.get(name)
        if field is None or isinstance(field, peewee.ForeignKeyField) or field.null:
            continue
        if name in indexed:
            out.append(name)
    return out


def indexed_orders(model):
    """Names of ``model``'s columns whose order (column, id) an index declared by the model holds."""
    return {fields[0] for fields, _unique in _index_specs(model) if len(fields) >= 2 and fields[1] == "id"}


def _index_specs(model):
    for index in model._meta.indexes:
        if isinstance(index, tuple) and len(index) == 2 and isinstance(index[0], (tuple, list)):
            yield tuple(index[0]), index[1]


# --- the cursor --------------------------------------------------------------------------------------------

def _serializer():
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def _encode(value):
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def _decode(field, value):
    """The cursor's value back into what the column holds; ValueError/TypeError when it cannot be."""
    if isinstance(field, peewee.DateTimeField):
        return _dt.datetime.fromisoformat(value)
    if isinstance(field, peewee.DateField):
        return _dt.date.fromisoformat(value)
    if isinstance(field, peewee.DecimalField):
        return decimal.Decimal(str(value))
    if isinstance(field, peewee.BooleanField):
        if not isinstance(value, bool):
            raise TypeError(value)
        return value
    if isinstance(field, peewee.IntegerField):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(value)
        return value
    if not isinstance(value, str):
        raise TypeError(value)
    return value


def make_cursor(sort, row, column):
    return _serializer().dumps([sort, _encode(getattr(row, column.name)), row.id])


def read_cursor(token, sort, column):
    """(value, id) of a cursor made for this sort; a forged or damaged one is a 400 with the reason, one made
    for another sort (a link kept from before the sort changed) is None: the first page."""
    try:
        data = _serializer().loads(token)
    except BadSignature:
        fail(400, _("This page link is damaged or out of date. Open the list again."))
    if not (isinstance(data, list) and len(data) == 3) or data[0] != sort:
        return None
    _sort, value, row_id = data
    try:
        if isinstance(row_id, bool) or not isinstance(row_id, int):
            raise TypeError(row_id)
        return _decode(column, value), row_id
    except (TypeError, ValueError, decimal.InvalidOperation):
        fail(400, _("This page link is damaged or out of date. Open the list again."))


# --- the page ----------------------------------------------------------------------------------------------

@dataclass
class ListPage:
    """One page of a list: the rows, cursors for the links, the count (exact or capped)."""
    items: list
    next_cursor: str | None
    prev_cursor: str | None
    count: int
    exact: bool
    cap: int
    page: int | None = None  # set when reached by ?page=N (a small set's numbered page)

    @property
    def has_next(self):
        return self.next_cursor is not None

    @property
    def has_prev(self):
        return self.prev_cursor is not None

    @property
    def count_text(self):
        if self.exact:
            return ngettext("%(count)s record", "%(count)s records", self.count, count=format_number(self.count))
        return ngettext("More than %(count)s record", "More than %(count)s records", self.cap,
                        count=format_number(self.cap))


def _after(column, model, value, row_id, greater):
    """Rows strictly after (value, id) in the order (column, id), ascending when ``greater``. Written as
    ``column >= v AND (column > v OR id > i)`` so that every database reads it as one index range."""
    if greater:
        return (column >= value) & ((column > value) | (model.id > row_id))
    return (column <= value) & ((column < value) | (model.id < row_id))


def _ordered(query, model, column, ascending):
    return query.order_by(column.asc() if ascending else column.desc(),
                          model.id.asc() if ascending else model.id.desc())


def count(base, model, exact):
    """(count, exact?): the visible set counted up to the cap + 1, or all of it when asked."""
    cap = current_app.config["LIST_COUNT_CAP"]
    if exact:
        return base.order_by().count(), True
    n = base.select(model.id).order_by().limit(cap + 1).count()
    return (n, True) if n <= cap else (cap, False)


def fetch(query, base, model, sort, column, desc, args):
    """The page ``args`` asks for: ``after``/``before`` (a cursor), ``page`` (a numbered page within the
    capped count, kept for old links and small sets), else the first page."""
    per_page = current_app.config["PAGE_SIZE"]
    n, exact = count(base, model, args.get("count") == "exact")
    token_after, token_before = args.get("after"), args.get("before")
    ascending = not desc
    number = None
    if token_after or token_before:
        place = read_cursor(token_after or token_before, sort, column)
    else:
        place = None
    if place is not None and token_after:
        rows = list(_ordered(query.where(_after(column, model, *place, ascending)), model, column, ascending)
                    .limit(per_page + 1))
        more, rows = len(rows) > per_page, rows[:per_page]
        has_prev, has_next = True, more
    elif place is not None:
        rows = list(_ordered(query.where(_after(column, model, *place, not ascending)), model, column,
                             not ascending).limit(per_page + 1))
        more, rows = len(rows) > per_page, rows[:per_page]
        rows.reverse()
        has_prev, has_next = more, True
    else:
        number = _page_number(n, exact, per_page)
        rows = list(_ordered(query, model, column, ascending).limit(per_page + 1).offset((number - 1) * per_page))
        more, rows = len(rows) > per_page, rows[:per_page]
        has_prev, has_next = number > 1, more
    next_cursor = make_cursor(sort, rows[-1], column) if rows and has_next else None
    prev_cursor = make_cursor(sort, rows[0], column) if rows and has_prev else None
    return ListPage(rows, next_cursor, prev_cursor, n, exact, current_app.config["LIST_COUNT_CAP"],
                    number if number and number > 1 else None)


def _page_number(n, exact, per_page):
    """``?page=N``: numbered pages reach as far as the capped count does (OFFSET stays small); beyond, the
    Next links (cursors) go on."""
    raw = request.args.get("page")
    if not raw:
        return 1
    try:
        number = max(1, int(raw))
    except ValueError:
        return 1
    last = max(1, math.ceil(n / per_page)) if exact else math.ceil(current_app.config["LIST_COUNT_CAP"] / per_page)
    if number > last:
        fail(404, _("There is no page %(page)s in this list.", page=raw[:30]))
    return number
