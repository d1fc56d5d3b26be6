"""The gradebook's tests: the shared school in Chinese, the test exercises (tests/core/classroom/conftest.py)
and small HTTP helpers — opening an exercise as the teacher, a student's work through the record forms."""
import pytest

from core.models import Lead

PLUGINS = ["forecast", "test_exercises"]


@pytest.fixture
def gapp(make_app, exercise_plugin):
    return make_app(plugins=PLUGINS, extra_plugins=[exercise_plugin])


@pytest.fixture
def people(gapp, make_school):
    """The shared school with Chinese pages (teacher above class A and class B)."""
    return make_school(language="zh")


@pytest.fixture
def as_user(gapp, login):
    return lambda user: login(gapp.test_client(), user)


@pytest.fixture
def open_exercise(as_user, people):
    """``open_exercise("qualify_lead", "class_a", deadline="2026-05-15T09:00")`` as the teacher."""
    def do(exercise, cls="class_a", **form):
        position = people["positions"][cls].id
        r = as_user(people["teacher"]).post(f"/classroom/classes/{position}/exercises/{exercise}/open", data=form)
        assert r.status_code == 302, r.get_data(as_text=True)
    return do


def set_lead_status(client, lead, status):
    """Change a lead's status through its edit form, as the student does."""
    r = client.post(f"/records/lead/{lead.id}/edit",
                    data={"last_name": lead.last_name, "company": lead.company, "status": status})
    assert r.status_code == 302, r.get_data(as_text=True)


def acme_of(user):
    return Lead.get((Lead.owner == user.id) & (Lead.company == "Acme"))
