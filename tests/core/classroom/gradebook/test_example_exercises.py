"""The bundled example exercises cannot be passed by accident: with a class's demo data loaded, a student who
did nothing fails; the work done through the forms after the exercise opened passes."""
import datetime as dt
import os
import re
import sys

import pytest

from core.models import Lead
from tests.core.classroom.gradebook.conftest import acme_of, set_lead_status

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
sys.path.insert(0, os.path.join(ROOT, "examples", "exercise-plugin"))
import zhixin_lab_exercises  # noqa: E402  (the example plugin, loaded in-process from its folder)


@pytest.fixture
def lab_app(make_app):
    """Built before any row is written (building empties the tables)."""
    return make_app(plugins=["lab_exercises"], extra_plugins=[zhixin_lab_exercises])


@pytest.fixture
def lab(lab_app, make_school, login):
    return lab_app, make_school(language="zh"), lambda user: login(lab_app.test_client(), user)


def test_demo_data_passes_nothing_and_the_students_own_work_does(lab, frozen_clock):
    app, people, as_user = lab
    start = frozen_clock(dt.datetime(2026, 5, 15, 2, 0))
    teacher = as_user(people["teacher"])
    class_a = people["positions"]["class_a"]
    reset = teacher.post(f"/classroom/sandbox/{class_a.id}", data={"confirm_name": class_a.name, "reload": "1"})
    assert reset.status_code == 302
    worked = Lead.select().where(Lead.status.in_(("qualified", "converted"))).order_by(Lead.id).first()
    assert worked is not None
    alice = worked.owner  # a student whose demo data has a qualified or converted lead already
    frozen_clock(start + dt.timedelta(minutes=1))
    for exercise in ("lab.qualify_lead", "lab.close_above_quota"):
        assert teacher.post(f"/classroom/classes/{class_a.id}/exercises/{exercise}/open").status_code == 302
    frozen_clock(start + dt.timedelta(minutes=2))
    student = as_user(alice)
    student.post("/classroom/exercises/check")
    html = student.get("/classroom/exercises").get_data(as_text=True)
    assert 'data-exercise="lab.qualify_lead" data-passed="no"' in html
    assert 'data-exercise="lab.close_above_quota" data-passed="no"' in html
    set_lead_status(student, acme_of(alice), "qualified")
    student.post("/classroom/exercises/check")
    html = student.get("/classroom/exercises").get_data(as_text=True)
    assert 'data-exercise="lab.qualify_lead" data-passed="yes"' in html
    assert "你已有一条状态为“合格”的线索。" in html


def test_a_reset_after_the_opening_neither_passes_the_demo_data_nor_loses_the_set_up(lab, frozen_clock):
    """The reset reloads demo data as the students: it must not count as their work, and the starting data the
    set-up seeded (the lead Acme, removed with the class's rows) is seeded again."""
    app, people, as_user = lab
    start = frozen_clock(dt.datetime(2026, 5, 15, 2, 0))
    teacher = as_user(people["teacher"])
    class_a = people["positions"]["class_a"]
    assert teacher.post(f"/classroom/classes/{class_a.id}/exercises/lab.qualify_lead/open").status_code == 302
    seeded = {lead.owner_id: lead.id for lead in Lead.select().where(Lead.company == "Acme")}
    frozen_clock(start + dt.timedelta(minutes=1))
    reset = teacher.post(f"/classroom/sandbox/{class_a.id}", data={"confirm_name": class_a.name, "reload": "1"})
    assert reset.status_code == 302
    worked = Lead.select().where(Lead.status.in_(("qualified", "converted")) & (Lead.company != "Acme")
                                 & Lead.owner.in_(list(seeded))).order_by(Lead.id).first()
    assert worked is not None
    alice = worked.owner  # a student of class A whose reloaded demo data has a qualified or converted lead
    again = acme_of(alice)
    assert again.id > seeded[alice.id]  # seeded anew, under a new id
    student = as_user(alice)
    student.post("/classroom/exercises/check")  # same frozen instant as the reset's writes
    html = student.get("/classroom/exercises").get_data(as_text=True)
    assert 'data-exercise="lab.qualify_lead" data-passed="no"' in html
    frozen_clock(start + dt.timedelta(minutes=2))
    set_lead_status(student, again, "qualified")
    student.post("/classroom/exercises/check")
    assert 'data-exercise="lab.qualify_lead" data-passed="yes"' in student.get("/classroom/exercises").get_data(
        as_text=True)


def test_the_chinese_instructions_name_the_lead_status_as_the_form_offers_it(lab):
    """The student picks the status the instructions quote (“合格”), so it must be an option of the lead form."""
    app, people, as_user = lab
    class_a = people["positions"]["class_a"]
    teacher = as_user(people["teacher"])
    assert teacher.post(f"/classroom/classes/{class_a.id}/exercises/lab.qualify_lead/open").status_code == 302
    student = as_user(people["alice"])
    exercise = student.get("/classroom/exercises").get_data(as_text=True)
    quoted = re.search(r'data-exercise="lab.qualify_lead".*?“(.+?)”', exercise, re.S).group(1)
    form = student.get(f"/records/lead/{acme_of(people['alice']).id}/edit").get_data(as_text=True)
    assert re.search(rf'<option value="qualified"[^>]*>{quoted}</option>', form), quoted
