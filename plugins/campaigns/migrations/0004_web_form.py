"""Web-to-lead (网络表单): one public form per campaign, ``campaigns_web_form``.

Frozen: the table as it was when this was written (plugins.campaigns.models declares the same)."""
from peewee import BooleanField, CharField, ForeignKeyField, IntegerField, Model, TextField

from core.db import IdField

TABLE = "campaigns_web_form"


def up(migrator, db):
    class Base(Model):
        id = IdField()

        class Meta:
            database = db
            legacy_table_names = False  # index names from the table name, as core.db.BaseModel

    class Campaign(Base):
        class Meta:
            table_name = "campaigns_campaign"

    class User(Base):
        class Meta:
            table_name = "user"

    class Position(Base):
        class Meta:
            table_name = "position"

    class CampaignWebForm(Base):
        campaign = ForeignKeyField(Campaign, unique=True, on_delete="CASCADE")
        token = CharField(max_length=64, unique=True)
        enabled = BooleanField(default=False)
        fields = CharField(max_length=300, default="first_name last_name company email phone")
        required = CharField(max_length=300, default="last_name email")
        thank_you = TextField(default="")
        assign_rule = CharField(max_length=20, default="user")
        assign_user = ForeignKeyField(User, null=True, on_delete="SET NULL")
        assign_position = ForeignKeyField(Position, null=True, on_delete="SET NULL")
        round_robin_counter = IntegerField(default=0)
        per_address_limit = IntegerField(default=5)
        window_minutes = IntegerField(default=60)
        per_form_limit = IntegerField(default=100)

        class Meta:
            table_name = TABLE
    db.create_tables([CampaignWebForm])


def down(migrator, db):
    migrator.migrate(migrator.drop_table(TABLE))
