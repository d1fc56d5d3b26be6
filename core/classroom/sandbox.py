"""Class sandbox (班级沙盒): delete one class's records and reload demo data for it, in one transaction."""
import random

from flask import current_app
from flask_babel import force_locale

from core.classroom.scope import students_of
from core.db import db
from core.plugins import call_impl
from core.records import registry as records


def owned_types():
    return [rt for rt in records.registry().values() if rt.owned]


def record_counts(position):
    """{record type name: rows owned by the class's users} — what a reset would delete."""
    ids = students_of(position).select(students_of(position).model.id)
    out = {}
    for rt in owned_types():
        count = rt.model.select().where(rt.model.owner.in_(ids)).count()
        if count:
            out[rt.name] = count
    return out


def reset(position, reload_demo=True, seed=None):
    """Delete every record owned by the class's users (latest-registered types first, so a plugin's rows
    go before the core rows they point at), then reload demo data for those users. Returns the deleted
    count. One transaction: a failure leaves the class as it was."""
    users = list(students_of(position))
    ids = [u.id for u in users]
    deleted = 0
    with db.atomic():
        if ids:
            for rt in reversed(owned_types()):
                deleted += rt.model.delete().where(rt.model.owner.in_(ids)).execute()
        if reload_demo and users:
            rng = random.Random(seed if seed is not None else position.id)
            plugins = current_app.extensions["zhixin_plugins"]
            with force_locale("zh"):
                for _plugin, impl in plugins.implementations("zhixin_demo_data", registration_order=True):
                    call_impl(impl, app=current_app, users=users, rng=rng)
    return deleted
