"""The user_session table: one row per logged-in browser, so a session can be ended (see core.sessions)."""
from peewee import CharField, DateTimeField, ForeignKeyField, Model

from core.db import IdField

TABLE = "user_session"


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            legacy_table_names = False  # index names from the table name, as BaseModel
            table_name = "user"

    class UserSession(Model):
        id = IdField()
        user = ForeignKeyField(User, on_delete="CASCADE")
        key = CharField(max_length=64, unique=True)
        created_at = DateTimeField()
        seen_at = DateTimeField()

        class Meta:
            database = db
            legacy_table_names = False  # index names from the table name, as BaseModel
            table_name = TABLE
    db.create_tables([UserSession])


def down(migrator, db):
    migrator.migrate(migrator.drop_table(TABLE))
