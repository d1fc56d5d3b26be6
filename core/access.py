"""THE visibility and permission rules (访问规则). Nothing else decides access.

A user may read a record if they own it, or its owner's position lies strictly below theirs, or the
record family's sharing mode is public read-only or wider. Write needs ownership, superiority or public
read/write; delete needs ownership, superiority or public read/write/delete. Same-position peers see each
other's records only through the sharing mode. The administrator sees everything. A deactivated or
anonymous user sees nothing.

The two doors are :func:`visible` (a query filter, so lists, searches, exports, reports and roll-ups are
filtered in SQL) and :func:`can` (one record), which is computed by the same SQL rule. :func:`explain`
takes the rule apart for the access explainer ("Why can I see this?"), again from the same pieces.

Positions form a tree stored as a materialized path (``/1/4/9/``): "below me" is one indexed range query
on ``position.path`` (see :func:`core.positions.below`), never a walk in Python.
"""
from flask import abort, current_app, g, has_app_context
from peewee import JOIN, SQL, Case, NodeList, Value

from core import positions as position_tree, stamp
from core.db import db
from core.models import SHARING_MODES, Position, SharingMode, User
from core.records import registry as records

ACTIONS = ("read", "write", "delete")
MODE_ALLOWS = {
    "private": frozenset(),
    "read": frozenset({"read"}),
    "readwrite": frozenset({"read", "write"}),
    "readwritedelete": frozenset({"read", "write", "delete"}),
}
assert set(MODE_ALLOWS) == set(SHARING_MODES)


def _nothing():
    return Value(1) == 0


def sharing_modes():
    """family -> mode, read once per request (a change takes effect on the next request)."""
    if has_app_context() and "sharing_modes" in g:
        return g.sharing_modes
    modes = dict(stamp.cached("sharing_modes", lambda: {
        row.family: row.mode for row in SharingMode.select(SharingMode.family, SharingMode.mode)}))
    if has_app_context():
        g.sharing_modes = modes
    return modes


def forget_sharing_modes():
    """Drop this request's cached modes (the sharing admin page calls it right after saving)."""
    if has_app_context():
        g.pop("sharing_modes", None)


def mode_of(record_type):
    """The sharing mode a record type follows now. Catalogue types (``owned=False``) are public read-only;
    an unknown value stored in the database counts as private (fail closed)."""
    rt = records.get(record_type)
    if not rt.owned:
        return "read"
    mode = sharing_modes().get(rt.family, rt.default_mode)
    return mode if mode in MODE_ALLOWS else "private"


def _position_path(user):
    """The path of ``user``'s position, or None. A malformed path never widens access: it counts as none."""
    position_id = getattr(user, "position_id", None)
    if not position_id:
        return None
    row = position_tree.cached_tree().get(position_id)
    path = row[0] if row else None
    return path if position_tree.valid_path(path) else None


def subordinate_users(user):
    """A subquery of the ids of users whose position lies strictly below ``user``'s (one indexed range
    query on ``position.path``), or None when the user holds no position."""
    path = _position_path(user)
    if not path:
        return None
    return (User.select(User.id).join(Position, on=(User.position == Position.id))
            .where(position_tree.below(path)))


def _is_user(user):
    return (user is not None and getattr(user, "is_authenticated", False) and getattr(user, "id", None)
            and getattr(user, "is_active", True))


# --- people: whose figures (a forecast, a quota, a team) a viewer reaches ---------------------------------

def is_superior(viewer, user):
    """Does ``viewer`` stand above ``user``: ``user``'s position strictly below the viewer's? The
    administrator stands above everyone; a deactivated or anonymous viewer above no one."""
    if not _is_user(viewer):
        return False
    if viewer.is_admin:
        return True
    mine, theirs = _position_path(viewer), _position_path(user)
    return bool(mine and theirs and theirs != mine and theirs.startswith(mine))


def reaches_user(viewer, user):
    """May ``viewer`` see figures about ``user``: about themselves, or about someone below them."""
    return bool(_is_user(viewer) and (viewer.id == user.id or is_superior(viewer, user)))


