"""The whitelist of fields and operators a report may use, taken from the record type's model.

Field names are looked up in the model's own field table (anything else is refused); values are converted
to the field's type and always reach SQL as bound parameters.
"""
import datetime as _dt
import decimal
from dataclasses import dataclass

import peewee

from core import positions as position_tree
from core.babel import lazy_gettext as _l
from core.localdates import SHADOWS, LocalMonthField, shadow_of
from core.models import Position, User
from core.records import display, registry as records
from plugins.reports import dates

HIDDEN_FIELDS = {"password_hash", "stored_name"}

OPERATORS = {
    "eq": _l("is"), "ne": _l("is not"), "contains": _l("contains"), "startswith": _l("starts with"),
    "lt": _l("before / less than"), "lte": _l("on or before / at most"), "gt": _l("after / more than"),
    "gte": _l("on or after / at least"), "period": _l("in period"), "in": _l("is one of (comma separated)"),
    "empty": _l("is empty"), "notempty": _l("is not empty"), "true": _l("is yes"), "false": _l("is no"),
    "team": _l("in team (position and below)"),
}
KIND_OPERATORS = {
    "text": ("eq", "ne", "contains", "startswith", "in", "empty", "notempty"),
    "number": ("eq", "ne", "lt", "lte", "gt", "gte", "empty", "notempty"),
    "date": ("period", "eq", "lt", "lte", "gt", "gte", "empty", "notempty"),
    "bool": ("true", "false"),
    "ref": ("eq", "ne", "in", "empty", "notempty"),
}
NO_VALUE = {"empty", "notempty", "true", "false"}

# Labels of the fields core's records share; a plugin's other fields fall back to their verbose name.
FIELD_LABELS = {
    "id": _l("ID"), "name": _l("Name"), "owner": _l("Owner"), "created_by": _l("Created by"),
    "modified_by": _l("Modified by"), "created_at": _l("Created"), "modified_at": _l("Modified"),
    "type": _l("Type"), "industry": _l("Industry"), "region": _l("Region"), "phone": _l("Phone"),
    "email": _l("E-mail"), "website": _l("Website"), "annual_revenue": _l("Annual revenue"),
    "employees": _l("Employees"), "parent": _l("Parent"), "description": _l("Description"),
    "first_name": _l("First name"), "last_name": _l("Last name"), "account": _l("Account"),
    "title": _l("Title"), "department": _l("Department"), "mobile": _l("Mobile"), "birthday": _l("Birthday"),
    "lead_source": _l("Lead source"), "company": _l("Company"), "source": _l("Source"), "status": _l("Status"),
    "rating": _l("Rating"), "converted_at": _l("Converted"), "contact": _l("Contact"), "amount": _l("Amount"),
    "currency": _l("Currency"), "close_date": _l("Close date"), "stage": _l("Stage"),
    "probability": _l("Probability (%)"), "next_step": _l("Next step"), "closed_at": _l("Closed on"),
    "folder": _l("Folder"), "filename": _l("File name"), "size": _l("Size"), "code": _l("Code"),
    "category": _l("Category"), "unit_price": _l("Unit price"), "unit": _l("Unit"), "active": _l("Active"),
    "strengths": _l("Strengths"), "weaknesses": _l("Weaknesses"), "billing_address": _l("Billing address"),
    "address": _l("Address"), "reports_to": _l("Reports to"), "converted_account": _l("Converted account"),
    "converted_contact": _l("Converted contact"), "converted_opportunity": _l("Converted opportunity"),
}


class BadInput(ValueError):
    """Input that names a field or operator outside the whitelist, or a value of the wrong type (→ 400)."""


@dataclass
class FieldInfo:
    name: str
    label: object
    kind: str               # text | number | date | bool | ref
    field: object
    is_datetime: bool = False
    is_money: bool = False
    choices: dict = None    # stored code -> label, for a choice field of a record type
    local_date: object = None   # a datetime's stored local date and month (core.localdates): what buckets read
    local_month: object = None

    @property
    def labelled(self):
        """Whether values are shown through labels (names, yes/no, choice labels), not as stored."""
        return self.kind in ("ref", "bool") or bool(self.choices)

    @property
    def operators(self):
        ops = KIND_OPERATORS[self.kind]
        return ops + ("team",) if self.kind == "ref" and self.field.rel_model is User else ops


def _kind(field):
    if isinstance(field, peewee.ForeignKeyField):
        return "ref"
    if isinstance(field, peewee.BooleanField):
        return "bool"
    if isinstance(field, (peewee.DateTimeField, peewee.DateField)):
        return "date"
    if isinstance(field, (peewee.IntegerField, peewee.FloatField, peewee.DecimalField, peewee.AutoField)):
        return "number"
    return "text"


