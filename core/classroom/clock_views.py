"""Classroom pages: the teaching clock and view-as-student, each change written to the teaching log."""
import datetime as dt

from flask import flash, g, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField
from wtforms.validators import NumberRange, Optional

from core import clock
from core.babel import gettext as _, lazy_gettext as _l
from core.classroom import audit, bp
from core.classroom.guards import instructor_required, my_student
from core.classroom.scope import class_of, is_instructor
from core.db import db
from core.models import Organisation, User
from core.web import fail


# --- teaching clock ------------------------------------------------------------------------------------

class ClockForm(FlaskForm):
    today = DateField(_l("Today is"), validators=[Optional()])
    days = IntegerField(_l("or shift by days"), validators=[Optional(), NumberRange(-3660, 3660)])


@bp.route("/clock", methods=["GET", "POST"])
@instructor_required
def teaching_clock():
    org = Organisation.get_profile()
    form = ClockForm()
    if request.method == "POST" and request.form.get("action") == "reset":
        _set_offset(org, 0, "clock_reset")
        flash(_("The clock is back to real time."), "success")
        return redirect(url_for("classroom.teaching_clock"))
    if form.validate_on_submit():
        real_today = (clock.local_now() - clock.offset()).date()
        if form.today.data:
            days = (form.today.data - real_today).days
        elif form.days.data is not None:
            days = form.days.data
        else:
            form.today.errors = [_("Choose a date or a number of days.")]
            return render_template("core/classroom/clock.html", form=form, org=org)
        today = (real_today + dt.timedelta(days=days)).isoformat()
        _set_offset(org, days * 86400, "clock_shift", days=days, today=today)
        flash(_("Today is now %(date)s for everyone.", date=today), "success")
        return redirect(url_for("classroom.teaching_clock"))
    return render_template("core/classroom/clock.html", form=form, org=org)


def _set_offset(org, seconds, action, **details):
    with db.atomic():
        Organisation.update(clock_offset_seconds=seconds).where(Organisation.id == 1).execute()
        audit.log(action, current_user, **details)
    clock.set_offset(dt.timedelta(seconds=seconds))
    g.pop("org_profile", None)


# --- view as student -----------------------------------------------------------------------------------

@bp.route("/view-as/<int:user_id>", methods=["POST"])
@instructor_required
def view_as(user_id):
    student = my_student(user_id)
    audit.log("view_as", current_user, position=class_of(student), student=student.username)
    session["view_as"] = student.id
    flash(_("You see the application as %(name)s sees it. Nothing can be changed.", name=student.display_name),
          "info")
    return redirect(url_for("main.home"))


@bp.route("/view-as/stop", methods=["POST"])
@login_required
def stop_view_as():
    student_id = session.pop("view_as", None)
    student = User.get_or_none(User.id == student_id) if student_id else None
    if student is not None:
        audit.log("view_as_stop", g.get("view_as_real_user") or current_user, position=class_of(student),
                  student=student.username)
    return redirect(url_for("classroom.student", user_id=student_id) if student_id else url_for("main.home"))


SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


@bp.before_app_request
def _apply_view_as():
    """While an instructor views as a student: the student is the current user, and nothing can change."""
    student_id = session.get("view_as")
    if not student_id:
        return None
    real = current_user._get_current_object()
    if not getattr(real, "is_authenticated", False) or not is_instructor(real):
        session.pop("view_as", None)
        return None
    student = User.get_or_none(User.id == student_id)
    if student is None:
        session.pop("view_as", None)
        return None
    g.view_as_real_user = real
    g._login_user = student
    if request.method not in SAFE_METHODS and request.endpoint != "classroom.stop_view_as":
        fail(403, _("You are viewing as a student: this view is read-only. Stop viewing as the student first."))
    return None
