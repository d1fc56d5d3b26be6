"""Who may use the instructor pages, and the classes and students an instructor may reach (404 otherwise)."""
from functools import wraps

from flask import abort
from flask_babel import get_locale
from flask_login import current_user, login_required

from core.classroom.scope import classes_for, is_instructor
from core.models import Position, User


def instructor_required(view):
    @wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        if not is_instructor(current_user):
            abort(403)
        return view(*args, **kwargs)
    return wrapper


def my_class(position_id):
    """A class the current instructor looks after, or 404."""
    for cls in classes_for(current_user):
        if cls.id == position_id:
            return cls
    abort(404)


def my_student(user_id):
    student = User.get_or_none(User.id == user_id)
    if student is None or student.is_admin:
        abort(404)
    if current_user.is_admin:
        return student
    paths = [c.path for c in classes_for(current_user)]
    pos = Position.get_or_none(Position.id == student.position_id) if student.position_id else None
    if pos is None or not any(pos.path.startswith(p) for p in paths):
        abort(404)
    return student


def language():
    return "zh" if str(get_locale() or "zh").startswith("zh") else "en"