def reaches_position(viewer, position):
    """May ``viewer`` see a position's team figures: their own position's, or one strictly below it."""
    if not _is_user(viewer):
        return False
    if viewer.is_admin:
        return True
    mine = _position_path(viewer)
    theirs = position.path if position_tree.valid_path(position.path) else None
    return bool(mine and theirs and theirs.startswith(mine))


PLANS = (None, "page", "by_owner")
PAGE_WALK_SHARE = 50    # plan "page": NOT IN for a viewer who reaches at least 1/50 of the users


def rule(user, record_type, action="read", plan=None):
    """The core rule as a Peewee expression over ``record_type``'s model, or None for "everything".
    ``plan`` says how the query reads its rows, for the SQL form of the same rule (:func:`_owner_rule`)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    if plan not in PLANS:
        raise ValueError(f"unknown plan {plan!r}")
    rt = records.get(record_type)
    if not _is_user(user):
        return _nothing()
    if user.is_admin:
        return None
    if not rt.owned:
        return None if action == "read" else _nothing()
    if action in MODE_ALLOWS[mode_of(rt)]:
        return None
    return _owner_rule(rt.model, user, plan)


def _owner_rule(model, user, plan=None):
    """``model.owner`` among the users ``user`` reaches by position: themselves and everyone strictly below.

    With nobody below (most students: a salesperson's position is a leaf) that is ``owner = me``, which
    every planner answers from the owner index (MariaDB chose full scans for the subquery form). Otherwise
    one subquery over the users (a range on the indexed ``position.path``), never ``owner = me OR owner IN
    (…)`` (an OR keeps planners from using the list's sort index, and MySQL from its semi-joins), written
    one of two ways — the same rows — by how the query reads them (``plan``):

    - ``owner NOT IN (the few users out of reach)`` lets the database walk an index in its order, checking
      each row's owner from the index (core's sort indexes end in the owner), instead of collecting every
      reached owner's rows: by default for a viewer who reaches most of the organisation (the teacher), and
      for a ``"page"`` (a list's page: the walk stops after a page) for anyone who reaches at least
      1/``PAGE_WALK_SHARE`` of the users — a class lead's first page at 400k opportunities took 136 ms as
      ``IN`` (the class's 40k rows read and sorted) and ~5 ms as a walk. Its worst case (a filter that
      matches nothing) is the walk of the whole index, the teacher's cost;
    - ``owner IN (the users reached)`` otherwise, and always for a query answered best ``"by_owner"`` — an
      aggregate grouped by the owner, or one narrowed by a column that an ``(owner, column, …)`` index holds
      next (an opportunity's stage): the planner seeks each reached owner's rows in that index and skips,
      within each, what the rest of the query rules out, where the NOT IN form scans it whole (SQLite,
      teacher: win/loss by owner on 40k opportunities 5.6 ms NOT IN, 3.5 ms IN; won revenue by product on
      400k, 267 ms NOT IN, 53 ms IN)."""
    path = _position_path(user)
    below, everyone = _users_below(path) if path else (0, 0)
    if not below:
        return model.owner == user.id
    lower, upper = Position.descendant_bounds(path)
    if plan == "by_owner":
        out_of_reach = False
    elif plan == "page":
        out_of_reach = below * PAGE_WALK_SHARE >= everyone
    else:
        out_of_reach = below * 2 > everyone
    text, order = _reach_sql(out_of_reach)
    values = {"me": user.id, "lower": lower, "upper": upper}
    users = SQL(text, [values[name] for name in order])
    return NodeList((model.owner, SQL("NOT IN" if out_of_reach else "IN"), users), parens=True)


def reaches_widely(user, record_type, share):
    """Whether ``user`` reads at least about one ``share``-th of ``record_type``'s records: everything (the
    administrator, a sharing mode that opens them), or the records of at least 1/``share`` of the users. Not a
    rule (it widens nothing): the search asks it to choose the query shape a planner answers fastest."""
    rt = records.get(record_type)
    if rule(user, rt) is None:
        return True
    path = _position_path(user) if _is_user(user) else None
    below, everyone = _users_below(path) if path else (0, 0)
    return bool(below) and below * share >= everyone


_REACH_SQL = {}     # (database class, out of reach?) -> (the users subquery's SQL text, its parameters' names)
_REACH_MARKS = {"me": -1, "lower": "/reach-lower/", "upper": "/reach-upper/"}


def _reach_sql(out_of_reach):
    """The SQL text, in parentheses, of "the ids of the users reached (or, ``out_of_reach``, not reached)
    from a position", and the names of its parameters in order (``me``: the user's id; ``lower``,
    ``upper``: the bounds of the path range). Built with Peewee once per database kind and kept: only the
    parameters differ between users, and compiling the subquery anew cost a third of building every
    access-filtered query. (Written as a node list rather than ``owner.in_(subquery)`` for the same reason:
    ``in_`` compiles its right-hand side a second time to check that it is not an empty list.)

    The users reached — the viewer and everyone strictly below the viewer's position — are read from a
    range on the indexed path that holds the viewer's position and everything below it (``lower <= path <
    upper``), then narrowed to the strict descendants and the viewer: a planner starts from the few
    positions in range (MariaDB, a class lead's won revenue by team: 3.1 ms with ``id = me OR path in
    range`` over every user, 0.8 ms so). The users out of reach are the complement, users without a
    position among them (hence the outer join)."""
    key = (type(db.obj), out_of_reach)
    if key not in _REACH_SQL:
        U, P = User.alias("reach_user"), Position.alias("reach_position")
        me, lower, upper = (_REACH_MARKS[name] for name in ("me", "lower", "upper"))
        if out_of_reach:
            reach = (U.id == me) | (P.path.is_null(False) & position_tree.range_below(lower, upper, table=P))
            query = U.select(U.id).join(P, JOIN.LEFT_OUTER, on=(U.position == P.id)).where(~reach)
        else:
            query = (U.select(U.id).join(P, on=(U.position == P.id))
                     .where(position_tree.range_from(lower, upper, table=P) & ((P.path != lower) | (U.id == me))))
        text, params = db.obj.get_sql_context().sql(query).query()
        names = {value: name for name, value in _REACH_MARKS.items()}
        if any(value not in names for value in params):
            raise RuntimeError(f"the reach subquery binds {params!r}, expected only {list(names)!r}")
        _REACH_SQL[key] = (f"({text})", tuple(names[value] for value in params))
    return _REACH_SQL[key]


def _users_below(path):
    """(users holding a position strictly below ``path``, all users), counted once per stamp (core.stamp)."""
    def count():
        below = (User.select(User.id).join(Position, on=(User.position == Position.id))
                 .where(position_tree.below(path)).count())
        return below, User.select(User.id).count() if below else 0
    return stamp.cached(("users_below", path), count)


def _plugins():
    return current_app.extensions.get("zhixin_plugins") if has_app_context() else None


def _plugin_filters(user, rt, action):
    plugins = _plugins()
    if plugins is None:
        return []
    # per_user=False: a plugin's narrowing applies whatever the viewer's class (never a way around it)
    return plugins.gather("zhixin_access_filter", per_user=False, user=user, record_type=rt.name, action=action)


def related_type(rt, grant):
    """The record type and the foreign-key field a :class:`~core.records.RelationGrant` of ``rt`` goes by."""
    fk = rt.model._meta.fields[grant.via]
    return records.get(fk.rel_model), fk


def _grant_expression(user, rt, grant, action, seen):
    """The rows of ``rt`` whose related record (``grant.via``) ``user`` may act on as the grant needs, or
    None when the grant gives nothing for ``action``. A chain of grants that comes back to a type already
    on the way grants nothing (fail closed)."""
    needed = grant.needed(action)
    if needed is None:
        return None
    related, fk = related_type(rt, grant)
    if related.name in seen:
        return None
    expr = _expression(user, related, needed, seen)
    if expr is None:
        return fk.is_null(False)
    return fk.in_(related.model.select(related.model.id).where(expr))


def _expression(user, rt, action, seen=(), plan=None):
    """Core's rule, ORed with the record type's grants by relation, ANDed with the plugins' filters —
    the one expression behind :func:`visible`, :func:`can` and :func:`get_or_404` (None = everything)."""
    expr = rule(user, rt, action, plan)
    if not _is_user(user):
        return expr
    if expr is not None:
        for grant in rt.grants:
            widened = _grant_expression(user, rt, grant, action, seen + (rt.name,))
            if widened is not None:
                expr = expr | widened
    for extra in _plugin_filters(user, rt, action):
        expr = extra if expr is None else (expr & extra)
    return expr


def visible(query, user, record_type, action="read", plan=None):
    """``query`` narrowed to the rows of ``record_type`` that ``user`` may ``action``: core's rule (owner,
    superior, sharing mode), or a grant of the type by relation, and every plugin's filter. ``plan`` (the
    same rows, another SQL form): ``"page"`` for a list's page in an indexed order, ``"by_owner"`` for a
    query grouped by the owner — see :func:`_owner_rule`."""
    rt = records.get(record_type)
    expr = _expression(user, rt, action, plan=plan)
    return query if expr is None else query.where(expr)


def can(user, action, record, record_type=None):
    """May ``user`` ``action`` this one record? The same SQL rule as :func:`visible`, plus plugin vetoes."""
    rt = records.get(record_type or type(record))
    if record is None or getattr(record, "id", None) is None:
        return False
    known = stamp.memo("rights").get((getattr(user, "id", None), rt.name, record.id, action))
    if known is None:
        model = rt.model
        known = _exists(visible(model.select(model.id).where(model.id == record.id), user, rt, action))
    return known and not _vetoed(user, action, rt, record)


def _exists(query):
    """``query.exists()``, asked once per request for the same SQL and parameters (a detail page asks
    ``can`` for write, delete and its actions, and where the rules agree the test is the same); any write
    of the request forgets the answers (core.stamp.memo)."""
    sql, params = query.sql()
    try:
        key = (sql, tuple(params))
        hash(key)
    except TypeError:
        return query.exists()
    answers = stamp.memo("exists")
    if key not in answers:
        answers[key] = query.exists()
    return answers[key]


def _vetoed(user, action, rt, record):
    """Does a plugin veto this (``zhixin_permission_check`` answered False)? A veto only: other answers,
    True included, leave the SQL rule's verdict as it is (widening goes through ``RecordType.grants``)."""
    plugins = _plugins()
    if plugins is None:
        return False
    answers = plugins.gather("zhixin_permission_check", per_user=False, user=user, action=action,
                             record_type=rt.name, record=record)
    return any(a is False for a in answers)


