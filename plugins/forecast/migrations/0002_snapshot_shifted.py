"""forecast_snapshot.shifted: a snapshot taken ahead while the teaching clock was past the quarter's end, to be
retaken at the real end."""
from peewee import BooleanField

TABLE, COLUMN = "forecast_snapshot", "shifted"


def up(migrator, db):
    migrator.migrate(migrator.add_column(TABLE, COLUMN, BooleanField(default=False)))


def down(migrator, db):
    migrator.migrate(migrator.drop_column(TABLE, COLUMN))
