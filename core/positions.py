"""The position tree (工作岗位): create, rename, move, delete, and the classroom template — the domain logic
behind the admin pages, the ``zhixin positions`` commands and the access rules.

The tree is a materialized path of ids (``/1/4/9/``) on ``position.path`` (indexed). "Strictly below
``/1/4/``" is the range ``'/1/4/' < path < '/1/40'`` ('0' sorts right after '/'), so a subtree is one
indexed range query. Byte order matters: on PostgreSQL the comparison uses ``COLLATE "C"`` (a database
created with a natural-language collation could otherwise ignore the slashes), backed by the index that
core migration 0002 adds.
"""
import re

from peewee import Value, fn

from core import stamp
from core.babel import gettext
from core.db import db, is_postgres, is_sqlite
from core.models import Position, User

PATH_RE = re.compile(r"^/(\d+/)+$")
MAX_PATH = 255
MAX_CLASSES, MAX_DEPARTMENTS = 50, 20


def _(text, **variables):
    """gettext that also works outside a request (CLI, scheduler, tests): English then, unless a
    language is forced with ``flask_babel.force_locale``."""
    try:
        return gettext(text, **variables)
    except RuntimeError:  # no request and no forced locale: the locale selector needs a request
        return text % variables if variables else text


class PositionError(Exception):
    """A tree operation refused for a reason the administrator should read."""


def valid_path(path):
    return bool(path) and bool(PATH_RE.match(path))


def _path_column(table=Position):
    return table.path.collate('"C"') if is_postgres() else table.path


def below(path, include_self=False, table=Position):
    """A condition on ``Position`` (or its alias ``table``) true for the positions strictly below ``path``
    (and ``path`` itself with ``include_self``): one indexed range query."""
    if not valid_path(path):
        return Value(1) == 0  # a malformed path never widens anything
    expr = range_below(*Position.descendant_bounds(path), table=table)
    return ((_path_column(table) == path) | expr) if include_self else expr


def range_below(lower, upper, table=Position):
    """``lower < path < upper`` in byte order (the bounds from ``Position.descendant_bounds``)."""
    column = _path_column(table)
    return (column > lower) & (column < upper)


def range_from(lower, upper, table=Position):
    """``lower <= path < upper`` in byte order: the position ``lower`` itself and every position below it."""
    column = _path_column(table)
    return (column >= lower) & (column < upper)


def users_in(position, include_self=True):
    """A subquery of the ids of users holding ``position`` (with ``include_self``) or a position below it —
    a team filter for reports and lists; it narrows, never widens (visibility stays with core.access)."""
    return (User.select(User.id).join(Position, on=(User.position == Position.id))
            .where(below(position.path, include_self)))


def subtree(position, include_self=True):
    return Position.select().where(below(position.path, include_self))


def _clean_name(name):
    name = (name or "").strip()
    if not name:
        raise PositionError(_("Give the position a name."))
    if len(name) > 100:
        raise PositionError(_("A position name has at most 100 characters."))
    return name


def name_key(name):
    """How position names compare: ignoring case and surrounding spaces ("Class A " is "class a"), the same
    for a new position, a rename, a move and the roster import (one rule, so none can disagree)."""
    return (name or "").strip().casefold()


def child(parent, name, exclude=None):
    """The child of ``parent`` (None: a top position) named ``name`` by :func:`name_key`, or None.

    Compared in Python, not with SQL ``LOWER`` (which folds only ASCII on SQLite); siblings are few."""
    key = name_key(name)
    query = Position.select().where(Position.parent.is_null() if parent is None else (Position.parent == parent.id))
    if exclude is not None:
        query = query.where(Position.id != exclude.id)
    return next((p for p in query.order_by(Position.id) if name_key(p.name) == key), None)


def _check_sibling_name(name, parent, exclude=None):
    if child(parent, name, exclude) is not None:
        raise PositionError(_("There is already a position named %(name)s at this place in the tree.", name=name))


def create(name, parent=None, description=""):
    name = _clean_name(name)
    _check_sibling_name(name, parent)
    with db.atomic():
        pos = Position.create(name=name, parent=parent, description=description or "", path="",
                              depth=(parent.depth + 1) if parent else 0)
        pos.path = (parent.path if parent else "/") + f"{pos.id}/"
        if len(pos.path) > MAX_PATH:
            raise PositionError(_("The tree is too deep here: choose a parent higher up."))
        pos.save()
    return pos


def create_children(parent, names):
    """Several children of ``parent`` at once, in the order given (blank lines skipped): all or none."""
    cleaned = [_clean_name(n) for n in names if n and n.strip()]
    if not cleaned:
        raise PositionError(_("Give at least one name."))
    keys = [name_key(n) for n in cleaned]
    for i, key in enumerate(keys):
        if keys.index(key) != i:
            raise PositionError(_("%(name)s appears twice in the list.", name=cleaned[i]))
    with db.atomic():
        return [create(n, parent) for n in cleaned]


def rename(position, name, description=None):
    name = _clean_name(name)
    parent = Position.get_or_none(Position.id == position.parent_id) if position.parent_id else None
    _check_sibling_name(name, parent, exclude=position)
    position.name = name
    if description is not None:
        position.description = description
    position.save()
    return position


