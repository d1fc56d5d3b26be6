"""Backup and restore (备份与恢复): one portable format for SQLite, PostgreSQL and MariaDB.

A backup is a zip: ``manifest.json`` (the format, the backend it came from, the applied migrations of core and
of each plugin, every table's columns and row count) and ``tables/<table>.jsonl``, one JSON array per row in
primary-key order. Uploaded files are rows too (``stored_file_chunk``, see core.filestore), so they are in it.

The tables and their column types are read from the database itself (``playhouse.reflection``), never from a
list here: a plugin's tables, a disabled plugin's tables and tables added by later migrations are all included.
Everything is read inside one snapshot transaction (SQLite's deferred read transaction in WAL mode, PostgreSQL
and MariaDB's REPEATABLE READ), so the copy is consistent while the app keeps writing; a plain copy of a live
SQLite file is not (committed rows may still sit in its -wal file).

A restore goes into an empty instance only: it applies the migrations of the instance (core and its enabled
plugins), refuses when they differ from the backup's or when a table holds a row, then inserts every row in
one transaction and moves PostgreSQL's sequences past the restored ids (SQLite and InnoDB do that by
themselves), so new rows get fresh ids. Values are converted by the target's column types, so a backup of one
backend restores into another (SQLite → PostgreSQL for a school that grows)."""
import base64
import datetime as _dt
import decimal
import json
import os
import zipfile

import peewee
from playhouse.migrations import Runner
from playhouse.reflection import Introspector

from core import clock, search
from core.db import backend_of
from core.files import open_private
from core.stamp import STAMP_TABLE

FORMAT = 1
PAGE_ROWS = 1000       # rows per query while dumping, and per INSERT while restoring
PAGE_ROWS_BLOB = 16    # ... for a table with a binary column (a file chunk is up to 60 KiB)
HISTORY_SUFFIX = "_migration"  # playhouse's Runner keeps one history table per namespace (core.migrate)


class BackupError(Exception):
    """A backup that cannot be made or restored; the message says why and what to do."""


# --- values -------------------------------------------------------------------------------------------------

TAGS = {_dt.datetime: "datetime", _dt.date: "date", _dt.time: "time", decimal.Decimal: "decimal"}
PARSE = {"datetime": _dt.datetime.fromisoformat, "date": _dt.date.fromisoformat, "time": _dt.time.fromisoformat,
         "decimal": decimal.Decimal, "bytes": base64.b64decode}


def encode(value):
    """A column value as JSON: plain for None, numbers and text; ``{"$": type, "v": text}`` otherwise."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"$": "bytes", "v": base64.b64encode(bytes(value)).decode("ascii")}
    tag = TAGS.get(type(value))
    if tag is None:
        raise BackupError(f"cannot back up a value of type {type(value).__name__}: {value!r}")
    return {"$": tag, "v": str(value) if tag == "decimal" else value.isoformat()}


def decode(value):
    return PARSE[value["$"]](value["v"]) if isinstance(value, dict) else value


# --- reading the database -----------------------------------------------------------------------------------

def data_tables(database):
    """{table: model} of every table but the migration histories, the search index (core.search) and the
    settings cache's stamp (core.stamp: migration 0011 gives a restored database its own row), reflected from
    the database."""
    names = [t for t in search.data_tables(database) if not t.startswith("sqlite_") and not is_history(database, t)
             and t != STAMP_TABLE]
    models = Introspector.from_database(database).generate_models(table_names=names, literal_column_names=True)
    return dict(sorted(models.items()))


def is_history(database, table):
    return table.endswith(HISTORY_SUFFIX) and {c.name for c in database.get_columns(table)} == {
        "id", "name", "applied"}


def applied_migrations(database):
    """{namespace: [migration names]} from the history tables."""
    out = {}
    for table in database.get_tables():
        if is_history(database, table):
            cursor = database.execute(peewee.Table(table).select(peewee.SQL("name")).order_by(peewee.SQL("name")))
            out[table[:-len(HISTORY_SUFFIX)]] = [name for name, in cursor]
    return dict(sorted(out.items()))


def columns(model):
    """The columns a backup holds: not the search index's (core.search), which the triggers rebuild."""
    return [field.column_name for field in _fields(model)]


