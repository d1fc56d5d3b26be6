"""Indexes for sorting the service lists by subject, channel, priority, status (and a complaint's category and
severity): ``(column, id, owner_id)`` and ``(owner_id, column, id)`` for each, as core's record lists have for
every column a list shows (core.records.listing sorts only by indexed columns: a header without an index would
read and sort every row its viewer may see). A test in core holds every list column that is never empty to
both indexes.

Frozen: the tables and columns as they were when this was written (plugins.service.models declares the same
through ``list_sort_indexes``)."""
from playhouse.migrate import make_index_name

SORTED = (
    ('service_feedback', ('subject', 'channel', 'priority', 'status')),
    ('service_complaint', ('subject', 'channel', 'priority', 'category', 'severity', 'status')),
    ('service_case', ('subject', 'channel', 'priority', 'status')),
)
INDEXES = [(table, shape) for table, columns in SORTED for column in columns
           for shape in ((column, "id", "owner_id"), ("owner_id", column, "id"))]


def up(migrator, db):
    migrator.migrate(*(migrator.add_index(table, columns) for table, columns in INDEXES))


def down(migrator, db):
    migrator.migrate(*(migrator.drop_index(table, make_index_name(table, columns)) for table, columns in INDEXES))
