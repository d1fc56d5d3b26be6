"""The teaching log page (教学日志) and an instructor's unlock of a student's login."""
import datetime as dt

from flask import current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from core import clock, lockout
from core.babel import gettext as _, lazy_gettext as _l
from core.classroom import audit, bp, exercises as ex, roster
from core.classroom.guards import instructor_required, language, my_student
from core.classroom.scope import classes_for
from core.models import Position, User
from core.web import paginate

# Each teaching action in words; an action a newer module writes and this list lacks shows as its code.
ACTIONS = {
    "reset": _l("Class sandbox reset"),
    "clock_shift": _l("Teaching clock shifted"),
    "clock_reset": _l("Teaching clock back to real time"),
    "view_as": _l("Started viewing as a student"),
    "view_as_stop": _l("Stopped viewing as a student"),
    "grade_override": _l("Grade overridden"),
    "roster_import": _l("Roster imported"),
    "modules": _l("Modules per class changed"),
    "exercise_open": _l("Exercise opened"),
    "unlock": _l("Login unlocked"),
}
DETAILS = {
    "days": _l("Days"), "today": _l("Today is"), "student": _l("Student"), "account": _l("User name"),
    "counts": _l("Rows removed"), "kept_grades": _l("Grades kept"), "restarted": _l("Exercises restarted"),
    "exercise": _l("Exercise"), "deadline": _l("Deadline"), "before": _l("Points before"), "points": _l("Points"),
    "reason": _l("Reason"), "format": _l("File format"), "rows": _l("Rows"), "new_users": _l("New users"),
    "new_positions": _l("New positions"), "deactivated": _l("Deactivated"), "plugin": _l("Module"),
    "on": _l("On"), "classes": _l("Classes"), "changes": _l("Changes"),
}


@bp.route("/log")
@instructor_required
def teaching_log():
    ids = None if current_user.is_admin else [c.id for c in classes_for(current_user)]
    page = paginate(audit.query(ids))
    classes = {p.id: p.name for p in Position.select().where(Position.id.in_([e.record_id for e in page.items]))}
    users = {u.id: u.display_name for u in User.select().where(User.id.in_([e.user_id for e in page.items]))}
    rows = [{"entry": e, "action": ACTIONS.get(e.action, e.action), "class": classes.get(e.record_id),
             "user": users.get(e.user_id, "—"),
             "details": [(DETAILS.get(k, k), _shown(k, v)) for k, v in audit.details(e).items()]} for e in page.items]
    return render_template("core/classroom/teaching_log.html", page=page, rows=rows)


def _shown(key, value):
    """A detail as words: yes/no, a total of rows, exercise and module titles, class names, lists joined."""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if key == "counts" and isinstance(value, dict):
        return sum(n for n in value.values() if isinstance(n, int))
    if key in ("exercise", "restarted"):
        titles = {e.id: e.text(e.title, language()) for e in ex.all_exercises()}
        return "、".join(str(titles.get(v, v)) for v in (value if isinstance(value, list) else [value])) or "—"
    if key == "plugin":
        info = current_app.extensions["zhixin_plugins"].available.get(value)
        return info.title if info else value
    if key == "classes" and isinstance(value, list):
        return "、".join(p.name for p in Position.select().where(Position.id.in_(value)).order_by(Position.name))
    if key == "deadline" and value:
        return clock.to_local(dt.datetime.fromisoformat(str(value))).strftime("%Y-%m-%d %H:%M")
    if key == "format":
        return roster.FORMATS.get(value, value)
    if isinstance(value, list):
        return ", ".join(map(str, value)) or "—"
    return "—" if value in (None, "") else value


@bp.route("/students/<int:user_id>/unlock", methods=["POST"])
@instructor_required
def unlock_student(user_id):
    student = my_student(user_id)
    lockout.unlock(student, current_user)
    flash(_("The login of %(name)s is unlocked.", name=student.display_name), "success")
    return redirect(url_for("classroom.student", user_id=student.id))
