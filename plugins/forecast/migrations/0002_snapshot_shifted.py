"""forecast_snapshot.shifted: a snapshot taken ahead while the teaching clock was past the quarter's end, to be
retaken at the real end. Databases made by a newer 0001 have the column already (it creates the current
models), hence the look first."""
import peewee

TABLE, COLUMN = "forecast_snapshot", "shifted"


def up(migrator, db):
    if COLUMN not in {c.name for c in db.get_columns(TABLE)}:
        migrator.migrate(migrator.add_column(TABLE, COLUMN, peewee.BooleanField(default=False)))


def down(migrator, db):
    migrator.migrate(migrator.drop_column(TABLE, COLUMN))