def move(position, new_parent):
    """Move a position (and its subtree) under ``new_parent`` (None: to the top)."""
    position = Position.get_by_id(position.id)  # paths as stored now, not as the caller last saw them
    new_parent = Position.get_by_id(new_parent.id) if new_parent is not None else None
    if new_parent is not None and (new_parent.id == position.id or new_parent.path.startswith(position.path)):
        raise PositionError(_("%(name)s cannot move under itself or one of its own sub-positions.",
                              name=position.name))
    if (new_parent.id if new_parent else None) == position.parent_id:
        return position
    _check_sibling_name(position.name, new_parent, exclude=position)
    old_path = position.path
    new_path = (new_parent.path if new_parent else "/") + f"{position.id}/"
    shift = (new_parent.depth + 1 if new_parent else 0) - position.depth
    deepest = subtree(position).select(fn.MAX(fn.LENGTH(Position.path))).scalar() or len(old_path)
    if deepest - len(old_path) + len(new_path) > MAX_PATH:
        raise PositionError(_("The tree is too deep here: choose a parent higher up."))
    with db.atomic():
        # one UPDATE rewrites the prefix of every path in the subtree
        tail = fn.SUBSTR(Position.path, len(old_path) + 1)
        new_value = Value(new_path).concat(tail) if is_sqlite() else fn.CONCAT(new_path, tail)
        Position.update(path=new_value, depth=Position.depth + shift).where(below(old_path, True)).execute()
        Position.update(parent=new_parent).where(Position.id == position.id).execute()
    return Position.get_by_id(position.id)


def holders(position):
    return User.select().where(User.position == position.id).order_by(User.full_name, User.username)


def delete(position, reassign_to=None):
    """Delete an empty position; with ``reassign_to`` its users move there first. Children block deletion."""
    if Position.select().where(Position.parent == position.id).exists():
        raise PositionError(_("Move or delete the sub-positions of %(name)s first.", name=position.name))
    if reassign_to is not None and reassign_to.id == position.id:
        raise PositionError(_("Choose another position for the users of %(name)s.", name=position.name))
    with db.atomic():
        count = holders(position).count()
        if count:
            if reassign_to is None:
                raise PositionError(_("%(name)s is held by %(count)d users: choose a position for them first.",
                                      name=position.name, count=count))
            User.update(position=reassign_to).where(User.position == position.id).execute()
        Position.delete().where(Position.id == position.id).execute()
    return count


def tree(with_users=False):
    """All positions as nested ``(position, children)`` pairs, siblings by name. With ``with_users`` each
    position gets a ``holders`` list (one query for all users)."""
    nodes = list(Position.select().order_by(Position.depth, Position.name))
    if with_users:
        by_position = {}
        for user in User.select().where(User.position.is_null(False)).order_by(User.full_name, User.username):
            by_position.setdefault(user.position_id, []).append(user)
        for p in nodes:
            p.holders = by_position.get(p.id, [])
    children = {}
    for p in nodes:
        children.setdefault(p.parent_id, []).append(p)

    def build(parent_id):
        return [(p, build(p.id)) for p in children.get(parent_id, [])]
    return build(None)


def flat(exclude=None):
    """``[(position, indented label)]`` in tree order, for select boxes; ``exclude`` drops a subtree."""
    out = []

    def walk(nodes):
        for p, kids in nodes:
            if exclude is not None and (p.id == exclude.id or p.path.startswith(exclude.path)):
                continue
            out.append((p, "\u3000" * p.depth + p.name))
            walk(kids)
    walk(tree())
    return out


def classroom_template(classes=3, departments=2, teacher_name=None):
    """教师/Teacher → one position per class → departments → one salesperson position per department.

    Returns the created positions as {"teacher": pos, "classes": [...], "departments": [...],
    "salespeople": [...]}. Names follow the current language.
    """
    if not (1 <= int(classes) <= MAX_CLASSES) or not (1 <= int(departments) <= MAX_DEPARTMENTS):
        raise PositionError(_("Choose 1 to %(classes)d classes and 1 to %(departments)d departments per class.",
                              classes=MAX_CLASSES, departments=MAX_DEPARTMENTS))
    teacher_name = teacher_name or _("Teacher")
    with db.atomic():
        if child(None, teacher_name) is not None:
            teacher_name = _("%(name)s (%(n)d)", name=teacher_name,
                             n=Position.select().where(Position.parent.is_null()).count() + 1)
        teacher = create(teacher_name)
        out = {"teacher": teacher, "classes": [], "departments": [], "salespeople": []}
        for c in range(1, classes + 1):
            cls = create(_("Class %(n)d", n=c), teacher)
            out["classes"].append(cls)
            for d in range(1, departments + 1):
                dept = create(_("Class %(c)d Department %(d)d", c=c, d=d), cls)
                out["departments"].append(dept)
                out["salespeople"].append(create(_("Class %(c)d Department %(d)d Salesperson", c=c, d=d), dept))
    return out


def cached_tree():
    """position id -> (path, parent id, name) for the whole tree, kept per process until a change to any
    position bumps the stamp (core.stamp); for the per-page questions (whose reach, has a team, the header)."""
    return stamp.cached("position_tree", lambda: {
        pid: (path, parent, name)
        for pid, path, parent, name in Position.select(Position.id, Position.path, Position.parent, Position.name)
        .tuples()})


def cached_parents():
    """The ids of positions with at least one position below them (from ``cached_tree``)."""
    return stamp.cached("position_parents", lambda: frozenset(
        parent for _path, parent, _name in cached_tree().values() if parent is not None))


def cached_name(position_id):
    """The name of a position from the cached tree, or None."""
    row = cached_tree().get(position_id) if position_id else None
    return row[2] if row else None
