"""An index for the customer timeline (core.timeline): the documents filed on a record, newest first —
``(related_type, related_id, created_at)``, so an account's timeline reads its documents from the index
however many documents the school keeps (core.models.Document declares the same index).

Frozen: the table and columns as they were when this was written."""
from playhouse.migrate import make_index_name

TABLE, COLUMNS = "document", ("related_type", "related_id", "created_at")


def up(migrator, db):
    migrator.migrate(migrator.add_index(TABLE, COLUMNS))


def down(migrator, db):
    migrator.migrate(migrator.drop_index(TABLE, make_index_name(TABLE, COLUMNS)))
