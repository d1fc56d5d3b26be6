"""How record fields read on screen and in CSV: labels, choice labels, money, dates, links."""
import datetime as _dt
import decimal
import functools

import peewee
from flask import url_for
from markupsafe import Markup, escape

from core import clock, names, stamp, templating
from core.babel import gettext as _, lazy_gettext as _l, locale_name
from core.models import MoneyField, SalesStage, User
from core.records import registry as records
from core.records.forms import CHOICE_LABELS

FIELD_LABELS = {
    "merged": _l("Merged"), "moved": _l("Rows moved"),
    "owner": _l("Owner"), "created_by": _l("Created by"), "created_at": _l("Created"),
    "modified_by": _l("Modified by"), "modified_at": _l("Modified"), "name": _l("Name"),
    "code": _l("Code"), "category": _l("Category"), "unit_price": _l("Unit price"), "unit": _l("Unit"),
    "active": _l("Active"), "filename": _l("File name"), "size": _l("Size"), "content_type": _l("File type"),
    "closed_at": _l("Closed on"), "converted_at": _l("Converted"), "converted_account": _l("Converted account"),
    "converted_contact": _l("Converted contact"), "converted_opportunity": _l("Converted opportunity"),
    "currency": _l("Currency"), "related": _l("Linked record"), "description": _l("Description"),
    "line": _l("Product line"), "competitor": _l("Competitor"),
    # the stored local date and month of created_at (core.localdates), and a document's name in the file store
    "created_on": _l("Created on"), "created_month": _l("Created month"), "stored_name": _l("Stored file name"),
}

STAGE_LABELS = {"Prospecting": _l("Prospecting"), "Qualification": _l("Qualification"),
                "Needs Analysis": _l("Needs Analysis"), "Proposal": _l("Proposal"),
                "Negotiation": _l("Negotiation"), "Closed Won": _l("Closed Won"),
                "Closed Lost": _l("Closed Lost")}


def stage_label(stage):
    if stage is None:
        return ""
    name = stage.name if isinstance(stage, SalesStage) else str(stage)
    return _stage_text(name, locale_name()) if name in STAGE_LABELS else name


@functools.lru_cache(maxsize=256)
def _stage_text(name, locale):
    """A standard stage's label in ``locale``'s words, translated once per process and language (a list shows
    the same few labels on every row)."""
    return str(STAGE_LABELS[name])


def record_type_label(name):
    """A record type's name as stored (``opportunity``) in the reader's words (商机); an unknown name as it is."""
    try:
        return records.get(name).label
    except KeyError:
        return name


def label(rt, name):
    if name in rt.labels:
        return rt.labels[name]
    form = rt.form
    unbound = getattr(form, name, None) if form is not None else None
    if unbound is not None and hasattr(unbound, "args") and unbound.args:
        return unbound.args[0]
    if unbound is not None and unbound.kwargs.get("label"):
        return unbound.kwargs["label"]
    return FIELD_LABELS.get(name, name.replace("_", " ").capitalize())


def choice_labels(rt, name):
    """{stored code: label} of one of ``rt``'s choice fields (``RecordType.choices`` names a kind of
    ``forms.CHOICE_LABELS`` or gives the mapping itself); None for a field without choices."""
    spec = rt.choices.get(name)
    return CHOICE_LABELS[spec] if isinstance(spec, str) else spec


def choice_text(labels, key):
    return str(labels.get(key, key or ""))


def record_url(record):
    """The detail page of a record of a registered type, or ''."""
    rt = records.of_model(type(record))
    if rt is None:
        return ""
    prefixes = stamp.memo("detail_url_prefix")  # one url_for per type and request, not one per row
    if rt.name not in prefixes:
        prefixes[rt.name] = url_for("records.detail", type_name=rt.name, record_id=0).removesuffix("0")
    return f"{prefixes[rt.name]}{int(record.id)}"


