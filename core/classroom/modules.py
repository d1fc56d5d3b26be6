"""Modules per class: a plugin enabled for chosen classes only behaves, for everyone else, exactly as if
it were disabled — no menu entry, its pages answer 404, no widgets, no calendar items, no reminders.

The people above an enabled class (its teacher) keep it, so they can supervise; the administrator always
does."""
from flask import g, has_request_context

from core.classroom.models import ClassModule
from core.models import Position


def restrictions():
    """plugin -> [position paths] for plugins limited to some classes (cached per request)."""
    if has_request_context() and "class_modules" in g:
        return g.class_modules
    out = {}
    rows = (ClassModule.select(ClassModule.plugin, Position.path)
            .join(Position, on=(ClassModule.position == Position.id)).tuples())
    for plugin, path in rows:
        out.setdefault(plugin, []).append(path)
    if has_request_context():
        g.class_modules = out
    return out


def _user_path(user):
    if not user or not getattr(user, "position_id", None):
        return None
    pos = Position.get_or_none(Position.id == user.position_id)
    return pos.path if pos else None


def allowed(user, plugin):
    """May ``user`` use ``plugin``? (Only meaningful for enabled plugins.)"""
    paths = restrictions().get(plugin)
    if not paths:
        return True
    if user is None or not getattr(user, "is_authenticated", True):
        return False
    if getattr(user, "is_admin", False):
        return True
    mine = _user_path(user)
    if not mine:
        return False
    # inside an enabled class, or above one (its teacher)
    return any(mine.startswith(p) or p.startswith(mine) for p in paths)


def set_classes(plugin, position_ids):
    """Limit ``plugin`` to these classes (empty: school-wide again)."""
    from core.db import db
    with db.atomic():
        ClassModule.delete().where(ClassModule.plugin == plugin).execute()
        for pid in sorted(set(position_ids)):
            ClassModule.create(plugin=plugin, position=pid)
    if has_request_context():
        g.pop("class_modules", None)
