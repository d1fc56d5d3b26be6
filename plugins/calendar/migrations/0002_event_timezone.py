"""``calendar_event.timezone``: the IANA zone a series repeats in (an event imported from New York keeps
09:00 New York time across daylight saving); empty for the organisation's zone, as every event had before."""
import peewee

TABLE, COLUMN = "calendar_event", "timezone"


def up(migrator, db):
    migrator.migrate(migrator.add_column(TABLE, COLUMN, peewee.CharField(max_length=64, default="")))


def down(migrator, db):
    migrator.migrate(migrator.drop_column(TABLE, COLUMN))
