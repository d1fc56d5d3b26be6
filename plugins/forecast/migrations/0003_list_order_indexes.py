"""Indexes for the forecast commits' list, newest first (``-created_at``): ``(created_at, id, owner_id)`` and
``(owner_id, created_at, id)``. Without them a first page read and sorted every row its viewer may see; with
them the database walks the index from the start and stops after a page (core.access's plan 'page' checks the
owner from the index). A test in core holds every record type's default order to an index.

Frozen: the tables and columns as they were when this was written (plugins.forecast.models declares the same)."""
from playhouse.migrate import make_index_name

INDEXES = (
    ("forecast_commit", ("created_at", "id", "owner_id")),
    ("forecast_commit", ("owner_id", "created_at", "id")),
)


def up(migrator, db):
    migrator.migrate(*(migrator.add_index(table, columns) for table, columns in INDEXES))


def down(migrator, db):
    migrator.migrate(*(migrator.drop_index(table, make_index_name(table, columns)) for table, columns in INDEXES))
