"""Modules per class as a class × module grid: a teacher switches modules for the classes below them (the
administrator for all), effective with the next request on every app server, leaving other classes and the
school-wide switches untouched."""
import importlib

import pytest

from core import positions as tree
from core.classroom import modules
from core.classroom.models import ClassModule
from core.db import db
from core.models import AuditEntry, PluginState, User


def grid(client, cells, classes):
    """Save the grid as the browser sends it: each class on the page, and the ticked (class, module) cells."""
    data = {"class": [str(c.id) for c in classes]}
    for cls, plugin in cells:
        data.setdefault(f"on-{cls.id}", []).append(plugin)
    return client.post("/classroom/modules", data=data)


def rows_of(cls):
    return [tuple(r) for r in ClassModule.select().where(ClassModule.position == cls.id).order_by(ClassModule.id).tuples()]


def switches():
    return [tuple(r) for r in PluginState.select().order_by(PluginState.id).tuples()]


@pytest.fixture
def teacher(capp, school, login):
    User.update(language="zh").where(User.id == school["teacher"].id).execute()
    return login(capp.test_client(), school["teacher"])


def test_a_teacher_switches_a_module_off_for_one_class_and_the_next_request_sees_it(
        make_app, exercise_plugin, capp, school, teacher, login):
    class_a, class_b = school["positions"]["class_a"], school["positions"]["class_b"]
    PluginState.create(name="forecast", enabled=True)
    modules.set_state("test_exercises", class_b, on=False)
    before_b, before_switches = rows_of(class_b), switches()
    html = teacher.get("/classroom/modules").get_data(as_text=True)
    assert "按班级启用模块" in html and f'data-cell="{class_a.id}-forecast" aria-label="Class A: 销售预期管理" checked' in html
    assert '<th data-module="forecast"' in html and ">forecast</th>" not in html  # the module's title, not its code
    page = grid(teacher, [(class_a, "test_exercises")], [class_a])  # forecast unticked for class A
    assert page.status_code == 302
    assert rows_of(class_b) == before_b and switches() == before_switches  # byte for byte
    other_server = make_app(plugins=["forecast", "test_exercises"], extra_plugins=[exercise_plugin], PAGE_SIZE=17)
    assert other_server is not capp
    for server in (capp, other_server):
        assert login(server.test_client(), school["alice"]).get("/forecast/", follow_redirects=True).status_code == 404
        assert login(server.test_client(), school["bob"]).get("/forecast/", follow_redirects=True).status_code == 200
        assert login(server.test_client(), school["teacher"]).get("/forecast/",
                                                                   follow_redirects=True).status_code == 200
    grid(teacher, [(class_a, "forecast"), (class_a, "test_exercises")], [class_a])
    assert login(other_server.test_client(), school["alice"]).get("/forecast/",
                                                                  follow_redirects=True).status_code == 200
    assert rows_of(class_a) == [] and rows_of(class_b) == before_b


def test_a_teacher_cannot_change_another_teachers_classes(capp, school, teacher):
    other_class = tree.create("Class Z", tree.create("Other teacher"))
    page = grid(teacher, [], [other_class])
    assert page.status_code == 403 and "您只能更改自己班级的模块。" in page.get_data(as_text=True)
    assert ClassModule.select().count() == 0
    assert "Class Z" not in teacher.get("/classroom/modules").get_data(as_text=True)
    assert grid(teacher, [], [school["positions"]["class_a"]]).status_code == 302  # their own class: fine


def test_the_administrator_edits_every_class_and_a_student_none(capp, school, login):
    other_class = tree.create("Class Z", tree.create("Other teacher"))
    admin = login(capp.test_client(), school["admin"])
    assert "Class Z" in admin.get("/classroom/modules").get_data(as_text=True)
    assert grid(admin, [], [other_class]).status_code == 302
    assert {r.plugin for r in ClassModule.select().where(ClassModule.position == other_class.id)} == {
        "forecast", "test_exercises"}
    assert login(capp.test_client(), school["alice"]).post("/classroom/modules", data={}).status_code == 403


def test_changes_are_in_the_teaching_log_and_tick_the_setup_step(capp, school, teacher, login):
    admin = login(capp.test_client(), school["admin"])
    assert 'data-step="modules" data-done="no"' in admin.get("/admin/").get_data(as_text=True)
    class_a = school["positions"]["class_a"]
    grid(teacher, [], [class_a])
    logged = AuditEntry.select().where((AuditEntry.record_type == "teaching") & (AuditEntry.action == "modules"))
    assert sorted(e.record_id for e in logged) == [class_a.id, class_a.id]
    assert 'data-step="modules" data-done="yes"' in admin.get("/admin/").get_data(as_text=True)


def test_a_teacher_keeps_a_module_while_one_of_their_classes_has_it(capp, school, login):
    class_a, class_b = school["positions"]["class_a"], school["positions"]["class_b"]
    teacher = login(capp.test_client(), school["teacher"])
    modules.set_state("forecast", class_a, on=False)
    assert teacher.get("/forecast/", follow_redirects=True).status_code == 200
    modules.set_state("forecast", class_b, on=False)
    assert teacher.get("/forecast/", follow_redirects=True).status_code == 404
    outsider = login(capp.test_client(), school["outsider"])  # in no class: the school-wide switch decides
    assert outsider.get("/forecast/", follow_redirects=True).status_code == 200


def test_the_migration_turns_old_class_limits_around(capp, school):
    """Migration 0003: "on only in these classes" rows become "off in the others", and back."""
    class_a, class_b = school["positions"]["class_a"], school["positions"]["class_b"]
    step = importlib.import_module("core.classroom.migrations.0003_class_module_off")
    ClassModule.create(plugin="forecast", position=class_a)  # the old meaning: forecast for class A only
    step.up(None, db)
    assert [(r.plugin, r.position_id) for r in ClassModule.select()] == [("forecast", class_b.id)]
    step.down(None, db)
    assert [(r.plugin, r.position_id) for r in ClassModule.select()] == [("forecast", class_a.id)]
