"""E-mail delivery that one bad message cannot block: ``notification.email_retry_at`` (back-off),
``email_error`` (the last error) and ``email_failed_at`` (given up)."""
from peewee import CharField, DateTimeField

TABLE = "notification"
COLUMNS = {
    "email_retry_at": lambda: DateTimeField(null=True),
    "email_error": lambda: CharField(max_length=500, default=""),
    "email_failed_at": lambda: DateTimeField(null=True),
}


def up(migrator, db):
    migrator.migrate(*[migrator.add_column(TABLE, name, make()) for name, make in COLUMNS.items()])


def down(migrator, db):
    migrator.migrate(*[migrator.drop_column(TABLE, name) for name in COLUMNS])