def label_of(name, field=None, rt=None):
    """The reports' own label, else the field's verbose name, else the record type's label as its pages show it
    (a plugin's record type translates its own fields), else the name."""
    if name in FIELD_LABELS:
        return FIELD_LABELS[name]
    verbose = getattr(field, "verbose_name", None)
    if verbose:
        return verbose
    return display.label(rt, name) if rt is not None else name.replace("_", " ").capitalize()


def fields_of(model):
    """name -> FieldInfo for every reportable field of ``model``, in declaration order."""
    try:
        rt = records.get(model)
    except KeyError:
        rt = None
    out = {}
    for field in model._meta.sorted_fields:
        if field.name in HIDDEN_FIELDS or isinstance(field, SHADOWS):
            continue
        kind = _kind(field)
        out[field.name] = FieldInfo(field.name, label_of(field.name, field, rt), kind, field,
                                    is_datetime=isinstance(field, peewee.DateTimeField),
                                    is_money=isinstance(field, peewee.DecimalField) and field.decimal_places == 2,
                                    choices=display.choice_labels(rt, field.name) if rt else None,
                                    local_date=shadow_of(model, field.name),
                                    local_month=shadow_of(model, field.name, LocalMonthField))
    return out


def date_bucket(info, unit):
    """The GROUP BY key of a date field for ``unit`` (plugins.reports.dates): where the record type keeps
    the datetime's local month, that column itself (the same key, 202603, read from an index); its local
    date for the other units (ranges over a DATE, no conversion)."""
    if unit == "month" and info.local_month is not None:
        return info.local_month
    if info.local_date is not None:
        return dates.bucket(info.local_date, unit)
    return dates.bucket(info.field, unit, is_datetime=info.is_datetime)


def field_or_400(model, name):
    info = fields_of(model).get(name) if isinstance(name, str) else None
    if info is None:
        raise BadInput(f"unknown field {str(name)[:60]!r}")
    return info


def team_user_ids(position_id):
    """Ids of the users in position ``position_id`` and every position below it (one range query)."""
    pos = Position.get_or_none(Position.id == position_id)
    if pos is None:
        raise BadInput("unknown team")
    return position_tree.users_in(pos)


def _convert(info, value):
    text = "" if value is None else str(value).strip()
    try:
        if info.kind == "number":
            return decimal.Decimal(text) if not text.lstrip("-").isdigit() else int(text)
        if info.kind == "date":
            return _dt.date.fromisoformat(text[:10])
        if info.kind == "ref":
            return int(text)
    except (ValueError, decimal.InvalidOperation, ArithmeticError):
        raise BadInput(f"{text[:60]!r} is not a valid value for {info.name}") from None
    return text


def condition(model, name, op, value=""):
    """A Peewee expression for one filter row; raises BadInput outside the whitelist."""
    info = field_or_400(model, name)
    if op not in info.operators:
        raise BadInput(f"operator {str(op)[:20]!r} does not apply to {name}")
    col = info.field
    if op == "empty":
        return col.is_null() | (col == "") if info.kind == "text" else col.is_null()
    if op == "notempty":
        return col.is_null(False) & (col != "") if info.kind == "text" else col.is_null(False)
    if op in ("true", "false"):
        return col == (op == "true")
    if op == "team":
        return col.in_(team_user_ids(_convert(info, value)))
    if op == "in":
        values = [_convert(info, v) for v in str(value).split(",") if v.strip()]
        if not values:
            raise BadInput(f"no values for {name}")
        return col.in_(values)
    if op == "period":
        bounds = dates.period(str(value).strip())
        if bounds is None:
            raise BadInput(f"unknown period {str(value)[:30]!r}")
        return _range(info, *bounds)
    if op in ("contains", "startswith"):
        text = str(value)
        return col.contains(text) if op == "contains" else col.startswith(text)
    converted = _convert(info, value)
    if info.kind == "date":
        return _date_condition(info, op, converted)
    return {"eq": col == converted, "ne": col != converted, "lt": col < converted, "lte": col <= converted,
            "gt": col > converted, "gte": col >= converted}[op]


def _range(info, start, end):
    low, high = dates.date_bounds(info.is_datetime, start, end)
    expr = None
    if low is not None:
        expr = info.field >= low
    if high is not None:
        expr = (info.field < high) if expr is None else (expr & (info.field < high))
    return expr


def _date_condition(info, op, day):
    nxt = day + _dt.timedelta(days=1)
    col = info.field
    if op == "eq":
        return _range(info, day, nxt)
    if op == "ne":
        return ~_range(info, day, nxt) | col.is_null()
    low, _ = dates.date_bounds(info.is_datetime, day, None)
    after, _ = dates.date_bounds(info.is_datetime, nxt, None)
    return {"lt": col < low, "lte": col < after, "gt": col >= after, "gte": col >= low}[op]
