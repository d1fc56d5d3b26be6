"""Indexes for the campaign and campaign-task lists' default orders (``-modified_at``, ``due_at``): ``(column,
id, owner_id)`` and ``(owner_id, column, id)``. Without them a first page read and sorted every row its viewer
may see; with them the database walks the index from the start and stops after a page (core.access's plan
'page' checks the owner from the index). A test in core holds every record type's default order to an index.

Frozen: the tables and columns as they were when this was written (plugins.campaigns.models declares the same)."""
from playhouse.migrate import make_index_name

INDEXES = (
    ("campaigns_campaign", ("modified_at", "id", "owner_id")),
    ("campaigns_campaign", ("owner_id", "modified_at", "id")),
    ("campaigns_task", ("due_at", "id", "owner_id")),
    ("campaigns_task", ("owner_id", "due_at", "id")),
)


def up(migrator, db):
    migrator.migrate(*(migrator.add_index(table, columns) for table, columns in INDEXES))


def down(migrator, db):
    migrator.migrate(*(migrator.drop_index(table, make_index_name(table, columns)) for table, columns in INDEXES))
