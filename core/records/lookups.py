"""Choices for lookup fields and owner selects — only what the user may see or assign (through core.access).

A lookup field (an opportunity's account, a contact's "reports to" …) is a select of every record of its type
the editor may read while there are at most ``LOOKUP_SELECT_LIMIT`` of them, and a type-ahead beyond: a text
input whose suggestions come a page at a time from ``records.lookup_search`` (core.records.lookup_views), so
that a form neither renders hundreds of options nor leaves out the record one wants. Either way the posted
text names the record: an id ("123", what the select posts), the type-ahead's "Acme Ltd · #123", or the
record's exact name, regardless of case, among the records the editor may read (one must match)."""
import re

from flask import url_for
from peewee import fn

from core import access, names, search, stamp
from core.babel import gettext as _, lazy_gettext as _l
from core.models import SalesStage, User
from core.records import registry as records
from core.records.forms import NONE_LABEL, LookupField, option_text

LOOKUP_SELECT_LIMIT = 50  # up to this many readable records a lookup field is a select; beyond, a type-ahead
LOOKUP_SEARCH_LIMIT = 20  # suggestions per page of the type-ahead
SORT_FIELDS = ("name", "last_name", "title", "number")  # the field a type's records are named and ordered by
LOOKUP_CANDIDATES = 500   # a type-ahead term the search index holds for at most this many records is looked
                          # up there; a commoner one by the scan in name order, which soon meets a page
NAME_LIMIT = 200          # longer posted text is cut here (no record's name is longer)
MATCHES_READ = 100        # a name that many records share is reported as "100" (the count is only a hint)

# an id alone ("123", "#123") or after the suggestion's " · #" ("Acme Ltd · #123"); at most 18 digits, so it
# fits the column. A typed name that merely ends in a number ("Room #12") stays a name: it never links #12
_POSTED_ID = re.compile(r"(?:^\s*#?| · #)(\d{1,18})\s*$")


def posted_id(text):
    """The record id a lookup's posted text names, or None when the text is a name."""
    match = _POSTED_ID.search(text)
    return int(match.group(1)) if match else None


def _readable(user, rt, exclude_id=None, plan=None):
    query = access.visible(rt.model.select(), user, rt, plan=plan)
    return query if exclude_id is None else query.where(rt.model.id != exclude_id)


def _ordered(rt, query):
    model = rt.model
    for name in SORT_FIELDS:
        if name in model._meta.fields:
            return query.order_by(model._meta.fields[name], model.id)
    return query.order_by(model.id)


def small_choices(user, rt, exclude_id=None):
    """(id, label) of every record of ``rt`` that ``user`` may read (but ``exclude_id``), in name order, when
    there are at most LOOKUP_SELECT_LIMIT; else None (the field is a type-ahead). One query with a limit."""
    rows = [(r.id, str(r)) for r in _ordered(rt, _readable(user, rt, exclude_id, plan="page"))
            .limit(LOOKUP_SELECT_LIMIT + 1)]
    return None if len(rows) > LOOKUP_SELECT_LIMIT else rows


def searchable(rt):
    """Can records of ``rt`` be found by name (a person's name, or a name, title or number field)?"""
    return bool(rt.person_name) or any(name in rt.model._meta.fields for name in SORT_FIELDS)


def _name_field(rt):
    return next(rt.model._meta.fields[n] for n in SORT_FIELDS if n in rt.model._meta.fields)


def _names_indexed(rt):
    """Whether the search index holds every record whose name contains a term (the name fields are search
    fields), so that it may narrow the type-ahead as it narrows the quick search."""
    names = rt.person_name or (_name_field(rt).name,)
    return set(names) <= set(rt.search_fields)


def full_name_search(model, person, q):
    """"王芳" finds last name 王 + first name 芳 (also two-character family names); "Jing Chen" finds
    first name Jing + last name Chen."""
    last, first = (model._meta.fields[n] for n in person)
    expr = None
    parts = q.split()
    if len(parts) == 2:
        expr = ((first == parts[0]) & (last == parts[1])) | ((last == parts[0]) & (first == parts[1]))
    for k in (1, 2):
        if len(q) > k and " " not in q:
            part = (last == q[:k]) & first.startswith(q[k:])
            expr = part if expr is None else (expr | part)
    return expr if expr is not None else (last == q)


