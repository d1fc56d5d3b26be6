"""The database: one proxy, initialised from a URL (SQLite by default, PostgreSQL or MySQL/MariaDB)."""
import os
import threading
import time
import weakref
from urllib.parse import parse_qsl, urlparse

import peewee
from playhouse import db_url, pool

from core.files import create_private, private_folder
from core.stamp import stamping

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
        # check_same_thread off: a pooled connection may serve another thread's next request (one at a time)
        sizes = {k: v for k, v in parse_qsl(parsed.query) if k in POOL_DEFAULTS}
        return _pooled(pool.PooledSqliteDatabase, path, pragmas=SQLITE_PRAGMAS, lock_type="IMMEDIATE",
                       check_same_thread=False, **sizes)
    if not parsed.path.strip("/"):
        raise ConfigError(f"ZHIXIN_DATABASE_URL: no database name in {url!r}")
    kwargs = db_url.parseresult_to_dict(parsed)
    if kind == "mysql":
        return _pooled(pool.PooledMySQLDatabase, charset="utf8mb4", **kwargs)
    return _pooled(pool.PooledPostgresqlDatabase, **kwargs)


# Connections are pooled (playhouse.pool) on every backend: a request takes one and gives it back, open, at its
# end. A new SQLite connection parses the whole schema (~150 tables with their indexes and triggers: ~4 ms,
# more than most pages' own SQL); a PostgreSQL one starts a server process, a MariaDB one a handshake. The
# pool is unbounded (each thread holds at most one connection) and replaces a connection after five minutes.
# A pooled connection returns with its transaction rolled back; one that broke is dropped, not handed out.
POOL_DEFAULTS = {"max_connections": None, "stale_timeout": 300}
_POOLS = weakref.WeakSet()


def _pooled(database_class, *args, **kwargs):
    """A stamping (core.stamp), pooled database that builds SQL with ``FieldContext``; the URL's query may set
    ``max_connections`` and ``stale_timeout``."""
    database = stamping(database_class)(*args, **{**POOL_DEFAULTS, **kwargs})
    database.context_class = FieldContext
    _POOLS.add(database)
    return database


_FIELD_SQL = peewee.Field.__sql__


class FieldContext(peewee.Context):
    """Peewee's SQL-building context with a short way for a model's field, the node it meets most (every
    selected column, most conditions and sort keys): ``"alias"."column"`` written at once, where Peewee builds
    a Column, a scope, the table's Entity and the column's Entity, each quoted in turn (~8 µs a column, most of
    a detail page's SQL building: 13 statements, ~200 columns). The same text and the same table aliases, in
    the same order (tests/core/test_sql_context.py compiles the app's query shapes both ways). Fields whose class
    writes its own SQL (a ``FieldAlias``) and every other node take Peewee's way."""
    __slots__ = ()

    def sql(self, obj):
        if isinstance(obj, peewee.Field) and type(obj).__sql__ is _FIELD_SQL:
            quote = self.state.quote or '""'
            column = quote[0] + obj.column_name.replace(quote[0], quote) + quote[1]
            if self.state.scope == peewee.SCOPE_VALUES:
                return self.literal(column)
            table = obj.model._meta.table
            if table._alias:
                self.alias_manager[table] = table._alias
            alias = self.alias_manager[table]
            return self.literal(quote[0] + alias.replace(quote[0], quote) + quote[1] + "." + column)
        return super().sql(obj)


def _forget_pools_after_fork():
    """In a forked child (a gunicorn worker of an app built before the fork) the parent's pooled connections
    are the parent's: using one would interleave two processes on one socket or SQLite handle, and closing one
    would end the parent's session. Forget them unclosed and start empty, with fresh locks (another thread may
    have held the pool's lock at the fork)."""
    for database in list(_POOLS):
        database._pool_lock = threading.RLock()
        database._pool_available = threading.Condition(database._pool_lock)
        database._connections, database._in_use = [], {}
        database._state.reset()


os.register_at_fork(after_in_child=_forget_pools_after_fork)


BUSY_SIGNS = ("database is locked", "database table is locked", "deadlock", "lock wait timeout",
              "could not serialize")
BUSY_TRIES = 5