def related_object(record, name):
    """The related row of a foreign key: without a query when the list joined it; else, for a record type, as
    :func:`core.names.linked_row` gives it (one query that also tells the page whether it may name it)."""
    field = record._meta.fields[name]
    if record.__data__.get(name) is None:
        return None
    rel = record.__rel__.get(name)
    if rel is not None:
        return rel
    row = names.linked_row(field.rel_model, record.__data__[name])
    if row is not None:
        if names.may_name(row):  # the row itself (answered by linked_row's read), not a private one's stand-in
            record.__rel__[name] = row  # what Peewee's own lookup would keep
        return row
    try:
        return getattr(record, name)
    except field.rel_model.DoesNotExist:
        return None


def text(rt, record, name):
    """The value as plain text (CSV export uses exactly this)."""
    field = record._meta.fields.get(name)
    if isinstance(field, peewee.ForeignKeyField):
        return _linked(related_object(record, name))[0]
    value = getattr(record, name, None)
    labels = choice_labels(rt, name)
    if labels:
        return choice_text(labels, value)
    if value is None:
        return ""
    if isinstance(field, MoneyField):
        return str(templating.money(value, getattr(record, "currency", None)))
    if isinstance(field, peewee.BooleanField):
        return _("Yes") if value else _("No")
    if isinstance(field, peewee.DateTimeField):
        return templating.datetime_filter(value, "short")
    if isinstance(field, peewee.DateField) and isinstance(value, _dt.date):
        return templating.date_filter(value)
    if name == "size" and isinstance(value, int):
        return filesize(value)
    if name == "probability":
        return f"{value}%"
    if isinstance(value, decimal.Decimal):
        return templating.number(value)
    return str(value)


