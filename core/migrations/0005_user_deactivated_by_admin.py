"""``user.deactivated_by_admin``: set when the administrator deactivates an account, so that a roster
re-import (which reactivates the students it names) leaves that account deactivated. Databases made by a
newer 0001 have the column already, hence the look first."""
import peewee

TABLE, COLUMN = "user", "deactivated_by_admin"


def up(migrator, db):
    if COLUMN not in {c.name for c in db.get_columns(TABLE)}:
        migrator.migrate(migrator.add_column(TABLE, COLUMN, peewee.BooleanField(default=False)))


def down(migrator, db):
    migrator.migrate(migrator.drop_column(TABLE, COLUMN))
