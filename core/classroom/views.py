"""Classroom pages: students' exercises, the instructor's overview, grid (with class re-checks), opening
exercises for a class, the student page (attempts, grade overrides) and the grade export."""
import datetime as dt

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, IntegerField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from core import clock, csvsafe
from core.babel import gettext as _, lazy_gettext as _l
from core.classroom import bp, exercises as ex
from core.classroom.guards import instructor_required, language, my_class, my_student
from core.classroom.scope import classes_for, students_of
from core.models import User
from core.records import registry as records
from core.web import fail


class OpenForm(FlaskForm):
    deadline = DateTimeLocalField(_l("Deadline"), format="%Y-%m-%dT%H:%M", validators=[Optional()])


class OverrideForm(FlaskForm):
    points = IntegerField(_l("Points"), validators=[InputRequired(), NumberRange(min=0)])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=500)])


def _exercise(exercise_id, user=None):
    """An exercise by id (one ``user`` sees, if given), or 404."""
    found = [e for e, _o in ex.visible_for(user)] if user is not None else ex.all_exercises()
    for exercise in found:
        if exercise.id == exercise_id:
            return exercise
    fail(404, _("No such exercise."))


# --- students: my exercises ---------------------------------------------------------------------------

@bp.route("/exercises")
@login_required
def my_exercises():
    visible = ex.visible_for(current_user)
    grades = ex.grades_for([current_user.id])
    earned = sum(grades[(current_user.id, e.id)].earned for e, _o in visible if (current_user.id, e.id) in grades)
    return render_template("core/classroom/my_exercises.html", visible=visible, grades=grades,
                           attempts=ex.latest_attempts([current_user.id]), earned=earned,
                           total=sum(e.points for e, _o in visible), lang=language())


@bp.route("/exercises/check", methods=["POST"])
@login_required
def check_my_exercises():
    results = ex.check(current_user)
    passed = sum(1 for r in results.values() if r.passed)
    flash(_("Checked %(count)d exercises: %(passed)d passed.", count=len(results), passed=passed), "success")
    return redirect(url_for("classroom.my_exercises"))


# --- instructor: overview, grid, class re-check, grades ---------------------------------------------------

def _students(cls):
    return list(students_of(cls).where(~User.is_admin))


@bp.route("/")
@instructor_required
def overview():
    week_ago = clock.utcnow() - dt.timedelta(days=7)
    rows = []
    for cls in classes_for(current_user):
        students = _students(cls)
        ids = [u.id for u in students]
        logged_in_since = clock.real_utcnow() - dt.timedelta(days=7)  # logins are stamped in real time
        active = sum(1 for u in students if u.last_login_at and u.last_login_at >= logged_in_since)
        created = {}
        for rt in records.registry().values():
            if rt.owned and ids:
                n = rt.model.select().where(rt.model.owner.in_(ids) & (rt.model.created_at >= week_ago)).count()
                if n:
                    created[rt.label_plural] = n
        rows.append({"class": cls, "students": len(ids), "active": active, "created": created,
                     "completion": ex.completion(students)})
    return render_template("core/classroom/overview.html", rows=rows)


@bp.route("/grid")
@instructor_required
def grid():
    classes = classes_for(current_user)
    chosen = request.args.get("class", type=int)
    students = [(cls, u) for cls in classes if chosen in (None, cls.id) for u in _students(cls)]
    exercises = ex.all_exercises()
    users = [u for _c, u in students]
    visible = ex.visible_by_student(users)
    grades = ex.grades_for([u.id for u in users])
    if request.args.get("format") == "csv":
        return _grades_csv(students, exercises, visible, grades)
    run = ex.latest_run(chosen) if chosen else None
    response = current_app.make_response(render_template(
        "core/classroom/grid.html", classes=classes, chosen=chosen, students=students, exercises=exercises,
        visible=visible, grades=grades, run=run, lang=language()))
    if run is not None and run.status in ("queued", "running"):
        response.headers["Refresh"] = "3"  # the progress counts up until the run is done
    return response


def _grades_csv(students, exercises, visible, grades):
    lang = language()
    header = ([_("Class"), _("Student number"), _("User name"), _("Full name")] + [e.text(e.title, lang) for e in exercises]
              + [_("Points"), _("Maximum points"), _("Late passes")])
    return csvsafe.response("grades.csv", header, _grade_rows(students, exercises, visible, grades, lang))


