"""Indexes for sorting events and calendar tasks by subject, end, location, priority and status: ``(column, id,
owner_id)`` and ``(owner_id, column, id)`` for each, as core's record lists have for every column a list shows
(core.records.listing sorts only by indexed columns: a header without an index would read and sort every row
its viewer may see). A test in core holds every list column that is never empty to both indexes. The per-owner
index of the default orders, ``(owner_id, start)`` and ``(owner_id, due_date)``, becomes ``(owner_id, start,
id)`` and ``(owner_id, due_date, id)`` (the same order, a page's keyset included).

Frozen: the tables and columns as they were when this was written (plugins.calendar.models declares the same
through ``list_sort_indexes``)."""
from playhouse.migrate import make_index_name

SORTED = (
    ('calendar_event', ('subject', 'end', 'location')),
    ('calendar_task', ('subject', 'priority', 'status')),
)
INDEXES = [(table, shape) for table, columns in SORTED for column in columns
           for shape in ((column, "id", "owner_id"), ("owner_id", column, "id"))] + [
    ("calendar_event", ("owner_id", "start", "id")), ("calendar_task", ("owner_id", "due_date", "id"))]
REPLACED = [("calendar_event", ("owner_id", "start")), ("calendar_task", ("owner_id", "due_date"))]


def up(migrator, db):
    migrator.migrate(*(migrator.add_index(table, columns) for table, columns in INDEXES))
    migrator.migrate(*(migrator.drop_index(table, make_index_name(table, columns)) for table, columns in REPLACED))


def down(migrator, db):
    migrator.migrate(*(migrator.add_index(table, columns) for table, columns in REPLACED))
    migrator.migrate(*(migrator.drop_index(table, make_index_name(table, columns)) for table, columns in INDEXES))
