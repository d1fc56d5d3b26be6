"""Indexed quick search (索引搜索): the index each database keeps of a record type's ``search_fields``, and the
narrowing a search adds to the list query so that the database answers it from that index.

The search means what it always meant: a case-insensitive substring of one of the search fields, or the
full-name rule (``core.records.lookups.full_name_search``). The index only narrows the candidates; the same
``LIKE``/``ILIKE`` expressions still decide, so an index can never make a search find more, and it is built
to hold a superset of what the ``LIKE`` finds, so it never makes it find less (see docs/search.md).

- SQLite: a contentless FTS5 table ``<table>_search`` with the trigram tokenizer (case-folded), kept in step
  by triggers on the record table; a search of 3 characters or more adds ``id IN (SELECT rowid FROM
  <table>_search WHERE <table>_search MATCH '"q"')``.
- PostgreSQL: a ``pg_trgm`` GIN index on each search field; the planner uses it for the ``ILIKE '%q%'``
  (and the full-name equalities) as they are, so nothing is added to the query.
- MariaDB (no n-gram parser in 10.11): a column ``search_grams`` holding the record's trigrams, each written
  as one token ``x<hex of the trigram's UTF-8 bytes>`` (never a stopword, always longer than
  ``innodb_ft_min_token_size``), filled by triggers through the stored function ``zx_search_grams`` and
  indexed FULLTEXT; a search adds ``MATCH (search_grams) AGAINST ('+xTOK1 +xTOK2 …' IN BOOLEAN MODE)``.

Shorter terms (1–2 characters) are answered by the scan, as before. Only viewers who reach many records get
the narrowing (:func:`narrowing`): for a salesperson the owner index finds their few thousand rows faster
than the index finds every record holding a common term. A term the index holds for many records is left to the scan
too (:func:`common_limit`): in the list's own order it meets a page of matches and the capped count sooner
than the index reads them all (one probe of a limited number of ids decides; the lookup type-ahead asks
:func:`candidates` the same).

``install(database, table, fields, person=())`` is the one way an index is made: core's migration 0012 calls
it for core's types, and a plugin's migration calls it for its own (``uninstall`` in ``down``).
"""
import math

import peewee

from core import access
from core.db import backend_of, db

SUFFIX = "_search"
GRAMS = "search_grams"          # the MariaDB column
MIN_INDEXED = 3                 # shorter terms: the scan
WIDE_REACH = 50                 # the index helps viewers who reach at least 1/50 of the users
# A list search reads the index for a term it holds at most COMMON_SHARE[database] × √(rows × count cap)
# times, else it scans (``common_limit``): the index reads every match, the scan about rows × cap / matches
# rows, and their costs per row were measured (bench/RESULTS-search.md): SQLite 4.3 µs a match against
# 2.4 µs a scanned row, MariaDB's FULLTEXT ~33 against 2.6
COMMON_SHARE = {"sqlite": 0.5, "mysql": 0.25}


def _q(name):
    return '"' + name.replace('"', '""') + '"'


def _name_parts(person, row):
    """The full-name strings the full-name rule looks at, as SQL over the trigger's ``row`` (new/old)."""
    if not person:
        return []
    last, first = (f"coalesce({row}.{_q(n)}, '')" for n in person)
    return [f"{last} || {first}", f"{first} || ' ' || {last}", f"{last} || ' ' || {first}"]


# --- making and dropping an index (migrations) -----------------------------------------------------------

def install(database, table, fields, person=()):
    """Create the search index of ``table`` over ``fields`` (and the full names of ``person`` = (last, first)
    field names), filled from the rows already there. Run it from a migration, in its transaction."""
    kind = backend_of(database)
    if kind == "sqlite":
        _install_sqlite(database, table, fields, person)
    elif kind == "postgresql":
        database.execute_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for name in tuple(fields):
            database.execute_sql(f"CREATE INDEX {_q(table + SUFFIX + '_' + name)} ON {_q(table)} "
                                 f"USING gin ({_q(name)} gin_trgm_ops)")
    else:
        _install_mysql(database, table, fields, person)


def uninstall(database, table, fields, person=()):
    kind = backend_of(database)
    if kind == "sqlite":
        for suffix in ("ai", "ad", "au"):
            database.execute_sql(f"DROP TRIGGER IF EXISTS {_q(table + SUFFIX + '_' + suffix)}")
        database.execute_sql(f"DROP TABLE IF EXISTS {_q(table + SUFFIX)}")
    elif kind == "postgresql":
        for name in fields:
            database.execute_sql(f"DROP INDEX IF EXISTS {_q(table + SUFFIX + '_' + name)}")
    else:
        for suffix in ("bi", "bu"):
            database.execute_sql(f"DROP TRIGGER IF EXISTS `{table}{SUFFIX}_{suffix}`")
        database.execute_sql(f"ALTER TABLE `{table}` DROP INDEX `{table}{SUFFIX}`, DROP COLUMN `{GRAMS}`")