def _grade_rows(students, exercises, visible, grades, lang):
    for cls, user in students:
        seen = [e for e in exercises if e.id in visible[user.id]]
        cells = {e.id: grades.get((user.id, e.id)) for e in seen}
        points = [str(cells[e.id].earned if cells[e.id] else 0) if e.id in cells else "" for e in exercises]
        late = [e.text(e.title, lang) for e in seen if cells[e.id] and cells[e.id].late]
        yield ([cls.name, user.student_number or "", user.username, user.full_name] + points
               + [sum(g.earned for g in cells.values() if g), sum(e.points for e in seen), "; ".join(late)])


@bp.route("/classes/<int:position_id>/recheck", methods=["POST"])
@instructor_required
def recheck_class(position_id):
    cls = my_class(position_id)
    if not FlaskForm().validate_on_submit():
        fail(400, _("The form expired; reload the page and try again."))
    ex.enqueue_recheck(cls, current_user)
    ex.start_worker(current_app._get_current_object())
    flash(_("Re-checking every student of %(class)s.", **{"class": cls.name}), "success")
    return redirect(url_for("classroom.grid", **{"class": cls.id}))


@bp.route("/classes/<int:position_id>/exercises")
@instructor_required
def class_exercises(position_id):
    cls = my_class(position_id)
    openings = ex.openings(cls.id)
    deadlines = {eid: clock.to_local(o.deadline).strftime("%Y-%m-%dT%H:%M")
                 for eid, o in openings.items() if o.deadline}
    return render_template("core/classroom/class_exercises.html", cls=cls, exercises=ex.all_exercises(),
                           openings=openings, deadlines=deadlines, form=OpenForm(), lang=language())


@bp.route("/classes/<int:position_id>/exercises/<exercise_id>/open", methods=["POST"])
@instructor_required
def open_exercise(position_id, exercise_id):
    cls = my_class(position_id)
    exercise = _exercise(exercise_id)
    form = OpenForm()
    if not form.validate_on_submit():
        fail(400, "; ".join(str(m) for messages in form.errors.values() for m in messages))
    deadline = clock.to_utc(form.deadline.data) if form.deadline.data else None
    try:
        ex.open_for_class(exercise, cls, current_user, deadline)
    except ex.SetupError as exc:
        fail(409, _("The set-up of this exercise failed, so it was not opened: %(error)s", error=str(exc)[:300]))
    flash(_("“%(exercise)s” is open for %(class)s.", exercise=exercise.text(exercise.title, language()),
            **{"class": cls.name}), "success")
    return redirect(url_for("classroom.class_exercises", position_id=cls.id))


@bp.route("/students/<int:user_id>")
@instructor_required
def student(user_id):
    return _student_page(my_student(user_id))


def _student_page(student, form=None, failed=None, status=200):
    visible = ex.visible_for(student)
    return render_template("core/classroom/student.html", student=student, visible=visible,
                           grades=ex.grades_for([student.id]), attempts=ex.attempts_of(student),
                           form=form or OverrideForm(formdata=None), failed=failed,
                           titles={e.id: e.text(e.title, language()) for e, _o in visible},
                           lang=language()), status


@bp.route("/students/<int:user_id>/check", methods=["POST"])
@instructor_required
def check_student(user_id):
    student = my_student(user_id)
    ex.check(student)
    flash(_("Exercises of %(name)s checked.", name=student.display_name), "success")
    return redirect(url_for("classroom.student", user_id=student.id))


@bp.route("/students/<int:user_id>/grades/<exercise_id>", methods=["POST"])
@instructor_required
def override_grade(user_id, exercise_id):
    student = my_student(user_id)
    exercise = _exercise(exercise_id, student)
    form = OverrideForm()
    valid = form.validate_on_submit()
    if valid and form.points.data > exercise.points:
        form.points.errors.append(_("At most %(points)d points.", points=exercise.points))
    elif valid:
        ex.override(student, exercise, form.points.data, form.reason.data.strip(), current_user)
        flash(_("Grade of %(name)s changed.", name=student.display_name), "success")
        return redirect(url_for("classroom.student", user_id=student.id))
    return _student_page(student, form, failed=exercise.id, status=400)
