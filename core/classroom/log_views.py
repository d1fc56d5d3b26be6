"""The teaching log page (教学日志) and an instructor's unlock of a student's login."""
from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from core import lockout
from core.classroom import audit, bp
from core.classroom.guards import instructor_required, my_student
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
DETAILS = {"days": _l("Days"), "today": _l("Today is"), "student": _l("Student"), "account": _l("User name")}


@bp.route("/log")
@instructor_required
def teaching_log():
    ids = None if current_user.is_admin else [c.id for c in classes_for(current_user)]
    page = paginate(audit.query(ids))
    classes = {p.id: p.name for p in Position.select().where(Position.id.in_([e.record_id for e in page.items]))}
    users = {u.id: u.display_name for u in User.select().where(User.id.in_([e.user_id for e in page.items]))}
    rows = [{"entry": e, "action": ACTIONS.get(e.action, e.action), "class": classes.get(e.record_id),
             "user": users.get(e.user_id, "—"),
             "details": [(DETAILS.get(k, k), v) for k, v in audit.details(e).items()]} for e in page.items]
    return render_template("core/classroom/teaching_log.html", page=page, rows=rows)


@bp.route("/students/<int:user_id>/unlock", methods=["POST"])
@instructor_required
def unlock_student(user_id):
    student = my_student(user_id)
    lockout.unlock(student, current_user)
    flash(_("The login of %(name)s is unlocked.", name=student.display_name), "success")
    return redirect(url_for("classroom.student", user_id=student.id))
