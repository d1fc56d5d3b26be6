"""THE visibility and permission rules (访问规则). Nothing else decides access.

A user may read a record if they own it, or its owner's position lies strictly below theirs, or the
record family's sharing mode is public read-only or wider. Write needs ownership, superiority or public
read/write; delete needs ownership, superiority or public read/write/delete. Same-position peers see each
other's records only through the sharing mode. The administrator sees everything.

The two doors are :func:`visible` (a query filter, so lists, searches, exports, reports and roll-ups are
filtered in SQL) and :func:`can` (one record), which is computed by the same SQL rule.
"""
from flask import abort, g, has_app_context
from peewee import Value

from core.models import Position, SharingMode, User
from core.records import registry as records

ACTIONS = ("read", "write", "delete")
MODE_ALLOWS = {
    "private": frozenset(),
    "read": frozenset({"read"}),
    "readwrite": frozenset({"read", "write"}),
    "readwritedelete": frozenset({"read", "write", "delete"}),
}


def sharing_modes():
    """family -> mode, read once per request (a change takes effect on the next request)."""
    if has_app_context() and "sharing_modes" in g:
        return g.sharing_modes
    modes = {row.family: row.mode for row in SharingMode.select()}
    if has_app_context():
        g.sharing_modes = modes
    return modes


def mode_of(record_type):
    rt = records.get(record_type)
    if not rt.owned:
        return "read"
    return sharing_modes().get(rt.family, rt.default_mode)


def _position_path(user):
    if not user.position_id:
        return None
    cache = g.setdefault("position_paths", {}) if has_app_context() else {}
    if user.position_id not in cache:
        pos = Position.get_or_none(Position.id == user.position_id)
        cache[user.position_id] = pos.path if pos else None
    return cache[user.position_id]


def subordinate_users(user):
    """A subquery of the ids of users whose position lies strictly below ``user``'s (one indexed range)."""
    path = _position_path(user)
    if not path:
        return None
    lower, upper = Position.descendant_bounds(path)
    return (User.select(User.id).join(Position, on=(User.position == Position.id))
            .where((Position.path > lower) & (Position.path < upper)))


def _is_user(user):
    return user is not None and getattr(user, "is_authenticated", False) and getattr(user, "id", None)


def rule(user, record_type, action="read"):
    """The core rule as a Peewee expression over ``record_type``'s model, or None for "everything"."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    rt = records.get(record_type)
    model = rt.model
    if not _is_user(user):
        return Value(1) == 0
    if user.is_admin:
        return None
    if not rt.owned:
        return None if action == "read" else (Value(1) == 0)
    if action in MODE_ALLOWS[mode_of(rt)]:
        return None
    expr = model.owner == user.id
    below = subordinate_users(user)
    if below is not None:
        expr = expr | model.owner.in_(below)
    return expr


def _plugin_filters(user, rt, action):
    from flask import current_app
    plugins = current_app.extensions.get("zhixin_plugins") if has_app_context() else None
    if plugins is None:
        return []
    return [e for e in plugins.hook.zhixin_access_filter(user=user, record_type=rt.name, action=action)
            if e is not None]


def visible(query, user, record_type, action="read"):
    """``query`` narrowed to the rows of ``record_type`` that ``user`` may ``action``."""
    rt = records.get(record_type)
    expr = rule(user, rt, action)
    for extra in _plugin_filters(user, rt, action) if _is_user(user) else ():
        expr = extra if expr is None else (expr & extra)
    return query if expr is None else query.where(expr)


def can(user, action, record, record_type=None):
    """May ``user`` ``action`` this one record? The same SQL rule as :func:`visible`, plus plugin vetoes."""
    rt = records.get(record_type or type(record))
    model = rt.model
    query = visible(model.select(model.id).where(model.id == record.id), user, rt, action)
    return query.exists() and not _vetoed(user, action, rt, record)


def _vetoed(user, action, rt, record):
    from flask import current_app
    plugins = current_app.extensions.get("zhixin_plugins") if has_app_context() else None
    if plugins is None:
        return False
    answers = plugins.hook.zhixin_permission_check(user=user, action=action, record_type=rt.name, record=record)
    return any(a is False for a in answers)


def get_or_404(user, record_type, record_id, action="read"):
    """Fetch a record for ``action``: 404 when the user may not read it, 403 when they may read but not act."""
    rt = records.get(record_type)
    model = rt.model
    record = visible(model.select(), user, rt, "read").where(model.id == record_id).first()
    if record is None or _vetoed(user, "read", rt, record):
        abort(404)
    if action != "read" and not can(user, action, record, rt):
        abort(403)
    return record


def explain(user, record, record_type=None):
    """Why can ``user`` see this? The chain owner → position path → sharing mode → verdict per action.

    Each step is computed by this module's own rule pieces; the verdicts are :func:`can` itself.
    """
    rt = records.get(record_type or type(record))
    owner = User.get_or_none(User.id == record.owner_id) if rt.owned else None
    steps = {
        "user": user,
        "owner": owner,
        "is_admin": bool(user.is_admin),
        "is_owner": bool(owner and owner.id == user.id),
        "user_position": Position.get_or_none(Position.id == user.position_id) if user.position_id else None,
        "owner_position": (Position.get_or_none(Position.id == owner.position_id)
                           if owner and owner.position_id else None),
        "family": rt.family,
        "mode": mode_of(rt),
        "owned": rt.owned,
    }
    below = subordinate_users(user)
    steps["is_superior"] = bool(owner and below is not None
                                and below.where(User.id == owner.id).exists())
    up, op = steps["user_position"], steps["owner_position"]
    steps["same_position"] = bool(up and op and up.id == op.id)
    steps["owner_path"] = (op.ancestors() + [op]) if op else []
    steps["verdicts"] = {action: can(user, action, record, rt) for action in ACTIONS}
    return steps
