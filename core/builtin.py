"""Core's own hook implementations: core registers its migrations, record types, menu entries and
widgets exactly as a plugin would."""
import os

from core import hookimpl, publicforms
from core.babel import lazy_gettext as _l
from core.extension import Job, MenuItem, MigrationSet
from core.models import CORE_MODELS, CacheStamp, DEFAULT_STAGES, Organisation, SalesStage
from core.records import classrows, demo, timeline_items
from core.records.types import core_record_types


@hookimpl
def zhixin_migrations():
    return [MigrationSet("core", os.path.join(os.path.dirname(__file__), "migrations"))]


@hookimpl
def zhixin_defaults(app):
    if not Organisation.select().where(Organisation.id == 1).exists():
        Organisation.insert(id=1).execute()
    if not CacheStamp.select().where(CacheStamp.slot == 1).exists():  # (migration 0011 makes it; if lost)
        CacheStamp.insert(slot=1, version=1).on_conflict_ignore().execute()
    if not SalesStage.select().exists():
        for order, (name, probability, won, lost) in enumerate(DEFAULT_STAGES):
            SalesStage.create(name=name, probability=probability, order=order, is_won=won, is_lost=lost)


@hookimpl
def zhixin_models():
    return list(CORE_MODELS) + [CacheStamp]


@hookimpl
def zhixin_jobs():
    return [Job("core.purge_public_forms", publicforms.purge, "interval", {"hours": 6},
                "Forget public-form posts and challenges older than the rate-limit window")]


@hookimpl
def zhixin_demo_data(app, users, rng):
    demo.load(app, users, rng)


@hookimpl
def zhixin_class_rows(user_ids):
    return classrows.class_rows(user_ids)


@hookimpl
def zhixin_record_types():
    return core_record_types()


@hookimpl
def zhixin_menu_items(user):
    items = [MenuItem("home", _l("Home"), "main.home", group="main", order=0, icon="home")]
    if user.is_admin:
        items += [
            MenuItem("admin", _l("Administration"), "admin.index", group="admin", order=900, icon="settings"),
        ]
    return items


@hookimpl
def zhixin_timeline_items(user, scope, before, limit):
    """Core's part of the customer timeline: records created, stage changes, documents."""
    return timeline_items.timeline_items(user, scope, before, limit)