def _name_contains(rt, q):
    if rt.person_name:
        last, first = (rt.model._meta.fields[n] for n in rt.person_name)
        return last.contains(q) | first.contains(q) | full_name_search(rt.model, rt.person_name, q)
    return _name_field(rt).contains(q)


def _name_equals(rt, text):
    """Records whose name, as ``str(record)`` shows it, may be ``text`` regardless of case (a person: first
    and last name split at a space — "Jing Chen" — or without one — "王芳")."""
    low = text.lower()
    if not rt.person_name:
        return fn.LOWER(_name_field(rt)) == low
    last, first = (fn.LOWER(rt.model._meta.fields[n]) for n in rt.person_name)
    expr = (last == low) & (first == "")
    parts = low.split()
    for i in range(1, min(len(parts), 4)):
        expr = expr | ((first == " ".join(parts[:i])) & (last == " ".join(parts[i:])))
    if " " not in low:
        for k in range(1, min(len(low), 4)):
            expr = expr | ((last == low[:k]) & (first == low[k:]))
    return expr


def find_readable(user, rt, q, page=1, exclude_id=None, limit=LOOKUP_SEARCH_LIMIT):
    """(records of ``rt`` that ``user`` may read whose name contains ``q``, in name order, whether there are
    more), a page of ``limit`` at a time — the type-ahead's suggestions (bound parameters, through
    ``core.access.visible``)."""
    query = _readable(user, rt, exclude_id, plan="page")   # a page in name order
    q = (q or "").strip()[:100]
    if q:
        query = query.where(_name_contains(rt, q))
        ids = search.candidates(rt, user, q, LOOKUP_CANDIDATES) if _names_indexed(rt) else None
        if ids is not None:  # a rare term: among its candidates in the search index (core.search)
            query = query.where(rt.model.id.in_(ids))
    rows = list(_ordered(rt, query).offset((max(1, page) - 1) * limit).limit(limit + 1))
    return rows[:limit], len(rows) > limit


def bind_lookups(form, user, exclude=None, cache=None):
    """Bind every LookupField of ``form`` to the records ``user`` may read (``exclude``: the record itself,
    which never links to itself): a select of them all, or a type-ahead; resolve the posted text. A stored
    link to a record the editor may not read is kept as it is and locked. ``cache`` (a dict) keeps the choices
    of a type between forms (the CSV import binds one form per row)."""
    for field in form:
        if isinstance(field, LookupField):
            rt = records.get(field.record_type)
            own = exclude.id if exclude is not None and type(exclude) is rt.model else None
            key = (rt.name, own)
            if cache is not None and key in cache:
                options = cache[key]
            else:
                options = small_choices(user, rt, own)
                if cache is not None:
                    cache[key] = options
            _bind(field, user, rt, own, options, _stored_link(exclude, field.name))


def _bind(field, user, rt, own, options, stored):
    """One lookup field: ``options`` are all the choices (a select) or None (a type-ahead, whose stored and
    posted records are read by id: one query for both)."""
    name = None
    if field.text is not None:
        text = field.text.strip()[:NAME_LIMIT]
        field.data = None if not text else posted_id(text)
        name = text if text and field.data is None else None
    readable = dict(options or ())
    wanted = {i for i in (stored, field.data) if i is not None and i > 0 and i != own}
    if options is None and wanted:
        readable.update((r.id, str(r)) for r in _readable(user, rt).where(rt.model.id.in_(sorted(wanted))))
    if stored is not None and stored != own and stored not in readable:
        # linked to a record the editor may not read: kept as it is, named as core.names says,
        # and not offered for change
        field.choices, field.locked = [(stored, str(names.PRIVATE))], stored
        return
    if name is not None:
        readable.update(_resolve_name(field, user, rt, own, options, name))
    if options is None:
        field.search_url = url_for("records.lookup_search", type_name=rt.name, exclude=own)
        options = [(field.data, readable[field.data])] if field.data in readable else []
    field.choices = [("", NONE_LABEL)] + list(options)


def _resolve_name(field, user, rt, own, options, name):
    """Set ``field.data`` to the one readable record called ``name`` (and return its (id, label)), or
    ``field.problem`` to why there is none."""
    if options is not None:
        matches = [(record_id, label) for record_id, label in options if label.lower() == name.lower()]
    else:
        query = _readable(user, rt, own).where(_name_equals(rt, name))
        matches = [(r.id, str(r)) for r in query.limit(MATCHES_READ) if str(r).lower() == name.lower()]
    if len(matches) == 1:
        field.data = matches[0][0]
        return matches
    if not matches:
        field.problem = _("No %(type)s you can see is called “%(name)s”.", type=str(rt.label).lower(), name=name)
    else:
        field.problem = _("%(num)d %(types)s you can see are called “%(name)s”; choose one from the suggestions.",
                          num=len(matches), types=str(rt.label_plural).lower(), name=name)
    return []


