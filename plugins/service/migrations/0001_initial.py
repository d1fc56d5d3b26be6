"""The service plugin's tables as its first release created them (feedback, complaints, cases, replies, timeline,
settings, targets, form log), frozen here: later migrations bring them to the current models. The keys are
``IdField`` (AUTOINCREMENT on SQLite): core's migrations, 0004 among them, always run before a plugin's."""
from peewee import BooleanField, CharField, DateTimeField, ForeignKeyField, IntegerField, Model, TextField

from core.db import IdField


def up(migrator, db):
    class Base(Model):
        id = IdField()

        class Meta:
            database = db
            legacy_table_names = False  # index names from the table name, as core.db.BaseModel

    class Account(Base):
        class Meta:
            table_name = "account"

    class Contact(Base):
        class Meta:
            table_name = "contact"

    class Position(Base):
        class Meta:
            table_name = "position"

    class Product(Base):
        class Meta:
            table_name = "product"

    class User(Base):
        class Meta:
            table_name = "user"

    class Complaint(Base):
        owner = ForeignKeyField(User, on_delete="RESTRICT")
        created_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        modified_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        created_at = DateTimeField(index=True)
        modified_at = DateTimeField()
        subject = CharField(max_length=200)
        description = TextField(default="")
        account = ForeignKeyField(Account, field=Account.id, null=True, on_delete="SET NULL")
        contact = ForeignKeyField(Contact, field=Contact.id, null=True, on_delete="SET NULL")
        channel = CharField(index=True, max_length=20, default="phone")
        priority = CharField(max_length=10, default="normal")
        status = CharField(index=True, max_length=20, default="new")
        received_at = DateTimeField(index=True)
        first_response_at = DateTimeField(null=True)
        resolved_at = DateTimeField(index=True, null=True)
        resolution = TextField(default="")
        satisfaction = IntegerField(null=True)
        first_response_minutes = IntegerField(null=True)
        resolution_minutes = IntegerField(null=True)
        response_due_at = DateTimeField(index=True, null=True)
        resolution_due_at = DateTimeField(index=True, null=True)
        response_breached_at = DateTimeField(null=True)
        resolution_breached_at = DateTimeField(null=True)
        submitter_name = CharField(max_length=100, default="")
        submitter_email = CharField(max_length=254, default="")
        submitter_phone = CharField(max_length=50, default="")
        category = CharField(index=True, max_length=30, default="other")
        severity = CharField(max_length=20, default="minor")

        class Meta:
            table_name = "service_complaint"
    db.create_tables([Complaint])

    class Feedback(Base):
        owner = ForeignKeyField(User, on_delete="RESTRICT")
        created_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        modified_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        created_at = DateTimeField(index=True)
        modified_at = DateTimeField()
        subject = CharField(max_length=200)
        description = TextField(default="")
        account = ForeignKeyField(Account, field=Account.id, null=True, on_delete="SET NULL")
        contact = ForeignKeyField(Contact, field=Contact.id, null=True, on_delete="SET NULL")
        channel = CharField(index=True, max_length=20, default="phone")
        priority = CharField(max_length=10, default="normal")
        status = CharField(index=True, max_length=20, default="new")
        received_at = DateTimeField(index=True)
        first_response_at = DateTimeField(null=True)
        resolved_at = DateTimeField(index=True, null=True)
        resolution = TextField(default="")
        satisfaction = IntegerField(null=True)
        first_response_minutes = IntegerField(null=True)
        resolution_minutes = IntegerField(null=True)
        response_due_at = DateTimeField(index=True, null=True)
        resolution_due_at = DateTimeField(index=True, null=True)
        response_breached_at = DateTimeField(null=True)
        resolution_breached_at = DateTimeField(null=True)
        submitter_name = CharField(max_length=100, default="")
        submitter_email = CharField(max_length=254, default="")
        submitter_phone = CharField(max_length=50, default="")

        class Meta:
            table_name = "service_feedback"
    db.create_tables([Feedback])

    class PublicSubmission(Base):
        address = CharField(index=True, max_length=64)
        at = DateTimeField(index=True)

        class Meta:
            table_name = "service_public_submission"
    db.create_tables([PublicSubmission])

    class ServiceCase(Base):
        owner = ForeignKeyField(User, on_delete="RESTRICT")
        created_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        modified_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        created_at = DateTimeField(index=True)
        modified_at = DateTimeField()
        subject = CharField(max_length=200)
        description = TextField(default="")
        account = ForeignKeyField(Account, field=Account.id, null=True, on_delete="SET NULL")
        contact = ForeignKeyField(Contact, field=Contact.id, null=True, on_delete="SET NULL")
        channel = CharField(index=True, max_length=20, default="phone")
        priority = CharField(max_length=10, default="normal")
        status = CharField(index=True, max_length=20, default="new")
        received_at = DateTimeField(index=True)
        first_response_at = DateTimeField(null=True)
        resolved_at = DateTimeField(index=True, null=True)
        resolution = TextField(default="")
        satisfaction = IntegerField(null=True)
        first_response_minutes = IntegerField(null=True)
        resolution_minutes = IntegerField(null=True)
        response_due_at = DateTimeField(index=True, null=True)
        resolution_due_at = DateTimeField(index=True, null=True)
        response_breached_at = DateTimeField(null=True)
        resolution_breached_at = DateTimeField(null=True)
        submitter_name = CharField(max_length=100, default="")
        submitter_email = CharField(max_length=254, default="")
        submitter_phone = CharField(max_length=50, default="")
        feedback = ForeignKeyField(Feedback, null=True, on_delete="SET NULL")
        complaint = ForeignKeyField(Complaint, null=True, on_delete="SET NULL")
        product = ForeignKeyField(Product, null=True, on_delete="SET NULL")

        class Meta:
            table_name = "service_case"
    db.create_tables([ServiceCase])

    class ServiceEvent(Base):
        item_type = CharField(max_length=20)
        item_id = IntegerField()
        kind = CharField(max_length=20)
        old_value = CharField(max_length=200, default="")
        new_value = CharField(max_length=200, default="")
        user = ForeignKeyField(User, null=True, on_delete="SET NULL")
        at = DateTimeField()

        class Meta:
            table_name = "service_event"
            indexes = ((("item_type", "item_id", "at"), False),)
    db.create_tables([ServiceEvent])

    class ServiceReply(Base):
        item_type = CharField(max_length=20)
        item_id = IntegerField()
        parent = ForeignKeyField("self", null=True, on_delete="CASCADE")
        author = ForeignKeyField(User, null=True, on_delete="SET NULL")
        body = TextField()
        to_customer = BooleanField(default=False)
        created_at = DateTimeField()

        class Meta:
            table_name = "service_reply"
            indexes = ((("item_type", "item_id", "created_at"), False),)
    db.create_tables([ServiceReply])

    class ServiceSettings(Base):
        assign_position = ForeignKeyField(Position, null=True, on_delete="SET NULL")
        default_owner = ForeignKeyField(User, null=True, on_delete="SET NULL")
        round_robin_counter = IntegerField(default=0)
        public_form_enabled = BooleanField(default=True)
        public_limit = IntegerField(default=5)
        public_window_minutes = IntegerField(default=60)

        class Meta:
            table_name = "service_settings"
    db.create_tables([ServiceSettings])

    class ServiceTarget(Base):
        priority = CharField(unique=True, max_length=10)
        response_minutes = IntegerField()
        resolution_minutes = IntegerField()

        class Meta:
            table_name = "service_target"
    db.create_tables([ServiceTarget])


def down(migrator, db):
    migrator.migrate(migrator.drop_table("service_target"))
    migrator.migrate(migrator.drop_table("service_settings"))
    migrator.migrate(migrator.drop_table("service_reply"))
    migrator.migrate(migrator.drop_table("service_event"))
    migrator.migrate(migrator.drop_table("service_case"))
    migrator.migrate(migrator.drop_table("service_public_submission"))
    migrator.migrate(migrator.drop_table("service_feedback"))
    migrator.migrate(migrator.drop_table("service_complaint"))