def csv_value(rt, record, name):
    """The value for a CSV cell: like :func:`text`, but numbers and dates stay machine-readable
    (``12345.60``, ``2026-06-30``) so a spreadsheet can compute with them and an import reads them back."""
    field = record._meta.fields.get(name)
    value = getattr(record, name, None) if field is not None and not isinstance(field, peewee.ForeignKeyField) \
        else None
    if value is None or choice_labels(rt, name):
        return text(rt, record, name)
    if isinstance(field, peewee.DateTimeField):
        return clock.to_local(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(field, peewee.DateField) and isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(field, peewee.DecimalField):
        places = decimal.Decimal(1).scaleb(-(field.decimal_places or 0))
        return str(decimal.Decimal(value).quantize(places))
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return text(rt, record, name)


def html(rt, record, name):
    """The value for a page: like :func:`text`, but related records link to their detail page."""
    if not isinstance(record._meta.fields.get(name), peewee.ForeignKeyField):
        return escape(text(rt, record, name))
    obj = related_object(record, name)
    value, readable = _linked(obj)
    url = record_url(obj) if readable and value else ""
    return _link(url, value) if url else escape(value)


def _link(url, text):
    return Markup(f'<a href="{escape(url)}">{escape(text)}</a>')


def table_rows(rt, rows, columns):
    """[(row, [(numeric, cell Markup), …])] for a list page: each cell as :func:`html` gives it, the first
    column as a link to the row's detail page — with what is the same for a whole column (the field's kind,
    its choice labels, the reader's language and currency) worked out once per column, not once per
    cell (tests/core/records/test_table_cells.py holds every cell equal to :func:`html`)."""
    if not columns:
        return [(row, []) for row in rows]
    first, first_numeric = _cell_text(rt, columns[0]), is_numeric(rt.model, columns[0])
    renderers = [(is_numeric(rt.model, name), _cell(rt, name)) for name in columns[1:]]
    out = []
    for row in rows:
        cells = [(numeric, render(row)) for numeric, render in renderers]
        out.append((row, [(first_numeric, _link(record_url(row), first(row) or row)), *cells]))
    return out


def _cell(rt, name):
    """A function from a row to its cell in column ``name`` (the same Markup as :func:`html`)."""
    field = rt.model._meta.fields.get(name)
    if isinstance(field, peewee.ForeignKeyField):
        return _link_cell(rt, name, field.rel_model)
    labels = choice_labels(rt, name)
    if labels:
        shown = {key: str(label) for key, label in labels.items()}  # one catalogue lookup per label, not per cell
        return lambda row: escape(shown.get(getattr(row, name, None), getattr(row, name, None) or ""))
    as_text = _cell_text(rt, name)
    return lambda row: escape(as_text(row))


def _link_cell(rt, name, rel_model):
    """A function from a row to its cell for the foreign key ``name`` (as :func:`html` writes it); for a linked
    record the list joined, its readability as the page primed it, the viewer looked up once a page."""
    if records.of_model(rel_model) is None:  # a stage, a user: always named
        return lambda row: html(rt, row, name)
    may_name, private = names.name_checker(), str(names.PRIVATE)

    def cell(row):
        obj = row.__rel__.get(name)
        if obj is None or row.__data__.get(name) is None or type(obj) is not rel_model:
            return html(rt, row, name)
        readable = may_name(obj)
        value = str(obj) if readable else private
        return _link(record_url(obj), value) if readable and value else escape(value)
    return cell


def _cell_text(rt, name):
    """A function from a row to :func:`text` of its column ``name``; for an amount and a date, with the
    organisation's currency and the reader's language looked up once a page, not once a cell."""
    field = rt.model._meta.fields.get(name)

    def general(row):
        return text(rt, row, name)
    if choice_labels(rt, name) or not isinstance(field, (MoneyField, peewee.DateField)):
        return general
    locale = locale_name() or "zh_CN"
    if isinstance(field, MoneyField):
        default = templating.default_currency()

        def money_text(row):
            value = getattr(row, name, None)
            if value is None:
                return ""
            return templating.format_money(decimal.Decimal(value), getattr(row, "currency", None) or default, locale)
        return money_text

    def date_text(row):
        value = getattr(row, name, None)
        return templating.format_date_in(value, locale) if type(value) is _dt.date else general(row)
    return date_text


def _linked(obj):
    """(the name a page shows for the linked row ``obj``, whether the viewer may read it — and so follow a link
    to it): a stage's label, a user's name, a record's name or :data:`core.names.PRIVATE`."""
    if obj is None:
        return "", False
    if isinstance(obj, SalesStage):
        return stage_label(obj), False
    if isinstance(obj, User):
        return obj.display_name, False
    readable = names.may_name(obj)
    return (str(obj) if readable else str(names.PRIVATE)), readable


def audit_value(rt, name, raw, cache):
    """A value from the audit log as people read it: names for ids, labels for keys; None for empty."""
    if raw in (None, ""):
        return None
    field = rt.model._meta.fields.get(name)
    labels = choice_labels(rt, name)
    if labels:
        return choice_text(labels, raw)
    if isinstance(field, peewee.ForeignKeyField):
        key = (field.rel_model, raw)
        if key not in cache:
            obj = field.rel_model.get_or_none(field.rel_model.id == raw)
            cache[key] = (stage_label(obj) if isinstance(obj, SalesStage) else
                          obj.display_name if isinstance(obj, User) else names.name_of(obj)) \
                if obj is not None else f"#{raw}"
        return cache[key]
    if isinstance(field, peewee.BooleanField):
        return _("Yes") if raw else _("No")
    return str(raw)


def is_numeric(record_or_model, name):
    field = record_or_model._meta.fields.get(name)
    return isinstance(field, (peewee.DecimalField, peewee.IntegerField)) and \
        not isinstance(field, peewee.ForeignKeyField)


def filesize(size):
    if size < 1024:
        return _("%(n)d bytes", n=size)
    if size < 1024 * 1024:
        kilobytes = "%.1f" % (size / 1024)
        return _("%(n)s KB", n=kilobytes)
    megabytes = "%.1f" % (size / 1024 / 1024)
    return _("%(n)s MB", n=megabytes)
