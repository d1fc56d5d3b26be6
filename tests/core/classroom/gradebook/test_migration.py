"""Migration 0002: a database with the old table of latest results keeps what was earned — every result
becomes an attempt, every pass a kept grade — and the old table goes."""
import datetime as dt
import importlib

from core.classroom.models import Attempt, Grade
from core.db import db

gradebook = importlib.import_module("core.classroom.migrations.0002_gradebook")


def test_latest_results_become_attempts_and_passes_become_grades(people):
    legacy = gradebook.tables(db.obj)[1]
    db.obj.create_tables([legacy])
    at = dt.datetime(2026, 4, 1, 8, 0)
    legacy.create(user_id=people["alice"].id, exercise="qualify_lead", passed=True, message="ok", points=10,
                  checked_at=at + dt.timedelta(days=1), passed_at=at)
    legacy.create(user_id=people["bob"].id, exercise="qualify_lead", passed=False, message="not yet", points=0,
                  checked_at=at)
    gradebook.up(None, db.obj)
    assert gradebook.OLD not in db.obj.get_tables()
    grade = Grade.get()
    assert (grade.user_id, grade.points, grade.passed_at) == (people["alice"].id, 10, at)
    assert sorted((a.user_id, a.passed, a.feedback) for a in Attempt.select()) == sorted(
        [(people["alice"].id, True, "ok"), (people["bob"].id, False, "not yet")])
