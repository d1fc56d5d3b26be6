"""Applies the pending migrations of core and every enabled plugin (``zhixin init`` / ``upgrade``)."""
from playhouse.migrations import Runner

from core.db import db
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
        ensure_defaults(app)
    return applied


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
