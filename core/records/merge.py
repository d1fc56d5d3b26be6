"""Merging two accounts, two contacts or two leads (合并): the survivor takes the field values chosen, every
row that refers to the other record is pointed at the survivor — core's rows here, the plugins' through
``zhixin_record_merging`` — and the other record is deleted, all in one transaction, audited on both.

Access: write on the survivor and delete on the other (``core.access.can``); the views answer 404 when either
is not readable. Rows are moved whether or not the user may read them: the record they pointed at goes."""
from dataclasses import dataclass

from flask import current_app

from core import access
from core import models as m
from core.babel import gettext as _, lazy_gettext as _l
from core.db import db
from core.records import RecordError, service
from core.records import registry as records
from core.records.csvio import _form_order

MERGEABLE = ("account", "contact", "lead")


@dataclass(frozen=True)
class Move:
    """Rows of ``model`` whose ``field`` refers to the merged record (or ``related_type``/``related_id``)."""
    label: object
    model: object
    field: str
    related_type: str = ""


# core's rows that refer to an account, a contact or a lead
MOVES = {
    "account": (Move(_l("Contacts"), m.Contact, "account"), Move(_l("Opportunities"), m.Opportunity, "account"),
                Move(_l("Subsidiary accounts"), m.Account, "parent"),
                Move(_l("Converted leads"), m.Lead, "converted_account"),
                Move(_l("Documents"), m.Document, "related_id", "account")),
    "contact": (Move(_l("Opportunities"), m.Opportunity, "contact"), Move(_l("Reports to"), m.Contact, "reports_to"),
                Move(_l("Converted leads"), m.Lead, "converted_contact"),
                Move(_l("Documents"), m.Document, "related_id", "contact")),
    "lead": (Move(_l("Documents"), m.Document, "related_id", "lead"),),
}
SELF_LINKS = {"account": ("parent",), "contact": ("reports_to",)}   # a survivor must not point at itself


def fields(rt):
    """The fields whose value the user picks (the form's model fields, in the form's order)."""
    model_fields = rt.model._meta.fields
    return [n for n in _form_order(rt.form) if n in model_fields and n not in ("id", "owner")
            and not n.startswith(("converted_",))]


def default_choices(rt, survivor, other):
    """Per field, whose value the survivor keeps: its own, or the other's where its own is empty."""
    return {n: "other" if survivor.__data__.get(n) in (None, "") and other.__data__.get(n) not in (None, "")
            else "survivor" for n in fields(rt)}


def _where(model, move, record_id):
    column = model._meta.fields[move.field]
    where = column == record_id
    if move.related_type:
        where &= model.related_type == move.related_type
    return where


def related_counts(rt, record):
    """[(label, count)] of core's rows that refer to ``record`` (shown before merging)."""
    out = []
    for move in MOVES[rt.name]:
        count = move.model.select().where(_where(move.model, move, record.id)).count()
        if count:
            out.append((move.label, count))
    return out


def _move_core(rt, survivor, other):
    moved = {}
    for move in MOVES[rt.name]:
        model = move.model
        column = model._meta.fields[move.field]
        where = _where(model, move, other.id)
        if model is rt.model:
            where &= model.id != survivor.id    # the survivor's own link is settled by the chosen values
        count = model.update({column: survivor.id}).where(where).execute()
        if count:
            moved[str(move.label)] = count
    return moved


def merge(record_type, survivor, other, user, choices=None):
    """Merge ``other`` into ``survivor`` as ``user``; ``choices`` maps field names to "survivor" or "other"
    (default: :func:`default_choices`). Raises PermissionError (no write on the survivor, no delete on the
    other), RecordError (refused, by core or a plugin); nothing is written then. Returns ``{label: moved}``."""
    rt = records.get(record_type)
    if rt.name not in MERGEABLE:
        raise RecordError(_("Only accounts, contacts and leads can be merged."))
    if survivor.id == other.id:
        raise RecordError(_("A record cannot be merged with itself."))
    if not access.can(user, "write", survivor, rt):
        raise PermissionError("write")
    if not access.can(user, "delete", other, rt):
        raise PermissionError("delete")
    picked = default_choices(rt, survivor, other)
    picked.update({k: v for k, v in (choices or {}).items() if k in picked and v in ("survivor", "other")})
    plugins = current_app.extensions["zhixin_plugins"]
    with db.atomic():
        before = service.field_values(survivor)
        for name, side in picked.items():
            if side == "other":
                setattr(survivor, name, other.__data__.get(name))
        for name in SELF_LINKS.get(rt.name, ()):
            if survivor.__data__.get(name) in (other.id, survivor.id):
                setattr(survivor, name, None)
        moved = _move_core(rt, survivor, other)
        for _plugin, answer in plugins.results("zhixin_record_merging", per_user=False, record_type=rt.name,
                                              survivor=survivor, other=other, user=user):
            if isinstance(answer, dict):
                moved.update({str(k): v for k, v in answer.items() if v})
        service.save(rt, survivor, user, before, check=False)
        note = {"merged": [f"{other} (#{other.id})", f"{survivor} (#{survivor.id})"],
                "moved": [None, ", ".join(f"{label} {count}" for label, count in sorted(moved.items()))]}
        service.audit(rt.name, survivor.id, "merge", user, note)
        service.audit(rt.name, other.id, "merge", user, note)
        service.delete(rt, other, user, check=False)
    return moved