def _stored_link(record, name):
    """The id a saved record links to through ``name``, or None."""
    if record is None or record.id is None or name not in record._meta.fields:
        return None
    return record.__data__.get(name)


def stage_choices():
    from core.records.display import stage_label
    stages = stamp.cached("stage_names", lambda: list(
        SalesStage.select(SalesStage.id, SalesStage.name).order_by(SalesStage.order, SalesStage.id).tuples()))
    return [(stage_id, stage_label(name)) for stage_id, name in stages]


def assignable_users(user):
    """Users ``user`` may make owners of records: themselves and users below them; the admin anyone."""
    query = User.select().where(User.active == True).order_by(User.username)  # noqa: E712
    if user.is_admin:
        return query
    below = access.subordinate_users(user)
    expr = User.id == user.id
    if below is not None:
        expr = expr | User.id.in_(below)
    return query.where(expr)


def owner_options(user, current=None):
    """(id, label) of the users ``user`` may make owners, with the record's ``current`` owner (an id) always
    among them, first when out of the editor's reach — so saving a form unchanged keeps its owner."""
    pairs = [(u.id, f"{u.display_name} ({u.username})") for u in assignable_users(user)]
    if current is not None and current not in {i for i, _label in pairs}:
        owner = User.get_or_none(User.id == current)
        if owner is not None:
            pairs.insert(0, (owner.id, f"{owner.display_name} ({owner.username})"))
    return pairs


def owner_choices(user, current=None):
    return [("", _l("— choose —"))] + owner_options(user, current)


OWNER_SELECT_LIMIT = 50  # up to this many assignable users a list renders a select; beyond, a type-ahead
OWNER_SEARCH_LIMIT = 20


def owner_label(u):
    return f"{u.display_name} ({u.username})"


def small_owner_choices(user):
    """The reassign select's choices when ``user`` may assign at most OWNER_SELECT_LIMIT users, else None
    (the list then offers a type-ahead over ``find_assignable``): one query with a limit, never every user,
    kept in the settings cache (who is below whom, and their names, bump the stamp)."""
    def load():
        people = list(assignable_users(user).limit(OWNER_SELECT_LIMIT + 1))
        return None if len(people) > OWNER_SELECT_LIMIT else tuple((u.id, owner_label(u)) for u in people)
    people = stamp.cached(("owner_choices", user.id), load)
    return None if people is None else [("", _l("— choose —")), *people]


def find_assignable(user, q, page=1, limit=OWNER_SEARCH_LIMIT):
    """(users ``user`` may assign whose user name or name contains ``q``, whether there are more), a page
    of ``limit`` at a time (bound parameters, through ``assignable_users``)."""
    query = assignable_users(user)
    q = (q or "").strip()[:100]
    if q:
        query = query.where(User.username.contains(q) | User.full_name.contains(q))
    rows = list(query.offset((max(1, page) - 1) * limit).limit(limit + 1))
    return rows[:limit], len(rows) > limit


def assignable_choice(user, owner_id):
    """The reassign form's choices for a posted owner id: that user if ``user`` may assign them (one query)."""
    try:
        owner_id = int(owner_id)
    except (TypeError, ValueError):
        owner_id = None
    if owner_id is None or not 0 < owner_id < 2 ** 63:  # (no such id; a huge one would not fit the column)
        return [("", _l("— choose —"))]
    return [("", _l("— choose —"))] + [(u.id, owner_label(u)) for u in
                                       assignable_users(user).where(User.id == owner_id)]


def assignable_by_id(user, user_id):
    """The user ``user`` may assign with this id (text or int), or None — so a picker that shows whom an id in
    the address names never shows someone out of the viewer's reach."""
    try:
        user_id = int(user_id)
    except (TypeError, ValueError):
        return None
    if not 0 < user_id < 2 ** 63:
        return None
    return assignable_users(user).where(User.id == user_id).first()


def assignable_by_name(user, username):
    """The user ``user`` may assign with exactly this user name, or None (the type-ahead's plain-form value)."""
    username = (username or "").strip()
    if not username:
        return None
    return assignable_users(user).where(User.username == username).first()
