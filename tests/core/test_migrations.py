"""Migrations are frozen: a database made by each namespace's first migration, with a row in every table,
upgrades to head with its data kept and ends with exactly the schema the current models declare (compared
with a separate database made by ``create_tables`` from the models), on SQLite, PostgreSQL and MariaDB."""
import ast
import datetime as dt
import decimal
import glob
import os
import re
from urllib.parse import urlparse, urlunparse

import peewee
import pytest
from playhouse.migrations import Runner

from core import db as db_module, search
from core.app import create_app
from core.db import db, make_database
from core.migrate import migration_sets, upgrade
from tests.conftest import BUNDLED

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MIGRATION_FILES = sorted(glob.glob(os.path.join(ROOT, "core", "**", "migrations", "[0-9]*.py"), recursive=True)
                         + glob.glob(os.path.join(ROOT, "plugins", "*", "migrations", "[0-9]*.py"))
                         + glob.glob(os.path.join(ROOT, "tests", "**", "*migrations", "[0-9]*.py"), recursive=True)
                         + glob.glob(os.path.join(ROOT, "core", "scaffold_template", "migrations", "*.tmpl")))
# PostgreSQL only (core 0002): an index on an expression, which a model's Meta cannot declare
EXPRESSION_INDEXES = {"position_path_c"}
AT = dt.datetime(2026, 1, 2, 3, 4, 5)


@pytest.fixture
def other_database(database_url, tmp_path):
    """``other_database("upgrade")``: the URL of an empty database beside the test database (a file for
    SQLite, ``<test database>_upgrade`` on the same server otherwise, created if missing). The proxy goes back
    to the test database afterwards."""
    def make(suffix):
        parsed = urlparse(database_url)
        if parsed.scheme == "sqlite":
            return f"sqlite:///{tmp_path}/{suffix}.db"
        name = f"{parsed.path.strip('/')}_{suffix}"
        _create_empty(database_url, name)
        return urlunparse(parsed._replace(path="/" + name))
    yield make
    db_module.init(database_url)