# --- ownership: who may hand a record to someone else (item 9 of issue 13) ----------------------------

def may_reassign(user, record, record_type=None):
    """May ``user`` change ``record``'s owner? Only its owner, a superior of its owner or the administrator,
    and only with write access: write access through a sharing mode never lets a user take a record over."""
    rt = records.get(record_type or type(record))
    if not _is_user(user) or not rt.owned or record is None or getattr(record, "id", None) is None:
        return False
    if not (user.is_admin or record.owner_id == user.id):
        owner = User.get_or_none(User.id == record.owner_id) if record.owner_id else None
        if owner is None or not is_superior(user, owner):
            return False
    return can(user, "write", record, rt)


def may_assign_to(user, record, new_owner):
    """May ``user`` make ``new_owner`` the owner of ``record``? Leaving the owner as it is always may; a new
    owner needs :func:`may_reassign` and must be within the editor's reach (themselves or someone below)."""
    if record is not None and getattr(record, "id", None) is not None and record.owner_id == new_owner.id:
        return True
    if record is not None and getattr(record, "id", None) is not None and not may_reassign(user, record):
        return False
    return bool(getattr(new_owner, "active", True) and reaches_user(user, new_owner))


def get_or_404(user, record_type, record_id, action="read", also=()):
    """Fetch a record for ``action``: 404 when the user may not read it, 403 when they may read but not act.

    ``also``: actions whose SQL rule the same read answers (a CASE column each), kept for this request so
    :func:`can` asks no second query for them (a detail page's write and delete checks)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    rt = records.get(record_type)
    try:
        record_id = int(record_id)
    except (TypeError, ValueError):
        abort(404)
    model = rt.model
    columns = []
    for extra in also:
        expr = _expression(user, rt, extra)
        columns.append(Value(1) if expr is None else Case(None, [(expr, 1)], 0))
    query = model.select(model, *(c.alias(f"_zx_can_{i}") for i, c in enumerate(columns)))
    record = visible(query, user, rt, "read").where(model.id == record_id).first()
    if record is None or _vetoed(user, "read", rt, record):
        abort(404)
    if also:
        rights = stamp.memo("rights")
        for i, extra in enumerate(also):
            rights[(getattr(user, "id", None), rt.name, record.id, extra)] = \
                bool(int(record.__dict__.pop(f"_zx_can_{i}", 0) or 0))
    if action != "read" and not can(user, action, record, rt):
        abort(403)
    return record


def explain(user, record, record_type=None):
    """Why can ``user`` see this? The chain owner → owner's position path → viewer's position → sharing
    mode → verdict per action, as a dict the explainer page renders.

    Each step comes from this module's own rule pieces (the same owner test, the same subordinate subquery,
    the same mode table); each verdict is :func:`can` itself, and ``reasons[action]`` names the first piece
    that grants it ("admin", "owner", "superior", "mode", "catalogue", "relation") — or "vetoed"/"none";
    ``granted_by[action]`` is the relation that grants it (its record type and record), if any.
    """
    rt = records.get(record_type or type(record))
    owner = User.get_or_none(User.id == record.owner_id) if rt.owned else None
    user_position = Position.get_or_none(Position.id == user.position_id) if user.position_id else None
    owner_position = (Position.get_or_none(Position.id == owner.position_id)
                      if owner and owner.position_id else None)
    mode = mode_of(rt)
    active = bool(_is_user(user))
    below = subordinate_users(user)
    steps = {
        "user": user, "owner": owner, "record": record, "record_type": rt, "active": active,
        "is_admin": bool(active and user.is_admin),
        "is_owner": bool(active and owner and owner.id == user.id),
        "user_position": user_position, "owner_position": owner_position,
        "user_path": (user_position.ancestors() + [user_position]) if user_position else [],
        "owner_path": (owner_position.ancestors() + [owner_position]) if owner_position else [],
        "family": rt.family, "mode": mode, "mode_allows": MODE_ALLOWS[mode], "owned": rt.owned,
        "is_superior": bool(active and owner and below is not None
                            and below.where(User.id == owner.id).exists()),
        "same_position": bool(user_position and owner_position and user_position.id == owner_position.id),
    }
    steps["relations"] = _relations(user, record, rt) if active and rt.owned else []
    steps["verdicts"] = {action: can(user, action, record, rt) for action in ACTIONS}
    steps["reasons"] = {action: _reason(steps, action, rt, record) for action in ACTIONS}
    steps["granted_by"] = {action: _granting_relation(steps, action) for action in ACTIONS}
    return steps


def _relations(user, record, rt):
    """For each grant of ``rt`` by relation: the related record and the actions the grant gives on this
    record, by the same SQL as :func:`visible` (the related record's own rule, grants and filters)."""
    out = []
    for grant in rt.grants:
        related, _fk = related_type(rt, grant)
        related_id = record.__data__.get(grant.via)
        target = related.model.get_or_none(related.model.id == related_id) if related_id else None
        if target is None:
            continue
        model = related.model
        gives = {action for action in ACTIONS if grant.needed(action) and visible(
            model.select(model.id).where(model.id == target.id), user, related, grant.needed(action)).exists()}
        out.append({"grant": grant, "record_type": related, "record": target, "gives": gives})
    return out


def _granting_relation(steps, action):
    return next((r for r in steps["relations"] if action in r["gives"]), None)


def _reason(steps, action, rt, record):
    if not steps["active"]:
        return "none"
    if not steps["verdicts"][action]:
        granted = (steps["is_admin"] or steps["is_owner"] or steps["is_superior"]
                   or action in steps["mode_allows"] or _granting_relation(steps, action) is not None)
        return "vetoed" if granted else "none"
    if steps["is_admin"]:
        return "admin"
    if not rt.owned:
        return "catalogue"
    if steps["is_owner"]:
        return "owner"
    if steps["is_superior"]:
        return "superior"
    if action in steps["mode_allows"]:
        return "mode"
    if _granting_relation(steps, action) is not None:
        return "relation"
    return "plugin"
