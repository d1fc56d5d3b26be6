"""An in-process exercise plugin for the classroom tests."""
import types

import pytest

from core import hookimpl
from core.exercises import CheckResult, Exercise, mine, seed
from core.models import Lead


def _lead_qualified(user, since):
    ok = mine(user, "lead", since).where(Lead.status == "qualified").exists()
    return CheckResult(ok, "A lead of yours is qualified." if ok else "Qualify one of your leads.")


def _seed_acme(user, by):
    seed(user, "lead", by, company="Acme", last_name="Chen", status="new")


def _needs_campaigns(user):
    return True, "ok"


def make_exercise_plugin():
    mod = types.ModuleType("zhixin_test_exercises")
    mod.NAME = "test_exercises"
    mod.VERSION = "1"
    mod.REQUIRES = ()

    @hookimpl
    def zhixin_exercises():
        return [
            Exercise("qualify_lead", {"en": "Qualify a lead", "zh": "确认一条线索"},
                     {"en": "Set one of your leads to qualified.", "zh": "把你的一条线索设为合格。"},
                     [_lead_qualified], points=10, order=1, setup=_seed_acme),
            Exercise("campaign_thing", "Campaign exercise", "Needs campaigns.", [_needs_campaigns],
                     modules=("campaigns",), points=5, order=2),
        ]
    mod.zhixin_exercises = zhixin_exercises
    mod.HOOKS = mod.__name__
    import sys
    sys.modules[mod.__name__] = mod
    return mod


@pytest.fixture
def exercise_plugin():
    return make_exercise_plugin()


@pytest.fixture
def capp(make_app, exercise_plugin):
    """The app (forecast + the test exercises), built before any row is written (building empties tables)."""
    app = make_app(plugins=["forecast", "test_exercises"], extra_plugins=[exercise_plugin])
    with app.app_context():
        yield app


@pytest.fixture
def school(capp, make_school):
    """The shared school: teacher (instructor) above class A and class B, a student in each (``bob`` here is
    the class-B student), class A's department manager, a user without position and the admin; English
    pages."""
    s = make_school()
    return {"teacher": s["teacher"], "alice": s["alice"], "bob": s["carol"], "manager_a": s["manager_a"],
            "outsider": s["outsider"], "admin": s["admin"], "positions": s["positions"]}
