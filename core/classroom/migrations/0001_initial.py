"""Classroom tables as the first release created them (exercise results, per-class modules), frozen here: 0002 onwards
bring them to the current models. The keys are ``IdField`` (AUTOINCREMENT on SQLite): core's migrations, 0004 among
them, always run before a plugin's."""
from peewee import BooleanField, CharField, DateTimeField, ForeignKeyField, IntegerField, Model, TextField

from core.db import IdField


def up(migrator, db):
    class Base(Model):
        id = IdField()

        class Meta:
            database = db
            legacy_table_names = False  # index names from the table name, as core.db.BaseModel

    class Position(Base):
        class Meta:
            table_name = "position"

    class User(Base):
        class Meta:
            table_name = "user"

    class ClassModule(Base):
        plugin = CharField(max_length=64)
        position = ForeignKeyField(Position, on_delete="CASCADE")

        class Meta:
            table_name = "classroom_class_module"
            indexes = ((("plugin", "position"), True),)
    db.create_tables([ClassModule])

    class ExerciseResult(Base):
        user = ForeignKeyField(User, on_delete="CASCADE")
        exercise = CharField(max_length=120)
        passed = BooleanField(default=False)
        message = TextField(default="")
        points = IntegerField(default=0)
        checked_at = DateTimeField()
        passed_at = DateTimeField(null=True)

        class Meta:
            table_name = "classroom_exercise_result"
            indexes = ((("user", "exercise"), True),)
    db.create_tables([ExerciseResult])


def down(migrator, db):
    migrator.migrate(migrator.drop_table("classroom_exercise_result"))
    migrator.migrate(migrator.drop_table("classroom_class_module"))
