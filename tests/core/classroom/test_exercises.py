"""Exercises: a class sees an exercise once it is opened for it, students check their own work since then,
instructors see the class grid."""
import csv
import io

from core.classroom.models import Grade
from core.models import Lead

PLUGINS = ["forecast", "test_exercises"]


def _app(make_app, exercise_plugin, plugins=PLUGINS):
    """Another app on the same (already emptied) database, e.g. with campaigns on."""
    return make_app(plugins=plugins, extra_plugins=[exercise_plugin])


def _open(app, school, login, exercise, cls="class_a"):
    teacher = login(app.test_client(), school["teacher"])
    position = school["positions"][cls].id
    assert teacher.post(f"/classroom/classes/{position}/exercises/{exercise}/open").status_code == 302


def _qualify_a_lead(client):
    """The student's work, through the record form."""
    r = client.post("/records/lead/new", data={"last_name": "Zhao", "company": "East", "status": "qualified"})
    assert r.status_code == 302


def test_an_exercise_is_hidden_until_it_is_opened_for_the_class(make_app, exercise_plugin, school, login):
    app = _app(make_app, exercise_plugin, plugins=PLUGINS + ["campaigns"])
    alice = login(app.test_client(), school["alice"])
    assert 'data-exercise="qualify_lead"' not in alice.get("/classroom/exercises").get_data(as_text=True)
    _open(app, school, login, "qualify_lead")
    html = alice.get("/classroom/exercises").get_data(as_text=True)
    assert 'data-exercise="qualify_lead"' in html and 'data-exercise="campaign_thing"' not in html
    bob = login(app.test_client(), school["bob"])  # the class-B student: not opened for class B
    assert 'data-exercise="qualify_lead"' not in bob.get("/classroom/exercises").get_data(as_text=True)


def test_an_opened_exercise_needing_a_module_that_is_off_stays_hidden(make_app, exercise_plugin, school, login):
    app = _app(make_app, exercise_plugin)
    _open(app, school, login, "campaign_thing")  # campaigns is off
    html = login(app.test_client(), school["alice"]).get("/classroom/exercises").get_data(as_text=True)
    assert 'data-exercise="campaign_thing"' not in html


def test_check_passes_on_the_students_own_work_only(make_app, exercise_plugin, school, login):
    app = _app(make_app, exercise_plugin)
    _open(app, school, login, "qualify_lead")
    _qualify_a_lead(login(app.test_client(), school["manager_a"]))  # someone else's qualified lead does not count
    client = login(app.test_client(), school["alice"])
    client.post("/classroom/exercises/check")
    html = client.get("/classroom/exercises").get_data(as_text=True)
    assert 'data-exercise="qualify_lead" data-passed="no"' in html
    assert "Qualify one of your leads." in html
    _qualify_a_lead(client)
    client.post("/classroom/exercises/check")
    html = client.get("/classroom/exercises").get_data(as_text=True)
    assert 'data-exercise="qualify_lead" data-passed="yes"' in html
    assert '<p class="stat" data-progress>10 of 10 points</p>' in html


def test_instructor_grid_and_grade_export_show_results(make_app, exercise_plugin, school, login):
    app = _app(make_app, exercise_plugin)
    _open(app, school, login, "qualify_lead")
    alice = login(app.test_client(), school["alice"])
    _qualify_a_lead(alice)
    alice.post("/classroom/exercises/check")
    teacher = login(app.test_client(), school["teacher"])
    html = teacher.get("/classroom/grid").get_data(as_text=True)
    bob = school["bob"].username  # the class-B student
    assert 'data-student="alice"' in html and f'data-student="{bob}"' in html
    class_a = school["positions"]["class_a"].id
    only_a = teacher.get(f"/classroom/grid?class={class_a}").get_data(as_text=True)
    assert 'data-student="alice"' in only_a and f'data-student="{bob}"' not in only_a
    rows = list(csv.reader(io.StringIO(teacher.get("/classroom/grid?format=csv").get_data(as_text=True)
                                       .lstrip("\ufeff"))))
    points = {r[2]: (r[4], r[-3], r[-2]) for r in rows[1:]}  # qualify_lead, points, maximum
    assert points["alice"] == ("10", "10", "10")
    assert points["manager_a"] == ("0", "0", "10") and points["bob"] == ("0", "0", "10")
    assert points["carol"] == ("", "0", "0")  # class B: not opened there, so blank, not 0
    assert set(points) == {"alice", "bob", "carol", "deputy_a", "lead_a", "lead_b", "manager_a", "manager_b"}


def test_student_cannot_see_the_grid_or_another_students_progress(make_app, exercise_plugin, school, login):
    app = _app(make_app, exercise_plugin)
    client = login(app.test_client(), school["alice"])
    assert client.get("/classroom/grid").status_code == 403
    assert client.get(f"/classroom/students/{school['bob'].id}").status_code == 403
    class_a = school["positions"]["class_a"].id
    assert client.post(f"/classroom/classes/{class_a}/exercises/qualify_lead/open").status_code == 403


def test_scheduled_recheck_grades_the_students_who_see_the_exercise(make_app, exercise_plugin, school, login):
    from core.scheduler import all_jobs, run_job
    app = _app(make_app, exercise_plugin)
    _open(app, school, login, "qualify_lead")
    _qualify_a_lead(login(app.test_client(), school["manager_a"]))
    job = next(j for j in all_jobs(app) if j.id == "classroom.recheck_exercises")
    run_job(app, job)
    run_job(app, job)  # idempotent: still one grade per (student, exercise)
    grades = Grade.select().where(Grade.exercise == "qualify_lead")
    assert [(g.user_id, g.passed) for g in grades] == [(school["manager_a"].id, True)]
    assert Lead.select().where(Lead.company == "Acme").count() == 5  # the set-up: class A's five people