def _fields(model):
    return [field for field in model._meta.sorted_fields if field.column_name != search.GRAMS]


def page_rows(model):
    return PAGE_ROWS_BLOB if any(isinstance(f, peewee.BlobField) for f in model._meta.sorted_fields) else PAGE_ROWS


def rows(model):
    """Every row as a tuple of Python values, in primary-key order, a page at a time."""
    order = model._meta.get_primary_keys() or model._meta.sorted_fields
    query = model.select(*_fields(model)).order_by(*order).tuples()
    size, offset = page_rows(model), 0
    while True:
        page = list(query.limit(size).offset(offset))
        yield from page
        if len(page) < size:
            return
        offset += size


def snapshot(database):
    """A transaction in which every read sees the same committed state, while others go on writing."""
    kind = backend_of(database)
    if kind == "sqlite":
        return database.atomic(lock_type="DEFERRED")  # WAL: a read transaction never blocks the writers
    if kind == "mysql":
        database.execute_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")  # for the next transaction
        return database.atomic()
    transaction = database.atomic()
    transaction.__enter__()
    database.execute_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
    return _Entered(transaction)


class _Entered:
    """A transaction already begun (PostgreSQL's isolation level is set inside it, before the first read)."""

    def __init__(self, transaction):
        self.transaction = transaction

    def __enter__(self):
        return self.transaction

    def __exit__(self, *exc):
        return self.transaction.__exit__(*exc)


# --- backup -------------------------------------------------------------------------------------------------

def backup(database, path, progress=lambda table, count: None):
    """Write a backup of ``database`` to ``path`` (0600; written beside it and renamed when complete).
    ``progress(table, rows)`` is called after each table. Returns the manifest."""
    partial = path + ".partial"
    manifest = {"format": FORMAT, "backend": backend_of(database), "created_at": clock.real_utcnow().isoformat(),
                "tables": {}}
    try:
        with open_private(partial) as fh, zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED) as archive:
            with snapshot(database):
                manifest["migrations"] = applied_migrations(database)
                for table, model in data_tables(database).items():
                    count = _write_table(archive, table, model)
                    manifest["tables"][table] = {"columns": columns(model), "rows": count}
                    progress(table, count)
            archive.writestr("manifest.json", json.dumps(manifest, indent=1, ensure_ascii=False))
        os.replace(partial, path)
    finally:
        if os.path.exists(partial):
            os.remove(partial)
    return manifest


def _write_table(archive, table, model):
    count = 0
    with archive.open(f"tables/{table}.jsonl", "w", force_zip64=True) as out:
        for row in rows(model):
            out.write(json.dumps([encode(v) for v in row], ensure_ascii=False).encode("utf-8") + b"\n")
            count += 1
    return count


# --- restore ------------------------------------------------------------------------------------------------

def restore(database, path, migration_sets, progress=lambda table, count: None):
    """Restore the backup at ``path`` into the empty ``database``, after applying ``migration_sets`` (core's
    and the enabled plugins', see core.migrate). Returns the manifest."""
    with zipfile.ZipFile(path) as archive:
        manifest = read_manifest(archive)
        refuse_rows(database)
        for mset in migration_sets:
            Runner(database, mset.directory, table_name=f"{mset.namespace}{HISTORY_SUFFIX}").up()
        refuse_other_migrations(manifest["migrations"], applied_migrations(database))
        tables = data_tables(database)
        refuse_other_tables(manifest["tables"], tables)
        with database.atomic():
            deferred = _insert_all(archive, manifest, tables, progress)
            _fill_deferred(tables, deferred)
        reset_sequences(database, tables)
    return manifest


def read_manifest(archive):
    try:
        manifest = json.loads(archive.read("manifest.json"))
    except KeyError:
        raise BackupError("this is not a Zhixin backup: it has no manifest.json") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"this backup has format {manifest.get('format')!r}; this version reads format {FORMAT}")
    return manifest


