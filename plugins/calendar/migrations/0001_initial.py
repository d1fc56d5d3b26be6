"""The calendar plugin's tables as its first release created them (events, invitees, tasks, feed tokens), frozen here:
later migrations bring them to the current models. The keys are ``IdField`` (AUTOINCREMENT on SQLite): core's
migrations, 0004 among them, always run before a plugin's."""
from peewee import (
    BooleanField, CharField, DateField, DateTimeField, ForeignKeyField, IntegerField, Model, TextField,
    TimeField)

from core.db import IdField


def up(migrator, db):
    class Base(Model):
        id = IdField()

        class Meta:
            database = db
            legacy_table_names = False  # index names from the table name, as core.db.BaseModel

    class Contact(Base):
        class Meta:
            table_name = "contact"

    class User(Base):
        class Meta:
            table_name = "user"

    class CalendarEvent(Base):
        owner = ForeignKeyField(User, on_delete="RESTRICT")
        created_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        modified_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        created_at = DateTimeField(index=True)
        modified_at = DateTimeField()
        subject = CharField(max_length=200)
        start = DateTimeField(index=True)
        end = DateTimeField(index=True)
        all_day = BooleanField(default=False)
        location = CharField(max_length=200, default="")
        description = TextField(default="")
        related_type = CharField(max_length=64, default="")
        related_id = IntegerField(null=True)
        private = BooleanField(default=False)
        reminder_minutes = IntegerField(null=True)
        rrule = CharField(max_length=500, default="")
        series = ForeignKeyField("self", null=True, on_delete="CASCADE")
        recurrence_id = DateTimeField(null=True)
        cancelled = BooleanField(default=False)
        uid = CharField(index=True, max_length=191, default="")

        class Meta:
            table_name = "calendar_event"
            indexes = ((("owner", "start"), False),)
    db.create_tables([CalendarEvent])

    class CalendarFeed(Base):
        user = ForeignKeyField(User, unique=True, on_delete="CASCADE")
        token = CharField(unique=True, max_length=64)
        created_at = DateTimeField()
        last_read_at = DateTimeField(null=True)

        class Meta:
            table_name = "calendar_feed"
    db.create_tables([CalendarFeed])

    class CalendarInvitee(Base):
        event = ForeignKeyField(CalendarEvent, on_delete="CASCADE")
        user = ForeignKeyField(User, null=True, on_delete="CASCADE")
        contact = ForeignKeyField(Contact, null=True, on_delete="CASCADE")
        answer = CharField(max_length=20, default="needs_action")
        answered_at = DateTimeField(null=True)

        class Meta:
            table_name = "calendar_invitee"
            indexes = ((("event", "user"), False), (("event", "contact"), False))
    db.create_tables([CalendarInvitee])

    class CalendarTask(Base):
        owner = ForeignKeyField(User, on_delete="RESTRICT")
        created_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        modified_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        created_at = DateTimeField(index=True)
        modified_at = DateTimeField()
        subject = CharField(max_length=200)
        due_date = DateField(index=True)
        due_time = TimeField(null=True)
        priority = CharField(max_length=10, default="normal")
        status = CharField(index=True, max_length=20, default="not_started")
        related_type = CharField(max_length=64, default="")
        related_id = IntegerField(null=True)
        description = TextField(default="")
        completed_at = DateTimeField(null=True)
        uid = CharField(max_length=191, default="")

        class Meta:
            table_name = "calendar_task"
            indexes = ((("owner", "due_date"), False),)
    db.create_tables([CalendarTask])


def down(migrator, db):
    migrator.migrate(migrator.drop_table("calendar_task"))
    migrator.migrate(migrator.drop_table("calendar_invitee"))
    migrator.migrate(migrator.drop_table("calendar_feed"))
    migrator.migrate(migrator.drop_table("calendar_event"))