def _install_sqlite(database, table, fields, person):
    fts = table + SUFFIX
    columns = [_q(f) for f in fields] + [f"full_name_{i}" for i in range(1, len(_name_parts(person, "r")) + 1)]
    database.execute_sql(f"CREATE VIRTUAL TABLE {_q(fts)} USING fts5({', '.join(columns)}, content='', "
                         f"tokenize='trigram')")

    def values(row):
        return ", ".join([f"{row}.{_q(f)}" for f in fields] + _name_parts(person, row))

    names = ", ".join(columns)
    insert = f"INSERT INTO {_q(fts)}(rowid, {names}) VALUES (new.id, {values('new')});"
    # a contentless table forgets a row by being told its old values again
    delete = f"INSERT INTO {_q(fts)}({_q(fts)}, rowid, {names}) VALUES ('delete', old.id, {values('old')});"
    database.execute_sql(f"CREATE TRIGGER {_q(fts + '_ai')} AFTER INSERT ON {_q(table)} BEGIN {insert} END")
    database.execute_sql(f"CREATE TRIGGER {_q(fts + '_ad')} AFTER DELETE ON {_q(table)} BEGIN {delete} END")
    watched = ", ".join(_q(f) for f in dict.fromkeys(tuple(fields) + tuple(person)))  # not on an owner change
    database.execute_sql(f"CREATE TRIGGER {_q(fts + '_au')} AFTER UPDATE OF {watched} ON {_q(table)} "
                         f"BEGIN {delete} {insert} END")
    database.execute_sql(f"INSERT INTO {_q(fts)}(rowid, {names}) SELECT id, {values(_q(table))} FROM {_q(table)}")


GRAMS_FUNCTION = """
CREATE FUNCTION IF NOT EXISTS zx_search_grams(s LONGTEXT CHARSET utf8mb4) RETURNS LONGTEXT CHARSET utf8mb4
DETERMINISTIC NO SQL
BEGIN
  DECLARE t LONGTEXT CHARSET utf8mb4 DEFAULT LOWER(COALESCE(s, ''));
  DECLARE n INT DEFAULT CHAR_LENGTH(t);
  DECLARE i INT DEFAULT 1;
  DECLARE grams LONGTEXT CHARSET ascii DEFAULT '';
  WHILE i + 2 <= n DO
    SET grams = CONCAT(grams, 'x', HEX(SUBSTRING(t, i, 3)), ' ');
    SET i = i + 1;
  END WHILE;
  RETURN grams;
END"""


def _install_mysql(database, table, fields, person):
    database.execute_sql(GRAMS_FUNCTION)

    def text(row):
        parts = [f"{row}.`{f}`" for f in fields]
        if person:
            last, first = (f"{row}.`{n}`" for n in person)
            parts += [f"CONCAT(COALESCE({last}, ''), COALESCE({first}, ''))", f"CONCAT_WS(' ', {first}, {last})",
                      f"CONCAT_WS(' ', {last}, {first})"]
        return f"zx_search_grams(CONCAT_WS(' ', {', '.join(parts)}))"

    database.execute_sql(f"ALTER TABLE `{table}` ADD COLUMN `{GRAMS}` LONGTEXT NULL")
    database.execute_sql(f"UPDATE `{table}` SET `{GRAMS}` = {text('`' + table + '`')}")
    database.execute_sql(f"ALTER TABLE `{table}` ADD FULLTEXT INDEX `{table}{SUFFIX}` (`{GRAMS}`)")
    for suffix, event in (("bi", "INSERT"), ("bu", "UPDATE")):
        database.execute_sql(f"CREATE TRIGGER `{table}{SUFFIX}_{suffix}` BEFORE {event} ON `{table}` "
                             f"FOR EACH ROW SET NEW.`{GRAMS}` = {text('NEW')}")


