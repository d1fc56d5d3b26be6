"""Tables of the classroom tools: the gradebook (openings, attempts, grades, class re-check runs) and
per-class modules. Gradebook times are real time (``clock.real_utcnow``): the teaching clock never moves a
pass, a deadline or an attempt."""
import peewee

from core import clock
from core.db import BaseModel
from core.models import Position, User


class ClassModule(BaseModel):
    """A plugin switched off in one class (a position of depth 1 and its subtree): its students see it as
    disabled. A class without a row for a plugin has it whenever it is enabled (see core.classroom.modules)."""
    plugin = peewee.CharField(max_length=64)
    position = peewee.ForeignKeyField(Position, on_delete="CASCADE")

    class Meta:
        table_name = "classroom_class_module"
        indexes = ((("plugin", "position"), True),)


class ExerciseOpening(BaseModel):
    """An exercise opened for a class (练习开放): its students see it from ``opened_at`` on, and only work
    done since then counts. ``deadline`` (optional) marks later passes as late."""
    exercise = peewee.CharField(max_length=120)
    position = peewee.ForeignKeyField(Position, on_delete="CASCADE")
    opened_at = peewee.DateTimeField(default=clock.real_utcnow)
    opened_by = peewee.ForeignKeyField(User, null=True, on_delete="SET NULL")
    deadline = peewee.DateTimeField(null=True)

    class Meta:
        table_name = "classroom_exercise_opening"
        indexes = ((("exercise", "position"), True),)


class Attempt(BaseModel):
    """One check of one exercise for one student (练习尝试): when, the result, the feedback, the points."""
    user = peewee.ForeignKeyField(User, on_delete="CASCADE")
    exercise = peewee.CharField(max_length=120)
    at = peewee.DateTimeField(default=clock.real_utcnow)
    passed = peewee.BooleanField(default=False)
    feedback = peewee.TextField(default="")
    points = peewee.IntegerField(default=0)

    class Meta:
        table_name = "classroom_attempt"
        indexes = ((("user", "exercise", "at"), False),)


class Grade(BaseModel):
    """What a student earned on an exercise (成绩): the first pass (time, points, late) is kept, whatever
    later checks say; an instructor's override (points, reason, by, at) replaces the points."""
    user = peewee.ForeignKeyField(User, on_delete="CASCADE")
    exercise = peewee.CharField(max_length=120)
    passed_at = peewee.DateTimeField(null=True)
    points = peewee.IntegerField(default=0)
    late = peewee.BooleanField(default=False)
    override_points = peewee.IntegerField(null=True)
    override_reason = peewee.TextField(default="")
    override_by = peewee.ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    override_at = peewee.DateTimeField(null=True)

    class Meta:
        table_name = "classroom_grade"
        indexes = ((("user", "exercise"), True),)

    @property
    def passed(self):
        return self.passed_at is not None

    @property
    def earned(self):
        """The effective points: the override if there is one, else the kept pass."""
        return self.points if self.override_points is None else self.override_points


class RecheckRun(BaseModel):
    """"Re-check the whole class" (全班重新检查): queued by an instructor, claimed by exactly one worker (the
    request's thread or the scheduler), with its progress."""
    position = peewee.ForeignKeyField(Position, on_delete="CASCADE")
    requested_by = peewee.ForeignKeyField(User, null=True, on_delete="SET NULL")
    requested_at = peewee.DateTimeField(default=clock.real_utcnow)
    status = peewee.CharField(max_length=10, default="queued")  # queued, running, done, failed
    total = peewee.IntegerField(default=0)
    done = peewee.IntegerField(default=0)
    finished_at = peewee.DateTimeField(null=True)
    error = peewee.TextField(default="")

    class Meta:
        table_name = "classroom_recheck_run"


MODELS = [ClassModule, ExerciseOpening, Attempt, Grade, RecheckRun]
