"""Indexes for the service lists' default order, newest first (``-received_at``): ``(received_at, id, owner_id)``
and ``(owner_id, received_at, id)`` on feedback, complaints and cases, as core's record lists have for their
sortable columns. Without them a first page read and sorted every row its viewer may see; with them the
database walks the index from the start and stops after a page (core.access's plan 'page' checks the owner
from the index). A test in core holds every record type's default order to an index.

Frozen: the tables and columns as they were when this was written (plugins.service.models declares the same)."""
from playhouse.migrate import make_index_name

INDEXES = (
    ("service_feedback", ("received_at", "id", "owner_id")),
    ("service_feedback", ("owner_id", "received_at", "id")),
    ("service_complaint", ("received_at", "id", "owner_id")),
    ("service_complaint", ("owner_id", "received_at", "id")),
    ("service_case", ("received_at", "id", "owner_id")),
    ("service_case", ("owner_id", "received_at", "id")),
)


def up(migrator, db):
    migrator.migrate(*(migrator.add_index(table, columns) for table, columns in INDEXES))


def down(migrator, db):
    migrator.migrate(*(migrator.drop_index(table, make_index_name(table, columns)) for table, columns in INDEXES))