def is_busy(exc):
    """Whether ``exc`` says the database was busy (SQLite's lock, a deadlock or lock timeout elsewhere): the
    transaction was rolled back and may simply be tried again."""
    return isinstance(exc, peewee.OperationalError) and any(s in str(exc).lower() for s in BUSY_SIGNS)


def transaction(fn, *args, **kwargs):
    """``fn(*args, **kwargs)`` in one short transaction, tried again (up to ``BUSY_TRIES`` times, a growing
    pause between) while the database is busy. Scheduled jobs write this way: read first, then one small
    transaction per claim, so a second scheduler or a web request waits for a moment instead of failing the
    run. Inside an outer transaction ``fn`` simply runs in it (a retry belongs to the outermost one)."""
    if db.transaction_depth():
        return fn(*args, **kwargs)
    for attempt in range(1, BUSY_TRIES + 1):
        try:
            with db.atomic():
                return fn(*args, **kwargs)
        except peewee.OperationalError as exc:
            if attempt == BUSY_TRIES or not is_busy(exc):
                raise
            time.sleep(0.05 * 2 ** attempt)  # a back-off, not a clock: nothing is measured


def init(url):
    """Point the proxy at ``url``'s database. The one it pointed at before closes its idle pooled connections:
    an SQLite connection left open on a file that has since been replaced would, on closing, delete the new
    file's write-ahead log."""
    database = make_database(url)
    previous = db.obj
    db.initialize(database)
    if isinstance(previous, pool.PooledDatabase):
        previous.close_idle()
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


def hundredths(expr):
    """A DECIMAL(…, 2) expression (money, a quantity, a percentage) as an exact whole number of hundredths,
    for exact arithmetic and SUMs in SQL. SQLite keeps such a column as a REAL, or as an INTEGER when the
    value is whole (then ``amount * probability / 100`` divides integers and truncates), so round and cast
    first; PostgreSQL and MariaDB compute NUMERIC/DECIMAL exactly already. Python divides the result by 100
    (or by 100 ** n for a product of n of them) as a Decimal."""
    if is_sqlite():
        return peewee.Cast(peewee.fn.ROUND(expr * 100), "INTEGER")
    return expr * 100


def divided_half_up(expr, divisor):
    """A non-negative whole-number expression ÷ ``divisor`` (a positive int), rounded half up to a whole
    number, exactly on every backend: an opportunity's weighted amount in whole cents is
    ``divided_half_up(hundredths(amount) * probability, 100)``. SQLite divides integers as integers (so adding
    half the divisor first rounds); PostgreSQL and MariaDB divide DECIMALs exactly, then FLOOR."""
    shifted = expr + divisor // 2
    if is_sqlite():
        return shifted / divisor
    return peewee.fn.FLOOR(shifted / divisor)


def is_mysql():
    return isinstance(db.obj, peewee.MySQLDatabase)


def is_postgres():
    return isinstance(db.obj, peewee.PostgresqlDatabase)


class Compiled:
    """A query of fixed shape whose SQL Peewee builds once per database kind, not on every call: for the
    statements every request runs (the session's user), where building the SQL costs more than running it.
    ``build(slot)`` returns the Peewee query with ``slot(name)`` wherever a value goes; ``params(**values)``
    gives the parameters in the order of the SQL text, ``rows(model, **values)`` the rows as ``model``
    instances (``Model.raw``: columns named like fields become those fields, others plain attributes)."""

    def __init__(self, build):
        self.build, self.by_kind = build, {}

    @staticmethod
    def _slot(name):
        return f"\x00zhixin-slot:{name}\x00"  # passes Peewee's converters unchanged (text, not a date)

    def sql(self):
        kind = backend_of(db.obj)
        if kind not in self.by_kind:
            sql, params = self.build(self._slot).sql()
            self.by_kind[kind] = sql, [p[len("\x00zhixin-slot:"):-1] if isinstance(p, str)
                                       and p.startswith("\x00zhixin-slot:") else (p,) for p in params]
        return self.by_kind[kind]

    def rows(self, model, **values):
        sql, params = self.sql()
        return model.raw(sql, *[values[p] if isinstance(p, str) else p[0] for p in params])
