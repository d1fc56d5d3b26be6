"""Indexes for the event and task lists' default orders (``-start``, ``due_date``): ``(column, id, owner_id)``;
the owner-first ``(owner_id, start)`` and ``(owner_id, due_date)`` were there. Without them a first page read
and sorted every row its viewer may see; with them the database walks the index from the start and stops after
a page (core.access's plan 'page' checks the owner from the index). A test in core holds every record type's
default order to an index.

Frozen: the tables and columns as they were when this was written (plugins.calendar.models declares the same)."""
from playhouse.migrate import make_index_name

INDEXES = (
    ("calendar_event", ("start", "id", "owner_id")),
    ("calendar_task", ("due_date", "id", "owner_id")),
)


def up(migrator, db):
    migrator.migrate(*(migrator.add_index(table, columns) for table, columns in INDEXES))


def down(migrator, db):
    migrator.migrate(*(migrator.drop_index(table, make_index_name(table, columns)) for table, columns in INDEXES))
