"""Exercises: students see and check their own, instructors see the class grid."""
import csv
import io

from core.models import Lead

PLUGINS = ["forecast", "test_exercises"]


def _app(make_app, exercise_plugin, plugins=PLUGINS):
    """Another app on the same (already emptied) database, e.g. with campaigns on."""
    return make_app(plugins=plugins, extra_plugins=[exercise_plugin])


def _lead(owner, status="new"):
    return Lead.create(last_name="Li", company="ACME", owner=owner, status=status)


def test_student_sees_only_exercises_whose_modules_are_enabled(make_app, exercise_plugin, school, login):
    app = _app(make_app, exercise_plugin)
    html = login(app.test_client(), school["alice"]).get("/classroom/exercises").get_data(as_text=True)
    assert 'data-exercise="qualify_lead"' in html
    assert 'data-exercise="campaign_thing"' not in html  # campaigns is off


def test_exercise_needing_an_enabled_module_is_listed(make_app, exercise_plugin, school, login):
    app = _app(make_app, exercise_plugin, plugins=PLUGINS + ["campaigns"])
    html = login(app.test_client(), school["alice"]).get("/classroom/exercises").get_data(as_text=True)
    assert 'data-exercise="campaign_thing"' in html


def test_check_passes_on_the_students_own_data_only(make_app, exercise_plugin, school, login):
    app = _app(make_app, exercise_plugin)
    _lead(school["bob"], "qualified")  # someone else's qualified lead does not count
    client = login(app.test_client(), school["alice"])
    client.post("/classroom/exercises/check")
    html = client.get("/classroom/exercises").get_data(as_text=True)
    assert 'data-exercise="qualify_lead" data-passed="no"' in html
    _lead(school["alice"], "qualified")
    client.post("/classroom/exercises/check")
    html = client.get("/classroom/exercises").get_data(as_text=True)
    assert 'data-exercise="qualify_lead" data-passed="yes"' in html
    assert "<p class=\"stat\" data-progress>10 of 10 points</p>" in html


def test_instructor_grid_and_grade_export_show_results(make_app, exercise_plugin, school, login):
    app = _app(make_app, exercise_plugin)
    _lead(school["alice"], "qualified")
    login(app.test_client(), school["alice"]).post("/classroom/exercises/check")
    login(app.test_client(), school["bob"]).post("/classroom/exercises/check")
    teacher = login(app.test_client(), school["teacher"])
    html = teacher.get("/classroom/grid").get_data(as_text=True)
    bob = school["bob"].username  # the class-B student
    assert 'data-student="alice"' in html and f'data-student="{bob}"' in html
    class_a = school["positions"]["class_a"].id
    only_a = teacher.get(f"/classroom/grid?class={class_a}").get_data(as_text=True)
    assert 'data-student="alice"' in only_a and f'data-student="{bob}"' not in only_a
    rows = list(csv.reader(io.StringIO(teacher.get("/classroom/grid?format=csv").get_data(as_text=True)
                                       .lstrip("\ufeff"))))
    points = {r[2]: r[-1] for r in rows[1:]}
    assert points == {"alice": "10", "bob": "0", "carol": "0", "deputy_a": "0", "lead_a": "0", "lead_b": "0",
                      "manager_a": "0", "manager_b": "0"}  # every user of the shared school below the teacher


def test_student_cannot_see_the_grid_or_another_students_progress(make_app, exercise_plugin, school, login):
    app = _app(make_app, exercise_plugin)
    client = login(app.test_client(), school["alice"])
    assert client.get("/classroom/grid").status_code == 403
    assert client.get(f"/classroom/students/{school['bob'].id}").status_code == 403


def test_scheduled_recheck_stores_results_for_every_student(make_app, exercise_plugin, school):
    from core.classroom.models import ExerciseResult
    from core.scheduler import all_jobs, run_job
    app = _app(make_app, exercise_plugin)
    _lead(school["bob"], "qualified")
    job = next(j for j in all_jobs(app) if j.id == "classroom.recheck_exercises")
    run_job(app, job)
    run_job(app, job)  # idempotent: still one row per (student, exercise)
    rows = {(r.user_id, r.passed) for r in ExerciseResult.select().where(ExerciseResult.exercise == "qualify_lead")}
    assert (school["bob"].id, True) in rows and (school["alice"].id, False) in rows
    # one row per user with a position in the shared school (the teacher and the eight below)
    assert ExerciseResult.select().where(ExerciseResult.exercise == "qualify_lead").count() == 9
