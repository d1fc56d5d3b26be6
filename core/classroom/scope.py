"""Who is an instructor, and which classes they look after."""
from core import positions as position_tree
from core.models import Position, User


def is_instructor(user):
    """The administrator, or whoever holds a top position (the 教师/Teacher position of the class template)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_admin:
        return True
    row = position_tree.cached_tree().get(user.position_id) if user.position_id else None
    return row is not None and row[1] is None  # (core's cached tree: the menu asks on every page)


def classes_for(user):
    """The class positions (children of a top position) the instructor looks after, by name."""
    query = Position.select().where(Position.depth == 1).order_by(Position.name)
    if user.is_admin:
        return list(query)
    root = Position.get_or_none(Position.id == user.position_id)
    if root is None:
        return []
    return list(query.where(Position.parent == root.id))


def students_of(position):
    """Users in a class (the position and everything below it), ordered by user name."""
    return User.select().where(User.id.in_(position_tree.users_in(position))).order_by(User.username)


def class_of(user):
    """The class position (a child of a top position) ``user`` sits in or below, or None."""
    pos = Position.get_or_none(Position.id == user.position_id) if user.position_id else None
    if pos is None or pos.depth < 1:
        return None
    return Position.get_or_none(Position.id == int(pos.path.strip("/").split("/")[1]))
