"""Pages of the classroom tools."""
import csv
import datetime as dt
import io
from functools import wraps

from flask import (Response, abort, current_app, flash, g, redirect, render_template, request, session,
                   url_for)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, HiddenField, IntegerField
from wtforms.validators import NumberRange, Optional

from core import clock
from core.classroom import bp, exercises as ex, modules, roster, sandbox
from core.classroom.scope import classes_for, is_instructor, students_of
from core.db import db
from core.models import Organisation, Position, User
from core.records import registry as records
from core.web import fail


def instructor_required(view):
    @wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        if not is_instructor(current_user):
            abort(403)
        return view(*args, **kwargs)
    return wrapper


def _my_class(position_id):
    """A class the current instructor looks after, or 404."""
    for cls in classes_for(current_user):
        if cls.id == position_id:
            return cls
    abort(404)


def _my_student(user_id):
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


def _language():
    return "zh" if str(get_locale() or "zh").startswith("zh") else "en"


# --- students: my exercises ---------------------------------------------------------------------------

@bp.route("/exercises")
@login_required
def my_exercises():
    available = ex.available_for(current_user)
    results = ex.results_for([current_user.id])
    earned = sum(results[(current_user.id, e.id)].points for e in available
                 if (current_user.id, e.id) in results)
    return render_template("core/classroom/my_exercises.html", exercises=available, results=results,
                           earned=earned, total=sum(e.points for e in available), lang=_language())


@bp.route("/exercises/check", methods=["POST"])
@login_required
def check_my_exercises():
    available = ex.available_for(current_user)
    results = ex.check(current_user, available)
    passed = sum(1 for r in results.values() if r.passed)
    flash(_("Checked %(count)d exercises: %(passed)d passed.", count=len(results), passed=passed), "success")
    return redirect(url_for("classroom.my_exercises"))


# --- instructor: overview, grid, student detail, grades -------------------------------------------------

@bp.route("/")
@instructor_required
def overview():
    week_ago = clock.utcnow() - dt.timedelta(days=7)
    exercise_ids = [e.id for e in ex.all_exercises()]
    rows = []
    for cls in classes_for(current_user):
        students = students_of(cls)
        ids = [u.id for u in students]
        active = students.where(User.last_login_at >= week_ago).count()
        created = {}
        for rt in records.registry().values():
            if rt.owned and ids:
                n = rt.model.select().where(rt.model.owner.in_(ids) & (rt.model.created_at >= week_ago)).count()
                if n:
                    created[rt.label_plural] = n
        rows.append({"class": cls, "students": len(ids), "active": active, "created": created,
                     "completion": ex.completion(ids, exercise_ids)})
    return render_template("core/classroom/overview.html", rows=rows)


@bp.route("/grid")
@instructor_required
def grid():
    classes = classes_for(current_user)
    chosen = request.args.get("class", type=int)
    shown = [c for c in classes if chosen in (None, c.id)]
    students = []
    for cls in shown:
        students += [(cls, u) for u in students_of(cls) if not u.is_admin]
    exercises = ex.all_exercises()
    results = ex.results_for([u.id for _, u in students])
    if request.args.get("format") == "csv":
        return _grades_csv(students, exercises, results)
    return render_template("core/classroom/grid.html", classes=classes, chosen=chosen, students=students,
                           exercises=exercises, results=results, lang=_language())


