"""SQLite: every table's integer primary key becomes ``AUTOINCREMENT``, so an id is never handed out twice.

Without it SQLite reuses the highest freed id: after a class reset a new complaint got the id of a deleted one
and showed its old replies and timeline. Tables created from now on get it from ``core.db.IdField``; this
rebuilds the ones that exist already — every table of the database, core's and the plugins' — with SQLite's
twelve-step procedure (https://sqlite.org/lang_altertable.html#otheralter): the runner turns foreign keys off
and wraps the migration in one transaction; each table is created anew, its rows copied, the old one dropped,
the new one renamed and its indexes recreated; a foreign-key check ends it. PostgreSQL sequences and InnoDB
counters never reuse an id: nothing to do there.
"""
import re

from core.db import is_sqlite

PLAIN_KEY = re.compile(r'("id" INTEGER NOT NULL PRIMARY KEY)(?! AUTOINCREMENT)', re.I)


def tables_to_rebuild(db):
    """[(table, CREATE TABLE sql)] of the tables whose ``id`` key lacks AUTOINCREMENT."""
    rows = db.execute_sql("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                          "ORDER BY name").fetchall()
    return [(name, sql) for name, sql in rows if sql and PLAIN_KEY.search(sql)]


def rebuild(db, table, sql):
    """Steps 4–9 of the procedure for one table (foreign keys are off, a transaction is open)."""
    indexes = [row[0] for row in db.execute_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL", (table,))]
    temporary = f"{table}__rebuild"
    head = re.compile(r'^CREATE TABLE (IF NOT EXISTS )?"?%s"?' % re.escape(table), re.I)
    db.execute_sql(head.sub(f'CREATE TABLE "{temporary}"', PLAIN_KEY.sub(r"\1 AUTOINCREMENT", sql), count=1))
    db.execute_sql(f'INSERT INTO "{temporary}" SELECT * FROM "{table}"')
    db.execute_sql(f'DROP TABLE "{table}"')
    db.execute_sql(f'ALTER TABLE "{temporary}" RENAME TO "{table}"')
    for index in indexes:
        db.execute_sql(index)


def up(migrator, db):
    if not is_sqlite():
        return
    for table, sql in tables_to_rebuild(db):
        rebuild(db, table, sql)
    broken = db.execute_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise RuntimeError(f"foreign keys broken after the AUTOINCREMENT rebuild: {broken[:5]}")


def down(migrator, db):
    """Nothing: AUTOINCREMENT only stops ids from being reused, which older code never relied on."""
