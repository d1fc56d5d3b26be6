"""The campaigns plugin's tables as its first release created them (campaigns, members, tasks, sources), frozen here:
later migrations bring them to the current models. The keys are ``IdField`` (AUTOINCREMENT on SQLite): core's
migrations, 0004 among them, always run before a plugin's."""
from peewee import (
    CharField, DateField, DateTimeField, DecimalField, ForeignKeyField, IntegerField, Model, TextField)

from core.db import IdField


def up(migrator, db):
    class Base(Model):
        id = IdField()

        class Meta:
            database = db
            legacy_table_names = False  # index names from the table name, as core.db.BaseModel

    class User(Base):
        class Meta:
            table_name = "user"

    class Campaign(Base):
        owner = ForeignKeyField(User, on_delete="RESTRICT")
        created_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        modified_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        created_at = DateTimeField(index=True)
        modified_at = DateTimeField()
        name = CharField(index=True, max_length=200)
        type = CharField(max_length=30, default="email")
        status = CharField(index=True, max_length=20, default="planned")
        start_date = DateField(null=True)
        end_date = DateField(index=True, null=True)
        budget = DecimalField(null=True, max_digits=16, decimal_places=2)
        expected_cost = DecimalField(null=True, max_digits=16, decimal_places=2)
        actual_cost = DecimalField(null=True, max_digits=16, decimal_places=2)
        expected_response = IntegerField(null=True)
        expected_revenue = DecimalField(null=True, max_digits=16, decimal_places=2)
        target_audience = CharField(max_length=300, default="")
        description = TextField(default="")
        reminder_days = IntegerField(null=True)

        class Meta:
            table_name = "campaigns_campaign"
    db.create_tables([Campaign])

    class CampaignMember(Base):
        campaign = ForeignKeyField(Campaign, on_delete="CASCADE")
        member_type = CharField(max_length=20)
        member_id = IntegerField()
        status = CharField(index=True, max_length=20, default="planned")
        added_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        added_at = DateTimeField()
        lead_id = IntegerField(null=True)

        class Meta:
            table_name = "campaigns_member"
            indexes = ((("campaign", "member_type", "member_id"), True), (("member_type", "member_id"), False))
    db.create_tables([CampaignMember])

    class CampaignSource(Base):
        record_type = CharField(max_length=20)
        record_id = IntegerField()
        campaign = ForeignKeyField(Campaign, on_delete="CASCADE")

        class Meta:
            table_name = "campaigns_source"
            indexes = ((("record_type", "record_id"), True), (("campaign", "record_type"), False))
    db.create_tables([CampaignSource])

    class CampaignTask(Base):
        owner = ForeignKeyField(User, on_delete="RESTRICT")
        created_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        modified_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        created_at = DateTimeField(index=True)
        modified_at = DateTimeField()
        campaign = ForeignKeyField(Campaign, on_delete="CASCADE")
        subject = CharField(max_length=200)
        due_at = DateTimeField(index=True)
        priority = CharField(max_length=10, default="normal")
        status = CharField(index=True, max_length=20, default="open")
        description = TextField(default="")
        completion_note = TextField(default="")
        completed_at = DateTimeField(null=True)

        class Meta:
            table_name = "campaigns_task"
    db.create_tables([CampaignTask])


def down(migrator, db):
    migrator.migrate(migrator.drop_table("campaigns_task"))
    migrator.migrate(migrator.drop_table("campaigns_source"))
    migrator.migrate(migrator.drop_table("campaigns_member"))
    migrator.migrate(migrator.drop_table("campaigns_campaign"))