def refuse_rows(database):
    full = [table for table, model in data_tables(database).items() if model.select().exists()]
    if full:
        raise BackupError("restore needs an empty database, but these tables hold rows: " + ", ".join(full)
                          + ". Create a new, empty database and point ZHIXIN_DATABASE_URL at it "
                          "(do not run zhixin init first).")


def refuse_other_migrations(wanted, found):
    if wanted != found:
        lines = []
        for namespace in sorted(set(wanted) | set(found)):
            missing = sorted(set(wanted.get(namespace, [])) - set(found.get(namespace, [])))
            extra = sorted(set(found.get(namespace, [])) - set(wanted.get(namespace, [])))
            if missing:
                lines.append(f"{namespace}: the backup has {', '.join(missing)}, this instance has not")
            if extra:
                lines.append(f"{namespace}: this instance has {', '.join(extra)}, the backup has not")
        raise BackupError("the backup was made with other migrations than this instance has; install the same "
                          "version of Zhixin and enable the same plugins (ZHIXIN_PLUGINS), then restore into a "
                          "new empty database.\n  " + "\n  ".join(lines))


def refuse_other_tables(wanted, tables):
    for table, info in wanted.items():
        if table not in tables or set(info["columns"]) - set(columns(tables[table])):
            raise BackupError(f"table {table} of the backup does not match this instance's schema")


def insert_order(tables):
    """Tables ordered so that each comes after the tables its foreign keys point to, and the foreign-key
    columns that cannot wait for that (a table's own parent, a cycle): [(table, deferred columns)]."""
    done, order = set(), []

    def visit(table, path):
        deferred = []
        for field in tables[table]._meta.sorted_fields:
            if not isinstance(field, peewee.ForeignKeyField):
                continue
            target = field.rel_model._meta.table_name
            if target in path or target == table:
                deferred.append(field.column_name)
            elif target not in done and target in tables:
                visit(target, path | {table})
        if table not in done:
            done.add(table)
            order.append((table, deferred))

    for table in tables:
        visit(table, {table})
    return order


def _insert_all(archive, manifest, tables, progress):
    """Insert every row (deferred foreign keys as NULL); returns {table: [(primary key, {column: value})]}."""
    deferred_values = {}
    for table, deferred in insert_order(tables):
        if table not in manifest["tables"]:
            continue
        model, names = tables[table], manifest["tables"][table]["columns"]
        fields = [model._meta.columns[name] for name in names]
        later = [names.index(name) for name in deferred]
        pk = names.index(model._meta.primary_key.column_name) if later else None
        batch, count = [], 0
        with archive.open(f"tables/{table}.jsonl") as lines:
            for line in lines:
                row = [decode(v) for v in json.loads(line)]
                if later and any(row[i] is not None for i in later):
                    deferred_values.setdefault(table, []).append((row[pk], {names[i]: row[i] for i in later}))
                    for i in later:
                        row[i] = None
                batch.append(row)
                count += 1
                if len(batch) >= page_rows(model):
                    model.insert_many(batch, fields=fields).execute()
                    batch = []
        if batch:
            model.insert_many(batch, fields=fields).execute()
        progress(table, count)
    return deferred_values


def _fill_deferred(tables, deferred_values):
    for table, updates in deferred_values.items():
        model = tables[table]
        for key, values in updates:
            model.update({model._meta.columns[c]: v for c, v in values.items()}).where(
                model._meta.primary_key == key).execute()


def reset_sequences(database, tables):
    """PostgreSQL: each serial id's sequence continues after the highest restored id."""
    if backend_of(database) != "postgresql":
        return
    for table, model in tables.items():
        pk = model._meta.primary_key
        if isinstance(pk, peewee.AutoField) or (isinstance(pk, peewee.IntegerField) and pk.column_name == "id"):
            database.execute_sql(
                "SELECT setval(pg_get_serial_sequence(%s, %s), COALESCE(MAX({col}), 0) + 1, false) FROM {tbl}"
                .format(col=_quote(pk.column_name), tbl=_quote(table)), (_quote(table), pk.column_name))


def _quote(identifier):
    """A PostgreSQL identifier (a table name from the database itself, never user input)."""
    return '"' + identifier.replace('"', '""') + '"'
