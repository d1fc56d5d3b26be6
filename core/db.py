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

    @classmethod
    def select(cls, *fields):
        """Peewee's ``Model.select``, building its rows the short way (:class:`ModelSelect`)."""
        return ModelSelect(cls, fields or cls._meta.sorted_fields, is_default=not fields)

    @classmethod
    def raw(cls, sql, *params):
        """Peewee's ``Model.raw``, building its rows the short way (every request's session row is one)."""
        return ModelRaw(cls, sql, params)


def _accessor(model, name):
    """The class attribute ``name`` of ``model`` as Peewee set it up, or None."""
    for klass in model.__mro__:
        if name in klass.__dict__:
            return klass.__dict__[name]
    return None


def _data_name(model, column):
    """The key in ``__data__`` that ``setattr(row, column, value)`` would write on a fresh row of ``model`` (a
    field's name, also for its ``…_id`` column name), or None where setattr does something else."""
    found = _accessor(model, column)
    if type(found) in (peewee.FieldAccessor, peewee.ForeignKeyAccessor) and found.name == column:
        return column
    if type(found) is peewee.ObjectIdAccessor:
        return found.field.name
    return None


def _blank(model):
    """A row of ``model`` as ``model(__no_default__=True)`` makes it, without the call's keyword handling."""
    row = model.__new__(model)
    row.__data__, row._dirty, row.__rel__ = {}, set(), {}
    return row


def _unchanged(converter):
    """The raw value types a column's converter (a field's ``python_value``) hands back as they are — ints for
    integer fields and ids, strings for text — so that a row need not call it for them; empty for any other."""
    field, function = getattr(converter, "__self__", None), getattr(converter, "__func__", None)
    if not isinstance(field, peewee.Field):
        return frozenset()
    if function is peewee.FieldAlias.python_value:
        return _unchanged(field.field.python_value)
    if function is peewee.ForeignKeyField.python_value:  # a raw value is never a row of the related model
        return _unchanged(field.rel_field.python_value)
    if function is peewee.Field.python_value:  # None stays None; adapt() returns an int or a str unchanged
        adapt = type(field).adapt
        if adapt is peewee.IntegerField.adapt:
            return frozenset((int, type(None)))
        if adapt is peewee._StringField.adapt:
            return frozenset((str, type(None)))
    return frozenset()


def _plain_init(model):
    return model.__init__ is peewee.Model.__init__


class ObjectRows(peewee.ModelObjectCursorWrapper):
    """Peewee's rows of a one-table select, each value written straight into the row's ``__data__`` (Peewee
    makes a dict of the row, then calls the model with it: a descriptor call per column). The same rows
    (tests/core/test_fast_rows.py builds every row of the demo's loading and a crawl both ways)."""

    def initialize(self):
        super().initialize()
        model = self.constructor
        self.fast = _plain_init(model)
        columns = self.unique_columns  # in Peewee's order: its dict has the unconverted columns first
        converters = self.converters
        self.spec = [(i, _data_name(model, columns[i]), columns[i], converters[i], _unchanged(converters[i]))
                     for i in [*self.no_convert, *self.convert]]

    def process_row(self, row):
        if not self.fast:
            return super().process_row(row)
        obj = _blank(self.constructor)
        data = obj.__data__
        for i, name, column, converter, unchanged in self.spec:
            value = row[i]
            if converter is not None and type(value) not in unchanged:
                value = converter(value)
            if name is not None:
                data[name] = value
            else:
                setattr(obj, column, value)
        obj._dirty = set()
        return obj


class JoinedRows(peewee.ModelCursorWrapper):
    """Peewee's rows of a select with joins (each joined row linked to its source as Peewee links it), each
    value written straight into its row's ``__data__`` and each link into ``__rel__``, where Peewee sets
    attributes through the models' descriptors (two for a foreign key's ``…_id`` column). Peewee's own way for
    anything else."""

    def initialize(self):
        super().initialize()
        constructors = self.key_to_constructor
        models = {key: construct for key, (construct, is_model) in constructors.items() if is_model}
        self.fast = all(_plain_init(m) for m in models.values()) and all(
            construct is dict for construct, is_model in constructors.values() if not is_model)
        spec = []
        for i, key, column, converter in self._row_spec:
            target = key if key in constructors else self.model  # Peewee's fall-back to the selected model
            model = models.get(target)
            spec.append((i, key, target, _data_name(model, column) if model is not None else None, column,
                         converter, _unchanged(converter), model is None))
        self.spec = spec
        links = []
        for src, attr, dest, is_dict, is_outer, is_fk in self.src_to_dest:
            source = models.get(src)
            accessor = _accessor(source, attr) if source is not None and is_fk else None
            fk = accessor if (type(accessor) is peewee.ForeignKeyAccessor and accessor.name == attr
                              and not isinstance(accessor.field.rel_field, peewee.ForeignKeyField)) else None
            links.append((src, attr, dest, is_dict, is_outer, is_fk, fk))
        self.links = links

    def process_row(self, row):
        if not self.fast:
            return super().process_row(row)
        objects = {key: (_blank(construct) if is_model else construct())
                   for key, construct, is_model in self._constructor_list}
        set_keys = set()
        for i, key, target, name, column, converter, unchanged, is_dict in self.spec:
            instance = objects[target]
            value = row[i]
            if value is not None:
                set_keys.add(key)
            if converter is not None and type(value) not in unchanged:
                value = converter(value)
            if is_dict:
                instance[column] = value
            elif name is not None:
                instance.__data__[name] = value
            else:
                setattr(instance, column, value)
        reachable = self._dest_reachable
        for src, attr, dest, is_dict, is_outer, is_fk, fk in self.links:  # as ModelCursorWrapper.process_row
            instance = objects.get(src)
            joined = objects.get(dest)
            if joined is None and dest not in objects:
                continue
            assign = dest not in set_keys and dest in reachable and bool(reachable[dest] & set_keys)
            if dest not in set_keys and not assign:
                if not is_outer:
                    continue
                joined = None
            if src not in set_keys and dest not in set_keys and is_outer:
                continue
            if is_dict:
                instance[attr] = joined
            elif is_fk and joined is None:
                instance.__rel__[attr] = None
            elif fk is not None and isinstance(joined, fk.rel_model):
                instance.__data__[attr] = joined.__data__.get(fk.field.rel_field.name)
                instance.__rel__[attr] = joined
            else:
                setattr(instance, attr, joined)
        for key, _construct, is_model in self._constructor_list:
            if is_model:
                objects[key]._dirty = set()
        return objects[self.model]


class ModelSelect(peewee.ModelSelect):
    """Peewee's ``ModelSelect`` whose model rows are built by :class:`ObjectRows` and :class:`JoinedRows` (a
    list page's 21 opportunities with their account, stage and owner: 0.89 -> 0.67 ms, SQL included)."""

    def _get_model_cursor_wrapper(self, cursor):
        if len(self._from_list) == 1 and not self._joins:
            return ObjectRows(cursor, self.model, self._returning, self.model)
        return JoinedRows(cursor, self.model, self._returning, self._from_list, self._joins)


class ModelRaw(peewee.ModelRaw):
    """Peewee's ``ModelRaw`` whose rows :class:`ObjectRows` builds."""

    def _get_model_cursor_wrapper(self, cursor):
        return ObjectRows(cursor, self.model, [], self.model)


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
