"""Modules per class (每班模块): an enabled plugin can be switched off for single classes. For the students of
such a class it behaves exactly as if it were disabled — no menu entry, its pages answer 404, no widgets, no
calendar items, no reminders.

A ``ClassModule`` row means "off in this class"; a class without rows has every enabled module. A teacher
keeps a module while one class below them has it, the administrator always does, and users in no class
follow the school-wide switch. The table is cached per process and validated on each request by the
settings stamp (core.stamp), which every write to it bumps in the database, so every app server sharing the
database sees a change with its next request."""
from core import positions as position_tree, stamp
from core.classroom import audit
from core.classroom.models import ClassModule
from core.db import db
from core.models import Position


def _cached(key, load):
    """``load()`` once per version of the settings stamp (core.stamp: a write to the class modules or the
    positions on any app server bumps it, and the next request reloads)."""
    return stamp.cached(("class_modules", key), load)


def switched_off():
    """plugin -> {path of each class where it is off} (cached per request)."""
    def load():
        out = {}
        rows = (ClassModule.select(ClassModule.plugin, Position.path)
                .join(Position, on=(ClassModule.position == Position.id)).tuples())
        for plugin, path in rows:
            out.setdefault(plugin, set()).add(path)
        return out
    return _cached("off", load)


def _class_paths():
    return _cached("classes", lambda: [p for (p,) in Position.select(Position.path)
                                           .where(Position.depth == 1).tuples()])


def _user_path(user):
    if not getattr(user, "position_id", None):
        return None
    row = position_tree.cached_tree().get(user.position_id)
    return row[0] if row else None


def allowed(user, plugin):
    """May ``user`` use ``plugin``? (Only meaningful for enabled plugins.)"""
    off = switched_off().get(plugin)
    if not off or getattr(user, "is_admin", False):
        return True
    mine = _user_path(user) if getattr(user, "is_authenticated", False) else None
    if not mine:
        return True  # in no class: the school-wide switch decides
    ids = mine.strip("/").split("/")
    if len(ids) > 1:
        return f"/{ids[0]}/{ids[1]}/" not in off
    below = [c for c in _class_paths() if c.startswith(mine)]
    return not below or any(c not in off for c in below)  # a teacher: while one class below has it


def is_on_in(plugin, cls):
    """Is ``plugin`` on in the class ``cls`` (a position of depth 1)?"""
    return cls.path not in switched_off().get(plugin, ())


def _forget():
    stamp.forget()  # (the write has bumped the stamp already; this request, too, reads the new rows)


def set_state(plugin, cls, on):
    """Switch ``plugin`` on or off in one class; other classes' rows are not touched."""
    query = ClassModule.delete().where((ClassModule.plugin == plugin) & (ClassModule.position == cls.id))
    if on:
        query.execute()
    else:
        ClassModule.insert(plugin=plugin, position=cls.id).on_conflict_ignore().execute()
    _forget()


def set_classes(plugin, position_ids):
    """Limit ``plugin`` to these classes: off in every other class (empty: on in every class again)."""
    keep = set(position_ids)
    with db.atomic():
        ClassModule.delete().where(ClassModule.plugin == plugin).execute()
        if keep:
            others = Position.select(Position.id).where((Position.depth == 1) & Position.id.not_in(keep))
            rows = [(plugin, pid) for (pid,) in others.tuples()]
            if rows:
                ClassModule.insert_many(rows, fields=[ClassModule.plugin, ClassModule.position]).execute()
    _forget()


def apply(user, plugins, wanted):
    """Set the classes of ``wanted`` ({class position: names of the plugins on there}) for ``plugins``, in
    one transaction, writing only the cells that change (each audited as "modules"). Other classes and the
    school-wide switches are not touched; a save without changes is logged once. Returns ``[(plugin, class, on)]``."""
    changes = []
    with db.atomic():
        for cls, on_names in wanted.items():
            for plugin in plugins:
                on = plugin in on_names
                if on != is_on_in(plugin, cls):
                    set_state(plugin, cls, on)
                    audit.log("modules", user, position=cls, plugin=plugin, on=on)
                    changes.append((plugin, cls, on))
        if not changes:  # confirmed as they are: still a step of the set-up done
            audit.log("modules", user, classes=sorted(c.id for c in wanted), changes=0)
    return changes
