"""The login_lock table (per-account failure counts and locks, see core.lockout). The failed logins kept so
far counted per address, some stamped on the teaching clock (possibly in the future): they are dropped."""
from peewee import CharField, DateTimeField, IntegerField, Model, Table

from core.db import IdField

TABLE = "login_lock"


def up(migrator, db):
    class LoginLock(Model):
        id = IdField()
        username = CharField(max_length=80)
        client = CharField(max_length=32, default="")
        failures = IntegerField(default=0)
        locks = IntegerField(default=0)
        locked_until = DateTimeField(null=True)
        updated_at = DateTimeField(index=True)

        class Meta:
            database = db
            legacy_table_names = False  # index names from the table name, as BaseModel
            table_name = TABLE
            indexes = ((("username", "client"), True),)
    db.create_tables([LoginLock])
    Table("login_attempt").bind(db).delete().execute()


def down(migrator, db):
    migrator.migrate(migrator.drop_table(TABLE))
