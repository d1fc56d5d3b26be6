"""Classroom pages: students' exercises, the instructor's overview, grid, student detail and grades."""
import csv
import datetime as dt
import io

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from core import clock
from core.classroom import bp, exercises as ex
from core.classroom.guards import instructor_required, language, my_student
from core.classroom.scope import classes_for, students_of
from core.models import User
from core.records import registry as records


# --- students: my exercises ---------------------------------------------------------------------------

@bp.route("/exercises")
@login_required
def my_exercises():
    available = ex.available_for(current_user)
    results = ex.results_for([current_user.id])
    earned = sum(results[(current_user.id, e.id)].points for e in available
                 if (current_user.id, e.id) in results)
    return render_template("core/classroom/my_exercises.html", exercises=available, results=results,
                           earned=earned, total=sum(e.points for e in available), lang=language())


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
        logged_in = students.where(User.last_login_at >= clock.real_utcnow() - dt.timedelta(days=7))  # sessions: real
        active = logged_in.count()
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
                           exercises=exercises, results=results, lang=language())


def _grades_csv(students, exercises, results):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    lang = language()
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
    student = my_student(user_id)
    available = ex.available_for(student)
    results = ex.results_for([student.id])
    return render_template("core/classroom/student.html", student=student, exercises=available,
                           results=results, lang=language())


@bp.route("/students/<int:user_id>/check", methods=["POST"])
@instructor_required
def check_student(user_id):
    student = my_student(user_id)
    ex.check(student, ex.available_for(student))
    flash(_("Exercises of %(name)s checked.", name=student.display_name), "success")
    return redirect(url_for("classroom.student", user_id=student.id))
