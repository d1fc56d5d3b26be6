"""Position tree operations (工作岗位): create, rename, move, delete, and the classroom template."""
from flask_babel import gettext as _
from peewee import Value, fn

from core.db import db, is_sqlite
from core.models import Position, User


class PositionError(Exception):
    pass


def create(name, parent=None, description=""):
    with db.atomic():
        pos = Position.create(name=name, parent=parent, description=description, path="",
                              depth=(parent.depth + 1) if parent else 0)
        pos.path = (parent.path if parent else "/") + f"{pos.id}/"
        pos.save()
    return pos


def move(position, new_parent):
    """Move a position (and its subtree) under ``new_parent`` (None: to the top)."""
    if new_parent is not None and (new_parent.id == position.id or new_parent.path.startswith(position.path)):
        raise PositionError(_("A position cannot move under itself or one of its own sub-positions."))
    old_path = position.path
    new_path = (new_parent.path if new_parent else "/") + f"{position.id}/"
    shift = (new_parent.depth + 1 if new_parent else 0) - position.depth
    with db.atomic():
        lower, upper = Position.descendant_bounds(old_path)
        subtree = (Position.path == old_path) | ((Position.path > lower) & (Position.path < upper))
        # one UPDATE rewrites the prefix of every path in the subtree
        tail = fn.SUBSTR(Position.path, len(old_path) + 1)
        new_value = Value(new_path).concat(tail) if is_sqlite() else fn.CONCAT(new_path, tail)
        Position.update(path=new_value, depth=Position.depth + shift).where(subtree).execute()
        Position.update(parent=new_parent).where(Position.id == position.id).execute()
    return Position.get_by_id(position.id)


def delete(position, reassign_to=None):
    """Delete an empty position; with ``reassign_to`` its users move there first. Children block deletion."""
    if Position.select().where(Position.parent == position.id).exists():
        raise PositionError(_("Move or delete the sub-positions of %(name)s first.", name=position.name))
    with db.atomic():
        holders = User.select().where(User.position == position.id)
        if holders.exists():
            if reassign_to is None:
                raise PositionError(_("%(name)s is held by %(count)d users: choose a position for them first.",
                                      name=position.name, count=holders.count()))
            User.update(position=reassign_to).where(User.position == position.id).execute()
        position.delete_instance()


def tree():
    """All positions as nested (position, children) pairs, ordered by path."""
    nodes = list(Position.select().order_by(Position.depth, Position.name))
    children = {}
    for p in nodes:
        children.setdefault(p.parent_id, []).append(p)

    def build(parent_id):
        return [(p, build(p.id)) for p in children.get(parent_id, [])]
    return build(None)


def classroom_template(classes=3, departments=2, teacher_name=None):
    """教师/Teacher → one position per class → departments → one salesperson position per department.

    Returns the created positions as {"teacher": pos, "classes": [...], "departments": [...],
    "salespeople": [...]}. Names follow the current language.
    """
    with db.atomic():
        teacher = create(teacher_name or _("Teacher"))
        out = {"teacher": teacher, "classes": [], "departments": [], "salespeople": []}
        for c in range(1, classes + 1):
            cls = create(_("Class %(n)d", n=c), teacher)
            out["classes"].append(cls)
            for d in range(1, departments + 1):
                dept = create(_("Class %(c)d Department %(d)d", c=c, d=d), cls)
                out["departments"].append(dept)
                out["salespeople"].append(create(_("Class %(c)d Department %(d)d Salesperson", c=c, d=d), dept))
    return out
