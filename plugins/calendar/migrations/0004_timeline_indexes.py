"""Indexes for the customer timeline (core.timeline) and the record sidebar: the events and tasks linked to a
record, newest first — ``(related_type, related_id, start)`` and ``(related_type, related_id, created_at)``
(plugins.calendar.models declares the same indexes). Frozen: the tables and columns as they were."""
from playhouse.migrate import make_index_name

INDEXES = (("calendar_event", ("related_type", "related_id", "start")),
           ("calendar_task", ("related_type", "related_id", "created_at")))


def up(migrator, db):
    migrator.migrate(*(migrator.add_index(table, columns) for table, columns in INDEXES))


def down(migrator, db):
    migrator.migrate(*(migrator.drop_index(table, make_index_name(table, columns)) for table, columns in INDEXES))
