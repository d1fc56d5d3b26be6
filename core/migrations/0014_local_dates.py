"""Stored local dates (core.localdates): ``created_on`` and ``created_month``, the organisation's calendar
date and month (202603) of ``created_at``, on accounts, contacts, leads and opportunities, filled from the
organisation's time zone, and the indexes the per-month reports read instead of the table.

Frozen: the tables and indexes as they were when this was written (core.models declares the same)."""
from zoneinfo import ZoneInfo

import peewee
from playhouse.migrate import make_index_name

from core import localdates

DEFAULT_ZONE = "Asia/Shanghai"     # the profile's default (core.models.Organisation)

TABLES = ("account", "contact", "lead", "opportunity")
INDEXES = [(t, columns) for t in TABLES
           for columns in (("created_month", "owner_id", "created_at"), ("owner_id", "created_month", "created_at"))] + [
    ("opportunity", ("stage_id", "created_month", "owner_id", "amount")),
    ("opportunity", ("owner_id", "stage_id", "created_month", "amount"))]


def _zone(db):
    """The organisation's zone as core.clock reads it: the profile's, its default when there is no row (or
    no column yet), UTC for a name no zone has."""
    if not db.table_exists("organisation") or "timezone" not in {c.name for c in db.get_columns("organisation")}:
        return DEFAULT_ZONE
    row = db.execute_sql("SELECT timezone FROM organisation WHERE id = 1").fetchone()
    try:
        return str(ZoneInfo(row[0]).key) if row and row[0] else DEFAULT_ZONE
    except Exception:
        return "UTC"


def up(migrator, db):
    migrator.migrate(*(op for t in TABLES for op in (
        migrator.add_column(t, "created_on", peewee.DateField(null=True)),
        migrator.add_column(t, "created_month", peewee.IntegerField(null=True)))))
    zone = _zone(db)
    for table in TABLES:
        localdates.fill(table, [("created_on", "created_at", localdates.LocalDateField),
                                ("created_month", "created_at", localdates.LocalMonthField)], zone)
    migrator.migrate(*(migrator.add_index(t, columns) for t, columns in INDEXES))


def down(migrator, db):
    migrator.migrate(*(migrator.drop_index(t, make_index_name(t, columns)) for t, columns in INDEXES))
    migrator.migrate(*(migrator.drop_column(t, c) for t in TABLES for c in ("created_month", "created_on")))
