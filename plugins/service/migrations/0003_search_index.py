"""The quick search's index over the service plugin's record types (core.search; frozen field lists)."""
from core import search

INDEXES = (
    ("service_feedback", ("subject", "submitter_email")),
    ("service_complaint", ("subject", "submitter_email")),
    ("service_case", ("subject", "submitter_email")),
)


def up(migrator, db):
    for table, fields in INDEXES:
        search.install(db, table, fields)


def down(migrator, db):
    for table, fields in reversed(INDEXES):
        search.uninstall(db, table, fields)
