"""Applies the pending migrations of core and every enabled plugin (``zhixin init`` / ``upgrade``)."""
from playhouse.migrations import Runner

from core.db import db, is_sqlite
from core.plugins import call_impl


def migration_sets(app):
    plugins = app.extensions["zhixin_plugins"]
    sets = plugins.gather("zhixin_migrations")
    # core first, then plugins in dependency order
    order = {name: i for i, name in enumerate(["core"] + plugins.order)}
    return sorted(sets, key=lambda s: order.get(s.namespace, len(order)))


def upgrade(app):
    """Apply what is pending; returns ``[(namespace, [migration names])]`` of what ran."""
    applied = []
    with app.app_context(), db.connection_context():
        for mset in migration_sets(app):
            runner = Runner(db.obj, mset.directory, table_name=f"{mset.namespace}_migration")
            names = runner.up()
            applied.append((mset.namespace, names))
        if any(names for _namespace, names in applied):
            refresh_statistics()
        ensure_defaults(app)
    return applied


def refresh_statistics():
    """On SQLite, the planner's statistics for the indexes migrations just made, where the database keeps
    statistics at all. SQLite gathers them only when told (``ANALYZE``; PostgreSQL and MariaDB keep theirs by
    themselves): a new index next to analysed ones has none, looks cheaper than it is, and is chosen where it
    reads every row — after core 0020 a class lead's leads by source at 200k leads read the new (owner,
    modified_at) index and looked up each row (32 ms) instead of the covering (owner, source) one (4 ms). A
    database never analysed keeps the planner's uniform guesses."""
    if not is_sqlite():
        return
    if db.execute_sql("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchone():
        db.execute_sql("ANALYZE")


def planner_statistics(app=None):
    """The scheduler's daily job (``core.planner_statistics``): on SQLite, ``ANALYZE`` — the planner's
    statistics made to match the data as it grew, so that a school's database is planned the way the
    benchmarks' (analysed) one is. At 1M records, never analysed against analysed: a class lead's won-by-month
    reports 30 → 8 ms, the teacher's competitor reports 5–11 → 0.3 ms, the open-opportunity count 40 → 22 ms;
    two of the teacher's pipeline reports go the other way (193 → 381 ms: the planner then reads the rows in
    (stage, close date) order instead of (stage) order). A whole ANALYZE, not an estimate
    (``analysis_limit`` guessed one index's 57,143 rows a value as 1,001): it reads every index once, about a
    second at 1M records, while writers wait on the busy timeout. PostgreSQL (autovacuum) and MariaDB
    (persistent statistics) keep theirs by themselves."""
    if not is_sqlite():
        return "kept by the database"
    db.execute_sql("ANALYZE")
    return "analysed"


def ensure_defaults(app):
    """Every enabled plugin's (and core's) default rows, each in its own transaction."""
    for _plugin, impl in app.extensions["zhixin_plugins"].implementations("zhixin_defaults", registration_order=True):
        with db.atomic():
            call_impl(impl, app=app)


def pending(app):
    out = []
    with app.app_context(), db.connection_context():
        for mset in migration_sets(app):
            runner = Runner(db.obj, mset.directory, table_name=f"{mset.namespace}_migration")
            out.extend((mset.namespace, m.name) for m in runner.status() if not m.applied and m.path)
    return out
