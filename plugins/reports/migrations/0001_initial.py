"""The reports plugin's tables as its first release created them (saved reports and the positions they are shared
with), frozen here: later migrations bring them to the current models. The keys are ``IdField`` (AUTOINCREMENT on
SQLite): core's migrations, 0004 among them, always run before a plugin's."""
from peewee import BooleanField, CharField, DateTimeField, ForeignKeyField, Model, TextField

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

    class SavedReport(Base):
        owner = ForeignKeyField(User, on_delete="CASCADE")
        name = CharField(index=True, max_length=200)
        description = TextField(default="")
        record_type = CharField(max_length=64)
        spec = TextField(default="{}")
        shared = BooleanField(default=False)
        schedule = CharField(max_length=10, default="")
        created_at = DateTimeField()
        modified_at = DateTimeField()

        class Meta:
            table_name = "reports_saved_report"
    db.create_tables([SavedReport])

    class SavedReportShare(Base):
        report = ForeignKeyField(SavedReport, on_delete="CASCADE")
        position = ForeignKeyField(Position, on_delete="CASCADE")

        class Meta:
            table_name = "reports_saved_report_share"
            indexes = ((("report", "position"), True),)
    db.create_tables([SavedReportShare])


def down(migrator, db):
    migrator.migrate(migrator.drop_table("reports_saved_report_share"))
    migrator.migrate(migrator.drop_table("reports_saved_report"))
