"""E-mail delivery that one bad message cannot block: ``notification.email_retry_at`` (back-off),
``email_error`` (the last error) and ``email_failed_at`` (given up). Databases made by a newer 0001 have the
columns already, hence the look first."""
import peewee

TABLE = "notification"
COLUMNS = {
    "email_retry_at": lambda: peewee.DateTimeField(null=True),
    "email_error": lambda: peewee.CharField(max_length=500, default=""),
    "email_failed_at": lambda: peewee.DateTimeField(null=True),
}


def up(migrator, db):
    present = {c.name for c in db.get_columns(TABLE)}
    missing = [migrator.add_column(TABLE, name, make()) for name, make in COLUMNS.items() if name not in present]
    if missing:
        migrator.migrate(*missing)


def down(migrator, db):
    migrator.migrate(*[migrator.drop_column(TABLE, name) for name in COLUMNS])
