"""Indexes for the record lists' keyset pages (issue 17): for each column a list may be sorted by,
``(column, id)`` (who sees nearly every row: the teacher reads the index in order and stops after a page) and,
on owned tables, ``(owner_id, column, id)`` (who sees a few owners' rows). ``id`` breaks ties, so that the
cursor (column value, id) names one place in the order.

Frozen: the tables and columns as they were when this was written (core.models declares the same indexes
through ``list_sort_indexes``); unconditional, like every migration after the first."""
from playhouse.migrate import make_index_name

SORTS = {
    "account": ("name", "type", "industry", "phone", "modified_at"),
    "contact": ("last_name", "first_name", "title", "email"),
    "lead": ("last_name", "first_name", "company", "source", "status", "rating"),
    "opportunity": ("name", "amount", "probability", "close_date"),
    "document": ("title", "folder", "filename", "size", "modified_at"),
    "competitor": ("name", "website", "modified_at"),
    "product": ("code", "name", "unit_price", "active"),
}
UNOWNED = {"product"}


def _indexes():
    for table, columns in SORTS.items():
        for column in columns:
            yield table, (column, "id")
            if table not in UNOWNED:
                yield table, ("owner_id", column, "id")


def up(migrator, db):
    migrator.migrate(*(migrator.add_index(table, columns) for table, columns in _indexes()))


def down(migrator, db):
    migrator.migrate(*(migrator.drop_index(table, make_index_name(table, columns)) for table, columns in _indexes()))
