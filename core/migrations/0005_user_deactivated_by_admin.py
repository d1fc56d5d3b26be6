"""``user.deactivated_by_admin``: set when the administrator deactivates an account, so that a roster
re-import (which reactivates the students it names) leaves that account deactivated."""
from peewee import BooleanField

TABLE, COLUMN = "user", "deactivated_by_admin"


def up(migrator, db):
    migrator.migrate(migrator.add_column(TABLE, COLUMN, BooleanField(default=False)))


def down(migrator, db):
    migrator.migrate(migrator.drop_column(TABLE, COLUMN))
