"""The gradebook: exercise openings, attempts, kept grades and class re-check runs replace the table of
latest results (classroom_exercise_result), whose rows become attempts and, where passed, grades."""
from peewee import BooleanField, CharField, DateTimeField, ForeignKeyField, IntegerField, Model, TextField

from core.db import IdField

OLD = "classroom_exercise_result"


def tables(db):
    """The tables as this migration creates them, and the old one (frozen: never the current models)."""
    class Base(Model):
        id = IdField()

        class Meta:
            database = db
            legacy_table_names = False  # index names from the table name, as BaseModel

    class Position(Base):
        class Meta:
            table_name = "position"

    class User(Base):
        class Meta:
            table_name = "user"

    class ExerciseOpening(Base):
        exercise = CharField(max_length=120)
        position = ForeignKeyField(Position, on_delete="CASCADE")
        opened_at = DateTimeField()
        opened_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        deadline = DateTimeField(null=True)

        class Meta:
            table_name = "classroom_exercise_opening"
            indexes = ((("exercise", "position"), True),)

    class Attempt(Base):
        user = ForeignKeyField(User, on_delete="CASCADE")
        exercise = CharField(max_length=120)
        at = DateTimeField()
        passed = BooleanField(default=False)
        feedback = TextField(default="")
        points = IntegerField(default=0)

        class Meta:
            table_name = "classroom_attempt"
            indexes = ((("user", "exercise", "at"), False),)

    class Grade(Base):
        user = ForeignKeyField(User, on_delete="CASCADE")
        exercise = CharField(max_length=120)
        passed_at = DateTimeField(null=True)
        points = IntegerField(default=0)
        late = BooleanField(default=False)
        override_points = IntegerField(null=True)
        override_reason = TextField(default="")
        override_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
        override_at = DateTimeField(null=True)

        class Meta:
            table_name = "classroom_grade"
            indexes = ((("user", "exercise"), True),)

    class RecheckRun(Base):
        position = ForeignKeyField(Position, on_delete="CASCADE")
        requested_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        requested_at = DateTimeField()
        status = CharField(max_length=10, default="queued")
        total = IntegerField(default=0)
        done = IntegerField(default=0)
        finished_at = DateTimeField(null=True)
        error = TextField(default="")

        class Meta:
            table_name = "classroom_recheck_run"

    class LegacyResult(Base):
        user = ForeignKeyField(User, on_delete="CASCADE")
        exercise = CharField(max_length=120)
        passed = BooleanField(default=False)
        message = TextField(default="")
        points = IntegerField(default=0)
        checked_at = DateTimeField()
        passed_at = DateTimeField(null=True)

        class Meta:
            table_name = OLD
            indexes = ((("user", "exercise"), True),)

    return [ExerciseOpening, Attempt, Grade, RecheckRun], LegacyResult


def up(migrator, db):
    (opening, attempt, grade, recheck), legacy = tables(db)
    db.create_tables([opening, attempt, grade, recheck])
    for row in legacy.select():
        attempt.create(user=row.user_id, exercise=row.exercise, at=row.checked_at, passed=row.passed,
                       feedback=row.message, points=row.points)
        if row.passed:
            grade.create(user=row.user_id, exercise=row.exercise, points=row.points,
                         passed_at=row.passed_at or row.checked_at)
    db.drop_tables([legacy])


def down(migrator, db):
    (opening, attempt, grade, recheck), legacy = tables(db)
    db.create_tables([legacy])
    for row in grade.select():
        legacy.create(user=row.user_id, exercise=row.exercise, passed=row.passed_at is not None,
                      points=row.points if row.override_points is None else row.override_points,
                      checked_at=row.passed_at or row.override_at, passed_at=row.passed_at)
    db.drop_tables([recheck, grade, attempt, opening])
