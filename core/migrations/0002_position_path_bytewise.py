"""PostgreSQL: an index on ``position.path COLLATE "C"``.

core.positions compares paths bytewise on PostgreSQL (a database created with a natural-language
collation may sort '/' unlike ASCII and break the subtree range); this index keeps that range query
indexed. SQLite and MySQL/MariaDB compare these ASCII paths bytewise already and use the plain index.
"""
from core.db import is_postgres


def up(migrator, db):
    if is_postgres():
        db.execute_sql('CREATE INDEX IF NOT EXISTS position_path_c ON position (path COLLATE "C")')


def down(migrator, db):
    if is_postgres():
        db.execute_sql("DROP INDEX IF EXISTS position_path_c")
