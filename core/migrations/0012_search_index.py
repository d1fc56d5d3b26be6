"""The quick search's index (索引搜索) over core's record types: SQLite FTS5 trigram tables kept by triggers,
PostgreSQL pg_trgm GIN indexes, MariaDB a FULLTEXT-indexed trigram column (see core/search.py).

Frozen: the tables and search fields are written out here as they were when this migration was written
(never read from core.records.types, which keeps changing); ``core.search.install`` is the one mechanism
that plugins' migrations call as well."""
from core import search

INDEXES = (
    ("account", ("name", "phone", "email", "website"), ()),
    ("contact", ("last_name", "first_name", "email", "phone", "mobile"), ("last_name", "first_name")),
    ("lead", ("last_name", "first_name", "company", "email", "phone"), ("last_name", "first_name")),
    ("opportunity", ("name", "next_step"), ()),
    ("document", ("title", "folder", "filename"), ()),
    ("competitor", ("name", "website"), ()),
    ("product", ("code", "name"), ()),
)


def up(migrator, db):
    for table, fields, person in INDEXES:
        search.install(db, table, fields, person)


def down(migrator, db):
    for table, fields, person in reversed(INDEXES):
        search.uninstall(db, table, fields, person)
