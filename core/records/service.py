"""The record service: every create, change, reassign and delete of a record goes through here, in one
transaction, stamped, audited and announced to plugins."""
import datetime as _dt
import decimal
import json

from flask import current_app, has_app_context

from core import access, clock
from core.db import db
from core.models import AuditEntry
from core.records import RecordError
from core.records import registry as records

SKIP_AUDIT = {"created_at", "modified_at", "created_by", "modified_by"}


def _jsonable(value):
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if hasattr(value, "id") and hasattr(value, "_meta"):
        return value.id
    return value


def field_values(record):
    return {name: record.__data__.get(name) for name in record._meta.fields if name != "id"}


def diff(before, after):
    return {k: [_jsonable(before.get(k)), _jsonable(after.get(k))]
            for k in after if k not in SKIP_AUDIT and before.get(k) != after.get(k)}


def _plugins():
    return current_app.extensions.get("zhixin_plugins") if has_app_context() else None


def audit(record_type, record_id, action, user, changes=None):
    AuditEntry.create(record_type=record_type, record_id=record_id, action=action,
                      user=user.id if user is not None and getattr(user, "id", None) else None,
                      at=clock.real_utcnow(), changes=json.dumps(changes or {}, ensure_ascii=False, default=str))


def save(record_type, record, user, before=None, check=True, *, form=None, extras=()):
    """Create or update ``record`` as ``user``, all in one transaction: the write check, the type's
    ``form_saving`` callback (when saved from ``form``), stamping (owner, created/modified by and at),
    ``prepare``, the ``zhixin_record_saving`` hook, the write, the plugins' ``extras`` (ExtraField values
    taken from ``form``), the audit row, ``after_save`` and ``zhixin_record_saved``. Any RecordError (or
    other exception) rolls all of it back. ``record_type`` is a RecordType (resolved once by the caller) or
    its name. ``before`` is the field dict loaded before the form was applied (``field_values(record)``
    then); the difference is audited. Returns the changes.

    The write check runs against the stored row, so reassigning an owner is a write like any other."""
    rt = records.get(record_type)
    created = record.id is None
    now = clock.utcnow()
    if check and not created and not access.can(user, "write", record, rt):
        raise PermissionError("write")
    with db.atomic():
        if form is not None and rt.form_saving:
            rt.form_saving(form, record, user)
        if rt.owned:
            if created:
                record.created_by = user.id
                record.created_at = now
                if not record.__data__.get("owner"):
                    record.owner = user.id
            record.modified_by = user.id
        if hasattr(record, "modified_at"):
            record.modified_at = now
        if rt.prepare:
            rt.prepare(record, user, created, before or {})
        changes = diff(before or {}, field_values(record))
        plugins = _plugins()
        if plugins:
            plugins.results("zhixin_record_saving", per_user=False, record_type=rt.name, record=record,
                            user=user, created=created, changes=changes)
        record.save(force_insert=created)
        for ef in extras:
            ef.save(record, form[ef.name].data, user)
        audit(rt.name, record.id, "create" if created else "update", user, changes)
        if rt.after_save:
            rt.after_save(record, user, created, changes)
        if plugins:
            plugins.results("zhixin_record_saved", per_user=False, record_type=rt.name, record=record,
                            user=user, created=created, changes=changes)
    return changes


def delete(record_type, record, user, check=True):
    """Delete ``record`` as ``user`` in one transaction: the delete check, ``zhixin_record_deleted``, the
    audit row, the delete and the type's ``after_delete`` callback."""
    rt = records.get(record_type)
    if check and not access.can(user, "delete", record, rt):
        raise PermissionError("delete")
    with db.atomic():
        plugins = _plugins()
        if plugins:
            plugins.results("zhixin_record_deleted", per_user=False, record_type=rt.name, record=record, user=user)
        audit(rt.name, record.id, "delete", user, {"name": [str(record), None]})
        record.delete_instance()
        if rt.after_delete:
            rt.after_delete(record)


__all__ = ["RecordError", "audit", "delete", "diff", "field_values", "save"]
