"""Tables of the classroom tools."""
import peewee

from core import clock
from core.db import BaseModel
from core.models import Position, User


class ExerciseResult(BaseModel):
    """The latest check of one exercise for one student."""
    user = peewee.ForeignKeyField(User, on_delete="CASCADE")
    exercise = peewee.CharField(max_length=120)
    passed = peewee.BooleanField(default=False)
    message = peewee.TextField(default="")
    points = peewee.IntegerField(default=0)
    checked_at = peewee.DateTimeField(default=clock.utcnow)
    passed_at = peewee.DateTimeField(null=True)

    class Meta:
        table_name = "classroom_exercise_result"
        indexes = ((("user", "exercise"), True),)


class ClassModule(BaseModel):
    """A plugin switched off in one class (a position of depth 1 and its subtree): its students see it as
    disabled. A class without a row for a plugin has it whenever it is enabled (see core.classroom.modules)."""
    plugin = peewee.CharField(max_length=64)
    position = peewee.ForeignKeyField(Position, on_delete="CASCADE")

    class Meta:
        table_name = "classroom_class_module"
        indexes = ((("plugin", "position"), True),)


MODELS = [ExerciseResult, ClassModule]
