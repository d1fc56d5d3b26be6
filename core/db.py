"""The database: one proxy, initialised from a URL (SQLite by default, PostgreSQL or MySQL/MariaDB)."""
import os
from urllib.parse import urlparse

import peewee
from playhouse.db_url import connect

from core.files import create_private, private_folder

db = peewee.DatabaseProxy()

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "busy_timeout": 5000,
    "synchronous": "normal",
}
SCHEMES = {
    "sqlite": "sqlite",
    "postgres": "postgresql", "postgresql": "postgresql", "postgresql+pool": "postgresql",
    "mysql": "mysql", "mariadb": "mysql", "mysql+pool": "mysql",
}


class ConfigError(Exception):
    """A configuration value that cannot work; the message says which and why."""


class IdField(peewee.AutoField):
    """The integer primary key of every table, whose ids are never reused: ``AUTOINCREMENT`` on SQLite (without
    it SQLite hands the highest freed id out again, and a new row inherits the old one's children). PostgreSQL
    sequences and InnoDB counters never go back, so there it is a plain ``AutoField``. (Peewee's
    ``playhouse.sqlite_ext.AutoIncrementField`` adds AUTOINCREMENT on every backend, which PostgreSQL and
    MariaDB refuse.)"""

    def ddl(self, ctx):
        nodes = super().ddl(ctx)
        return peewee.NodeList((nodes, peewee.SQL("AUTOINCREMENT"))) if is_sqlite() else nodes


class BaseModel(peewee.Model):
    id = IdField()

    class Meta:
        database = db
        legacy_table_names = False


def backend(url):
    scheme = urlparse(url).scheme
    if scheme not in SCHEMES:
        raise ConfigError(
            f"ZHIXIN_DATABASE_URL: unsupported scheme {scheme!r} in {url!r}; "
            "use sqlite:///path, postgresql://user@host:port/db or mysql://user@host:port/db")
    return SCHEMES[scheme]


def make_database(url):
    """A Peewee database for ``url``, with the settings each backend needs."""
    kind = backend(url)
    parsed = urlparse(url)
    if kind == "sqlite":
        path = parsed.path[1:] if url.startswith("sqlite:///") else parsed.path
        if not path or path == ":memory:":
            raise ConfigError("ZHIXIN_DATABASE_URL: an SQLite URL needs a file path (sqlite:///path/zhixin.db); "
                              "an in-memory database is empty on every connection")
        private_folder(os.path.dirname(os.path.abspath(path)))
        if not os.path.exists(path):
            create_private(path, exclusive=False)  # SQLite gives its -wal and -shm files this file's mode
        return peewee.SqliteDatabase(path, pragmas=SQLITE_PRAGMAS, lock_type="IMMEDIATE")
    if not parsed.path.strip("/"):
        raise ConfigError(f"ZHIXIN_DATABASE_URL: no database name in {url!r}")
    if kind == "mysql":
        url = url.replace("mariadb://", "mysql://", 1)
        return connect(url, charset="utf8mb4")
    return connect(url.replace("postgres://", "postgresql://", 1) if url.startswith("postgres://") else url)


def init(url):
    database = make_database(url)
    db.initialize(database)
    return database


def backend_of(database):
    """"sqlite", "postgresql" or "mysql" for a Peewee database (the names of ``SCHEMES``)."""
    for kind, cls in (("sqlite", peewee.SqliteDatabase), ("postgresql", peewee.PostgresqlDatabase),
                      ("mysql", peewee.MySQLDatabase)):
        if isinstance(database, cls):
            return kind
    raise ConfigError(f"unsupported database {database!r}")


def is_sqlite():
    return isinstance(db.obj, peewee.SqliteDatabase)


def is_mysql():
    return isinstance(db.obj, peewee.MySQLDatabase)


def is_postgres():
    return isinstance(db.obj, peewee.PostgresqlDatabase)
