"""Fixtures for files and backups: a second, empty database of the suite's backend to restore into, a raw
row-by-row reader of every table, and the CLI on any database."""
from urllib.parse import urlparse, urlunparse

import peewee
import pytest

from core import db as db_module, search
from core.db import backend, make_database
from tests.cli import run_cli

SYSTEM_TABLES = ("cache_stamp",)  # the settings stamp (core.stamp); and SQLite's own bookkeeping, sqlite_*


def quoted(database, table):
    return f"`{table}`" if isinstance(database, peewee.MySQLDatabase) else f'"{table}"'


def every_row(url):
    """{table: [row tuples in id order]} of every table but the migration histories, read with plain SQL (the
    reference the backup's reflection-based reader is compared with); {namespace: [migration names]} too."""
    database = make_database(url)
    with database.connection_context():
        tables, migrations = {}, {}
        for table in search.data_tables(database):  # not the search index's tables
            if table in SYSTEM_TABLES or table.startswith("sqlite_"):  # counters, the planner's statistics
                continue
            if table.endswith("_migration"):
                cursor = database.execute_sql(f"SELECT name FROM {quoted(database, table)} ORDER BY name")
                migrations[table[:-len("_migration")]] = [name for name, in cursor]
                continue
            cursor = database.execute_sql(f"SELECT * FROM {quoted(database, table)} ORDER BY 1")
            tables[table] = [tuple(bytes(v) if isinstance(v, memoryview) else v for v in row) for row in cursor]
    return tables, migrations


@pytest.fixture
def empty_database(database_url, tmp_path):
    """``empty_database(suffix)`` → the URL of a new empty database on the suite's backend: a file for
    SQLite, ``<test database>_<suffix>`` on the PostgreSQL or MariaDB server (dropped first if it exists)."""
    def make(suffix="restore"):
        kind = backend(database_url)
        if kind == "sqlite":
            return f"sqlite:///{tmp_path}/{suffix}.db"
        parsed = urlparse(database_url)
        name = parsed.path.strip("/") + "_" + suffix
        server = make_database(database_url)
        with server.connection_context():
            q = "`" if kind == "mysql" else '"'
            server.execute_sql(f"DROP DATABASE IF EXISTS {q}{name}{q}")
            server.execute_sql(f"CREATE DATABASE {q}{name}{q}")
        return urlunparse(parsed._replace(path="/" + name))
    return make


@pytest.fixture
def zhixin(database_url, tmp_path):
    """``zhixin(args, url=…, **env)`` runs the ``zhixin`` command on the database ``url`` (default: the test
    database); the shared database proxy is pointed back at the test database afterwards."""
    def run(args, url=database_url, **env):
        try:
            return run_cli(args, url, tmp_path / "cli", **dict({"ZHIXIN_PLUGINS": None}, **env))
        finally:
            db_module.init(database_url)
    return run
