"""Indexes for sorting the contact list by phone and the product list by unit — the two list columns that
could not be sorted (core.records.listing sorts only by indexed columns): ``(phone, id, owner_id)`` and
``(owner_id, phone, id)`` on contacts, as migrations 0013 and 0019 made for the other columns; ``(unit, id)``
on products (a catalogue: nobody owns them). A test holds every list column that is never empty to its
indexes.

Frozen: the tables and columns as they were when this was written (core.models declares the same through
``list_sort_indexes``)."""
from playhouse.migrate import make_index_name

INDEXES = [("contact", ("phone", "id", "owner_id")), ("contact", ("owner_id", "phone", "id")),
           ("product", ("unit", "id"))]


def up(migrator, db):
    migrator.migrate(*(migrator.add_index(table, columns) for table, columns in INDEXES))


def down(migrator, db):
    migrator.migrate(*(migrator.drop_index(table, make_index_name(table, columns)) for table, columns in INDEXES))