def _create_empty(server_url, name):
    server = make_database(server_url)
    server.connect()
    if isinstance(server, peewee.PostgresqlDatabase):
        server.connection().autocommit = True   # CREATE/DROP DATABASE refuse to run in a transaction
        server.execute_sql(f'DROP DATABASE IF EXISTS "{name}"')  # names from the test's own URL, never input
        server.execute_sql(f'CREATE DATABASE "{name}"')
    else:
        server.execute_sql(f"DROP DATABASE IF EXISTS `{name}`")
        server.execute_sql(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
    server.close()


def _app(url, tmp_path):
    return create_app({"DATABASE_URL": url, "PLUGINS": BUNDLED, "TESTING": True,
                       "INSTANCE_PATH": str(tmp_path / "instance")})


def _tables(database):
    return sorted(t for t in search.data_tables(database) if not t.endswith("_migration") and not t.startswith("sqlite_"))


def _sample(column):
    """A value for ``column`` of its type (foreign keys point at row 1 of their table, which exists)."""
    kind = column.data_type.lower()
    if "bool" in kind or kind == "tinyint":
        return True
    if "int" in kind or "numeric" in kind or "decimal" in kind:
        return 1
    if "timestamp" in kind or "datetime" in kind:
        return AT
    if kind == "date":
        return AT.date()
    if kind.startswith("time"):
        return AT.time()
    if "real" in kind or "double" in kind or "float" in kind:
        return 1.5
    length = re.search(r"\((\d+)\)", column.full_type or "")
    return column.name[:int(length.group(1)) if length else None]  # distinct per column: a swap would show


def _insert(database, table, row):
    peewee.Table(table, list(row)).bind(database).insert(row).execute()


def _fill_every_table(database):
    """One row (id 1) in every table, parents first; returns {table: [{column: value}]}."""
    tables = _tables(database)
    parents = {t: {fk.dest_table for fk in database.get_foreign_keys(t)} - {t} for t in tables}
    rows = {}
    while len(rows) < len(tables):
        ready = [t for t in tables if t not in rows and parents[t] <= set(rows)]
        assert ready, f"foreign keys in a cycle: {sorted(set(tables) - set(rows))}"
        for table in ready:
            rows[table] = [{c.name: _sample(c) for c in database.get_columns(table)}]
            _insert(database, table, rows[table][0])
    return rows


def _plain(value):
    """Compare across drivers: SQLite hands back text for times and numbers for booleans, PyMySQL a TIME as a
    timedelta."""
    if isinstance(value, dt.timedelta):
        value = (dt.datetime.min + value).time()
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return str(value)
    if isinstance(value, (bool, decimal.Decimal)):
        return int(value)
    return value


def _row(database, table):
    rows = list(peewee.Table(table).bind(database).select().dicts())
    return [{k: _plain(v) for k, v in r.items()} for r in rows]


def _expected_after_upgrade(before):
    """What the migrations make of the rows written into the first release's tables: kept as they were,
    but for the steps that change data on purpose (a reference written from each step's docstring)."""
    after = {t: [{k: _plain(v) for k, v in row.items()} for row in rows] for t, rows in before.items()}
    after["login_attempt"] = []  # core 0006 drops the failed logins counted per address
    after.pop("service_public_submission")  # service 0004: the public form's log moved to core (core 0018)
    # classroom 0003: a row meant "on only in this class"; now one per other class means "off there"
    classes = {r["id"] for r in after["position"] if r["depth"] == 1}
    modules = after["classroom_class_module"]
    after["classroom_class_module"] = [{"plugin": p, "position_id": c} for p in {r["plugin"] for r in modules}
                                       for c in classes - {r["position_id"] for r in modules if r["plugin"] == p}]
    # classroom 0002: each latest result becomes an attempt and, if passed, a grade
    result = after.pop("classroom_exercise_result")[0]
    after["classroom_attempt"] = [{"user_id": result["user_id"], "exercise": result["exercise"],
                                   "passed": result["passed"], "feedback": result["message"],
                                   "points": result["points"], "at": result["checked_at"]}]
    grade = {"user_id": result["user_id"], "exercise": result["exercise"], "points": result["points"],
             "passed_at": result["passed_at"]}
    after["classroom_grade"] = [grade] if result["passed"] else []
    return after


def _schema(database):
    """Every table's columns, indexes and foreign keys, as the database reports them (SQLite: and whether its
    key is AUTOINCREMENT)."""
    out = {}
    for table in _tables(database):
        # the search index (core.search) is made by migrations only, never declared by the models
        columns = {c.name: (c.data_type.lower(), c.null, c.primary_key) for c in database.get_columns(table)
                   if c.name != search.GRAMS}
        indexes = {(i.name, tuple(i.columns), i.unique) for i in database.get_indexes(table)
                   if i.name not in EXPRESSION_INDEXES and not i.name.startswith(table + search.SUFFIX)}
        keys = {(f.column, f.dest_table, f.dest_column, getattr(f, "on_delete", None))
                for f in database.get_foreign_keys(table)}
        out[table] = {"columns": columns, "indexes": indexes, "foreign keys": keys}
        if isinstance(database, peewee.SqliteDatabase):
            sql = database.execute_sql("SELECT sql FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
            out[table]["autoincrement"] = "AUTOINCREMENT" in sql.upper()
    return out


def test_a_first_release_database_with_data_upgrades_to_the_current_models(other_database, tmp_path):
    old_url, models_url = other_database("upgrade"), other_database("models")
    app = _app(old_url, tmp_path)
    with app.app_context(), db.connection_context():
        for mset in migration_sets(app):
            Runner(db.obj, mset.directory, table_name=f"{mset.namespace}_migration").up("0001_initial")
        before = _fill_every_table(db.obj)
        second_class = dict(before["position"][0], id=2)  # so that classroom 0003 has a class to turn around
        _insert(db.obj, "position", second_class)
        before["position"].append(second_class)
    assert "classroom_exercise_result" in before and "user_session" not in before  # really the first release

    upgrade(app)
    with app.app_context(), db.connection_context():
        upgraded = _schema(db.obj)
        for table, rows in _expected_after_upgrade(before).items():
            ids = {r.get("id") for r in rows}  # default rows written after the upgrade (zhixin_defaults) aside
            kept = [{k: r[k] for k in (rows[0] if rows else r)} for r in _row(db.obj, table)
                    if None in ids or r["id"] in ids]
            assert kept == rows, table
        if isinstance(db.obj, peewee.PostgresqlDatabase):
            assert "position_path_c" in {i.name for i in db.obj.get_indexes("position")}
        models = app.extensions["zhixin_plugins"].gather("zhixin_models")

    reference = make_database(models_url)
    with reference.connection_context(), reference.bind_ctx(models):
        reference.create_tables(models)
        declared = _schema(reference)
    assert set(upgraded) == set(declared)
    for table in declared:
        assert upgraded[table] == declared[table], table


def _imported_modules(path):
    tree = ast.parse(open(path, encoding="utf-8").read().replace("$package", "package"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def _is_models(module):
    """core.models, core.classroom.models, plugins.<name>.models, a scaffold's models, the test plugin's."""
    return "models" in module.split(".") or module.startswith("tests.core.hook_plugin")


def test_no_migration_imports_the_models_it_would_freeze():
    assert len(MIGRATION_FILES) > 15
    offenders = {os.path.relpath(path, ROOT): sorted(m for m in _imported_modules(path) if _is_models(m))
                 for path in MIGRATION_FILES}
    assert {path: found for path, found in offenders.items() if found} == {}


@pytest.mark.parametrize("analysed", [True, False])
def test_on_sqlite_the_indexes_a_migration_adds_get_statistics_if_the_database_keeps_them(other_database, tmp_path,
                                                                                       analysed):
    """A new index without statistics beside analysed ones misleads SQLite's planner (core.migrate
    .refresh_statistics); a database never analysed keeps none. SQLite whatever the suite's database."""
    from core.models import Lead, User
    app = _app(f"sqlite:///{tmp_path}/stats.db", tmp_path)
    with app.app_context(), db.connection_context():
        for mset in migration_sets(app):
            Runner(db.obj, mset.directory, table_name=f"{mset.namespace}_migration").up(
                "0019_list_sort_owner" if mset.namespace == "core" else None)
        owner = User.create(username="owner", password_hash="x")
        for i in range(20):
            Lead.create(owner=owner, last_name=f"L{i}", company="C")
        if analysed:
            db.execute_sql("ANALYZE")
    assert "0020_default_order_indexes" in dict(upgrade(app))["core"]
    with app.app_context(), db.connection_context():
        has_stats = db.execute_sql("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchone()
        new_index = has_stats and db.execute_sql(
            "SELECT stat FROM sqlite_stat1 WHERE idx = 'lead_modified_at_id_owner_id'").fetchone()
    assert bool(new_index) == analysed and bool(has_stats) == analysed


def test_the_daily_statistics_job_analyses_a_sqlite_database_as_it_grows(other_database, tmp_path):
    """``core.planner_statistics`` gives a never-analysed SQLite database its planner statistics and brings
    them up to date with the rows added since. SQLite whatever the suite's database (a server keeps its own)."""
    from core import scheduler
    from core.models import JobRun, Lead, User
    job = next(j for j in scheduler.core_jobs() if j.id == "core.planner_statistics")
    app = _app(f"sqlite:///{tmp_path}/daily.db", tmp_path)
    upgrade(app)

    def lead_rows():
        with app.app_context(), db.connection_context():
            if not db.execute_sql("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchone():
                return None
            row = db.execute_sql("SELECT stat FROM sqlite_stat1 WHERE idx = 'lead_modified_at_id_owner_id'").fetchone()
            return int(row[0].split()[0]) if row else None

    def add_leads(n):
        with app.app_context(), db.connection_context():
            owner = User.get_or_create(username="owner", defaults={"password_hash": "x"})[0]
            for i in range(n):
                Lead.create(owner=owner, last_name=f"L{i}", company="C")

    add_leads(12)
    assert lead_rows() is None  # never analysed: the planner guesses
    assert scheduler.run_job(app, job) == "analysed"
    assert lead_rows() == 12
    add_leads(30)
    scheduler.run_job(app, job)
    assert lead_rows() == 42
    with app.app_context(), db.connection_context():
        assert JobRun.get(JobRun.job == job.id).result == "'analysed'"