def _grades_csv(students, exercises, results):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    lang = _language()
    writer.writerow([_("Class"), _("Student number"), _("User name"), _("Name")]
                    + [e.text(e.title, lang) for e in exercises] + [_("Points")])
    for cls, user in students:
        points = [results[(user.id, e.id)].points if (user.id, e.id) in results else 0 for e in exercises]
        writer.writerow([cls.name, user.student_number or "", user.username, user.full_name] + points
                        + [sum(points)])
    return Response("\ufeff" + buffer.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=grades.csv"})


@bp.route("/students/<int:user_id>")
@instructor_required
def student(user_id):
    student = _my_student(user_id)
    available = ex.available_for(student)
    results = ex.results_for([student.id])
    return render_template("core/classroom/student.html", student=student, exercises=available,
                           results=results, lang=_language())


@bp.route("/students/<int:user_id>/check", methods=["POST"])
@instructor_required
def check_student(user_id):
    student = _my_student(user_id)
    ex.check(student, ex.available_for(student))
    flash(_("Exercises of %(name)s checked.", name=student.display_name), "success")
    return redirect(url_for("classroom.student", user_id=student.id))


# --- roster import -------------------------------------------------------------------------------------

class RosterForm(FlaskForm):
    file = FileField(_l("Roster (CSV)"))
    content = HiddenField()


@bp.route("/roster", methods=["GET", "POST"])
@instructor_required
def roster_import():
    form = RosterForm()
    if not form.validate_on_submit():
        return render_template("core/classroom/roster.html", form=form, result=None)
    data = form.content.data
    if form.file.data:
        raw = form.file.data.read(current_app.config["MAX_UPLOAD_BYTES"] + 1)
        if len(raw) > current_app.config["MAX_UPLOAD_BYTES"]:
            fail(413, _("The roster file is too large."))
        data = raw
    if not data:
        form.file.errors = [_("Choose a CSV file.")]
        return render_template("core/classroom/roster.html", form=form, result=None)
    result = roster.parse(data)
    text = data.decode("utf-8-sig", "replace") if isinstance(data, bytes) else data
    if request.form.get("action") != "commit" or not result.ok:
        form.content.data = text
        return render_template("core/classroom/roster.html", form=form, result=result)
    created = roster.commit(result, password_method=current_app.config.get("PASSWORD_METHOD"))
    return render_template("core/classroom/roster_done.html", created=created,
                           sheet=roster.sheet_csv(created))


# --- class sandbox -------------------------------------------------------------------------------------

@bp.route("/sandbox")
@instructor_required
def sandboxes():
    rows = [(cls, sum(sandbox.record_counts(cls).values())) for cls in classes_for(current_user)]
    return render_template("core/classroom/sandboxes.html", rows=rows)


@bp.route("/sandbox/<int:position_id>", methods=["GET", "POST"])
@instructor_required
def sandbox_reset(position_id):
    cls = _my_class(position_id)
    counts = sandbox.record_counts(cls)
    total = sum(counts.values())
    if request.method == "POST":
        if request.form.get("confirm_name", "").strip() != cls.name:
            flash(_("Type the class name exactly to confirm."), "error")
        else:
            try:
                deleted = sandbox.reset(cls, reload_demo=bool(request.form.get("reload")))
            except Exception as exc:  # integrity errors from plugin rows: nothing changed
                current_app.logger.warning("sandbox reset of %s failed: %s", cls.name, exc)
                fail(409, _("The reset was undone: some records of this class are still referenced (%(error)s).",
                            error=str(exc)[:200]))
            flash(_("%(class)s reset: %(count)d records deleted.", **{"class": cls.name, "count": deleted}),
                  "success")
            return redirect(url_for("classroom.sandboxes"))
    labels = {name: records.get(name).label_plural for name in counts}
    return render_template("core/classroom/sandbox_confirm.html", cls=cls, counts=counts, total=total,
                           labels=labels)


# --- modules per class ---------------------------------------------------------------------------------

@bp.route("/modules", methods=["GET", "POST"])
@login_required
def class_modules():
    if not current_user.is_admin:
        abort(403)
    plugins = current_app.extensions["zhixin_plugins"]
    classes = classes_for(current_user)
    if request.method == "POST":
        valid = {c.id for c in classes}
        for name in plugins.order:
            chosen = [int(v) for v in request.form.getlist(f"classes-{name}") if v.isdigit() and int(v) in valid]
            modules.set_classes(name, chosen if request.form.get(f"scope-{name}") == "classes" else [])
        flash(_("Modules per class saved."), "success")
        return redirect(url_for("classroom.class_modules"))
    current = {}
    for name in plugins.order:
        current[name] = set(modules.restrictions().get(name, []))
    return render_template("core/classroom/modules.html", plugins=plugins, classes=classes, current=current)


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
        _set_offset(org, 0)
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
        _set_offset(org, days * 86400)
        flash(_("Today is now %(date)s for everyone.", date=(real_today + dt.timedelta(days=days)).isoformat()),
              "success")
        return redirect(url_for("classroom.teaching_clock"))
    return render_template("core/classroom/clock.html", form=form, org=org)


def _set_offset(org, seconds):
    with db.atomic():
        Organisation.update(clock_offset_seconds=seconds).where(Organisation.id == 1).execute()
    clock.set_offset(dt.timedelta(seconds=seconds))
    g.pop("org_profile", None)


# --- view as student -----------------------------------------------------------------------------------

@bp.route("/view-as/<int:user_id>", methods=["POST"])
@instructor_required
def view_as(user_id):
    student = _my_student(user_id)
    session["view_as"] = student.id
    flash(_("You see the application as %(name)s sees it. Nothing can be changed.", name=student.display_name),
          "info")
    return redirect(url_for("main.home"))


@bp.route("/view-as/stop", methods=["POST"])
@login_required
def stop_view_as():
    student_id = session.pop("view_as", None)
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


