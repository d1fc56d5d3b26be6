"""The forecast plugin's tables as its first release created them (quotas, commits, snapshots), frozen here: later
migrations bring them to the current models. The keys are ``IdField`` (AUTOINCREMENT on SQLite): core's migrations,
0004 among them, always run before a plugin's."""
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

    class Commit(Base):
        owner = ForeignKeyField(User, on_delete="RESTRICT")
        created_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        modified_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        created_at = DateTimeField(index=True)
        modified_at = DateTimeField()
        quarter_start = DateField(index=True)
        kind = CharField(max_length=10, default="own")
        likely = DecimalField(max_digits=16, decimal_places=2, default=0)
        best = DecimalField(max_digits=16, decimal_places=2, default=0)
        comment = TextField(default="")

        class Meta:
            table_name = "forecast_commit"
            indexes = ((("owner", "quarter_start", "kind"), False),)
    db.create_tables([Commit])

    class Quota(Base):
        user = ForeignKeyField(User, on_delete="CASCADE")
        quarter_start = DateField()
        amount = DecimalField(max_digits=16, decimal_places=2, default=0)
        set_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        set_at = DateTimeField()

        class Meta:
            table_name = "forecast_quota"
            indexes = ((("user", "quarter_start"), True), (("quarter_start",), False))
    db.create_tables([Quota])

    class Snapshot(Base):
        user = ForeignKeyField(User, on_delete="CASCADE")
        quarter_start = DateField()
        position_path = CharField(default="")
        quota = DecimalField(null=True, max_digits=16, decimal_places=2)
        closed = DecimalField(max_digits=16, decimal_places=2, default=0)
        expected = DecimalField(max_digits=16, decimal_places=2, default=0)
        best = DecimalField(max_digits=16, decimal_places=2, default=0)
        pipeline_count = IntegerField(default=0)
        pipeline_amount = DecimalField(max_digits=16, decimal_places=2, default=0)
        taken_at = DateTimeField()

        class Meta:
            table_name = "forecast_snapshot"
            indexes = ((("user", "quarter_start"), True), (("quarter_start",), False))
    db.create_tables([Snapshot])


def down(migrator, db):
    migrator.migrate(migrator.drop_table("forecast_snapshot"))
    migrator.migrate(migrator.drop_table("forecast_quota"))
    migrator.migrate(migrator.drop_table("forecast_commit"))
