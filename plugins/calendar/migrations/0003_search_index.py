"""The quick search's index over the calendar plugin's record types (core.search; frozen field lists)."""
from core import search

INDEXES = (
    ("calendar_event", ("subject",)),
    ("calendar_task", ("subject",)),
)


def up(migrator, db):
    for table, fields in INDEXES:
        search.install(db, table, fields)


def down(migrator, db):
    for table, fields in reversed(INDEXES):
        search.uninstall(db, table, fields)