def hidden_tables(database):
    """The tables an index adds (SQLite's FTS5 table and its shadow tables): not data, never backed up,
    emptied or listed as the application's tables; the triggers keep them in step."""
    if backend_of(database) != "sqlite":
        return set()
    virtual = [r[0] for r in database.execute_sql(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%'")]
    return set(virtual) | {f"{v}_{s}" for v in virtual for s in ("data", "idx", "docsize", "config", "content")}


def data_tables(database):
    """``database.get_tables()`` without the index tables."""
    hidden = hidden_tables(database)
    return [t for t in database.get_tables() if t not in hidden]


# --- searching -----------------------------------------------------------------------------------------

def has_index(rt):
    table = rt.model._meta.table_name
    kind = backend_of(db.obj)
    if kind == "sqlite":
        return db.execute_sql("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                              (table + SUFFIX,)).fetchone() is not None
    if kind == "mysql":
        return db.execute_sql("SELECT 1 FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() "
                              "AND TABLE_NAME = %s AND COLUMN_NAME = %s", (table, GRAMS)).fetchone() is not None
    return False  # PostgreSQL: the GIN indexes serve the ILIKE itself


def indexable(rt, q):
    """Whether the index holds every record that ``q`` finds (so it may narrow the search)."""
    if len(q) < MIN_INDEXED or not rt.search_fields:
        return False
    parts = q.split()
    # the full-name rule matches "Jing   Chen" against first "Jing", last "Chen": not a substring
    return not (rt.person_name and len(parts) == 2 and q != " ".join(parts))


def narrowing(rt, user, q, count_cap=None):
    """An expression to AND with the search's own (``LIKE``) expression so the database reads the index, or
    None to leave the search as it is (a short term, no index here, or a viewer whose own rows are few) —
    and, for a list that counts up to ``count_cap`` rows, a term the index holds too often
    (:func:`common_limit`): a scan in the list's own order meets a page of matches and the count sooner."""
    if not indexable(rt, q) or not access.reaches_widely(user, rt, WIDE_REACH) or not has_index(rt):
        return None
    model, table = rt.model, rt.model._meta.table_name
    if backend_of(db.obj) == "sqlite":
        fts = _q(table + SUFFIX)
        expr = model.id << peewee.SQL(f"(SELECT rowid FROM {fts} WHERE {fts} MATCH ?)", [_phrase(q)])
    else:
        expr = peewee.NodeList((peewee.SQL("MATCH ("), _grams_column(model),
                                peewee.SQL(f") AGAINST ({db.obj.param} IN BOOLEAN MODE)", [_boolean_query(q)])))
    if count_cap is not None:
        limit = common_limit(rt, count_cap)
        if len(_held(rt, q, expr, limit + 1)) > limit:
            return None
    return expr


def common_limit(rt, count_cap):
    """How many records the index may hold a term for before a list (counting up to ``count_cap``) is
    faster scanned: the index reads each of m matches, the scan about n × cap / m of the n rows until
    the count is full — equal near m = √(n × cap) times the ratio of their costs (``COMMON_SHARE``). n is
    the highest id (one index read): 10,000 for 400k opportunities on SQLite. (PostgreSQL's planner makes
    this choice itself: no narrowing is asked of it.)"""
    top = rt.model.select(peewee.fn.MAX(rt.model.id)).scalar() or 0
    return int(COMMON_SHARE[backend_of(db.obj)] * math.sqrt(top * max(count_cap, 1)))


def candidates(rt, user, q, cap):
    """The ids of the records the index holds for ``q`` (a superset of what the search finds) when there are
    at most ``cap``, else None — also where :func:`narrowing` leaves the search to the scan. The lookup
    type-ahead (core.records.lookups.find_readable) reads its page of names among them."""
    expr = narrowing(rt, user, q)
    if expr is None:
        return None
    ids = _held(rt, q, expr, cap + 1)
    return ids if len(ids) <= cap else None


def _held(rt, q, expr, limit):
    """Up to ``limit`` ids of the records the index holds for ``q`` (``expr``: the narrowing)."""
    if backend_of(db.obj) == "sqlite":  # the FTS table itself stops at the limit; "id IN (it)" reads it all
        fts = _q(rt.model._meta.table_name + SUFFIX)
        cursor = db.execute_sql(f"SELECT rowid FROM {fts} WHERE {fts} MATCH ? LIMIT ?", (_phrase(q), limit))
        return [row[0] for row in cursor]
    return [row[0] for row in rt.model.select(rt.model.id).where(expr).limit(limit).tuples()]


def _phrase(q):
    """``q`` as one FTS5 phrase (its trigrams in order)."""
    return '"' + q.replace('"', '""') + '"'


def _grams_column(model):
    """The MariaDB ``search_grams`` column as a field of ``model`` (so the query's table alias applies), left
    out of the model's own fields: nothing else reads or writes it."""
    field = peewee.TextField(column_name=GRAMS)
    field.bind(model, GRAMS, set_attribute=False)
    return field


def _boolean_query(q):
    """'+xTOK +xTOK …': every trigram of ``q``, made by the same stored function as the records' tokens."""
    grams = db.execute_sql("SELECT zx_search_grams(%s)", (q,)).fetchone()[0] or ""
    return " ".join("+" + g for g in dict.fromkeys(grams.split()))
