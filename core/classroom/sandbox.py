"""Class sandbox (班级沙盒): remove one class's rows and reload demo data for it, in one transaction.

A class's rows are what core and every plugin declare through ``zhixin_class_rows`` (the records its users own
and every row depending on them: links, lines, replies, timelines, members, quotas, saved reports,
notifications), the records of types nobody declared that its users own, and the change history of all those
records. The confirmation page counts exactly the rows the reset deletes: both read :func:`plan`. School-wide
rows (settings, the catalogue, the teaching log) and other classes' rows are never in it."""
import operator
import random
from functools import reduce

from flask import current_app

from core import demo, filestore
from core.babel import lazy_gettext as _l
from core.classroom import audit
from core.classroom.exercises import forget_grades, restart_after_reset
from core.classroom.scope import students_of
from core.db import db
from core.extension import ClassRows
from core.models import AuditEntry, Document, Position, User
from core.records import registry as records


def owned_types():
    return [rt for rt in records.registry().values() if rt.owned]


def class_users(position):
    """The class's users, highest position first (the class lead, as the teacher comes first in
    ``zhixin demo``), then by user name."""
    return list(students_of(position).join(Position, on=(User.position == Position.id))
                .order_by(Position.depth, User.username))


def plan(user_ids):
    """Every :class:`ClassRows` of the class whose users are ``user_ids``, in the order they are deleted: the
    records' change history, the declared rows (plugins first, latest registered first; core last), then the
    undeclared record types' rows the users own (latest-registered type first)."""
    if not user_ids:
        return []
    plugins = current_app.extensions["zhixin_plugins"]
    declared = plugins.gather("zhixin_class_rows", per_user=False, user_ids=list(user_ids))
    listed = {rows.model for rows in declared}
    owned = [ClassRows(rt.label_plural, rt.model, rt.model.owner.in_(list(user_ids)))
             for rt in reversed(owned_types()) if rt.model not in listed]
    return _history(declared + owned) + declared + owned


def _history(plan_rows):
    """The audit entries of every record the plan removes (ids are never reused, but the log would grow)."""
    type_of = {rt.model: rt.name for rt in records.registry().values()}
    parts = [(AuditEntry.record_type == type_of[rows.model])
             & AuditEntry.record_id.in_(rows.model.select(rows.model.id).where(rows.where))
             for rows in plan_rows if rows.model in type_of]
    return [ClassRows(_l("Change history entries"), AuditEntry, reduce(operator.or_, parts))] if parts else []


def preview(position):
    """``[(label, count)]`` of what a reset of the class removes (kinds without rows left out)."""
    counted = [(rows.label, rows.model.select().where(rows.where).count())
               for rows in plan([u.id for u in students_of(position)])]
    return [(label, count) for label, count in counted if count]


def reset(position, user, keep_grades=True, reload_demo=True, seed=None):
    """Delete the class's rows (:func:`plan`), its grades unless ``keep_grades``, then reload demo data for its
    users; audited as "reset". Returns ``{table: rows removed}``. One transaction: a failure changes nothing."""
    users = class_users(position)
    ids = [u.id for u in users]
    removed = {}
    with db.atomic():
        files = [d.stored_name for d in Document.select(Document.stored_name).where(Document.owner.in_(ids))]
        for rows in plan(ids):
            table = rows.model._meta.table_name
            removed[table] = removed.get(table, 0) + rows.model.delete().where(rows.where).execute()
        if not keep_grades:
            removed.update(forget_grades(ids))
        removed = {table: n for table, n in removed.items() if n}
        for name in files:  # the files are in the database: a rolled-back reset keeps them
            filestore.remove(name)
        if reload_demo and users:
            demo.load_for(current_app, users, random.Random(seed if seed is not None else position.id))
        restarted = restart_after_reset(position, user, current_app)
        audit.log("reset", user, position, counts=removed, kept_grades=keep_grades, restarted=restarted)
    return removed
