"""Choices for lookup fields and owner selects — only what the user may see or assign (through core.access)."""
from flask_babel import lazy_gettext as _l

from core import access, names, stamp
from core.models import SalesStage, User
from core.records import registry as records
from core.records.forms import NONE_LABEL, LookupField

LOOKUP_LIMIT = 500
SORT_FIELDS = ("name", "last_name", "title")


def visible_choices(user, record_type, exclude_id=None, limit=None):
    rt = records.get(record_type)
    model = rt.model
    query = access.visible(model.select(), user, rt)
    for name in SORT_FIELDS:
        if name in model._meta.fields:
            query = query.order_by(model._meta.fields[name], model.id)
            break
    if exclude_id:
        query = query.where(model.id != exclude_id)
    return [(r.id, str(r)) for r in query.limit(limit or LOOKUP_LIMIT)]


def bind_lookups(form, user, exclude=None, cache=None):
    """Fill every LookupField's choices with the records ``user`` may see (``exclude``: the record itself)."""
    for field in form:
        if isinstance(field, LookupField):
            rt = records.get(field.record_type)
            own = exclude.id if exclude is not None and type(exclude) is rt.model else None
            key = (rt.name, own)
            if cache is not None and key in cache:
                options = cache[key]
            else:
                options = visible_choices(user, rt, own)
                if cache is not None:
                    cache[key] = options
            stored = _stored_link(exclude, field.name)
            if stored is not None and stored not in {value for value, _label in options} and \
                    not access.visible(rt.model.select(rt.model.id), user, rt).where(rt.model.id == stored).exists():
                # linked to a record the editor may not read: kept as it is, named as core.names says,
                # and not offered for change
                field.choices, field.locked = [(stored, str(names.PRIVATE))], stored
                continue
            current = field.data
            if current is not None and current not in {value for value, _label in options}:
                # beyond the first LOOKUP_LIMIT rows: keep the current (or posted) value if it is visible
                extra = access.visible(rt.model.select(), user, rt).where(rt.model.id == current).first()
                if extra is not None and extra.id != own:
                    options = options + [(extra.id, str(extra))]
            field.choices = [("", NONE_LABEL)] + options


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
