"""CSV export (exactly what the list shows, streamed through ``core.csvsafe``) and import (cells restored by
``core.csvsafe``, column mapping, a dry run that reports every bad row, and an all-or-nothing commit in one
transaction)."""
import csv
import io
from dataclasses import dataclass, field

import peewee
from flask_babel import force_locale, gettext as _
from werkzeug.datastructures import MultiDict

from core import csvsafe, names
from core.db import db
from core.records import RecordError, display, service
from core.records.forms import CHOICE_LABELS, LookupField
from core.records.lookups import assignable_users, bind_lookups, stage_choices


def export_rows(rt, query, columns, chunk=500):
    batch = []
    for record in query.iterator():
        batch.append(record)
        if len(batch) == chunk:
            yield from _export_batch(rt, batch, columns)
            batch = []
    yield from _export_batch(rt, batch, columns)


def _export_batch(rt, batch, columns):
    names.prime(batch)      # a private linked record shows as "(private record)" (core.names)
    for record in batch:
        yield [display.csv_value(rt, record, c) for c in columns]


# --- import -------------------------------------------------------------------------------------------

def decode(data):
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise RecordError(_("The file is not text in UTF-8 or GB18030."))


def parse(text):
    rows = [csvsafe.restore_row(r) for r in csv.reader(io.StringIO(text)) if any(cell.strip() for cell in r)]
    if not rows:
        raise RecordError(_("The file has no rows."))
    return rows[0], rows[1:]


def import_fields(rt):
    """Field names a CSV column can fill: the form's fields (no files) and the owner."""
    form = rt.form
    names = [name for name, unbound in form.__dict__.items()
             if hasattr(unbound, "field_class") and name in rt.model._meta.fields]
    ordered = [n for n in _form_order(form) if n in names]
    return ordered + ["owner"]


def _form_order(form_class):
    return [name for name, _unbound in sorted(
        ((n, f) for n, f in vars(form_class).items() if hasattr(f, "creation_counter")),
        key=lambda item: item[1].creation_counter)]


def guess_mapping(rt, header):
    """Column index -> field name, where the header is the field's name or its label in either language."""
    fields = import_fields(rt)
    known = {}
    for name in fields:
        known[name.lower()] = name
        for locale in ("en", "zh"):
            with force_locale(locale):
                known[str(display.label(rt, name)).strip().lower()] = name
    mapping = {}
    for i, title in enumerate(header):
        name = known.get(title.strip().lower())
        if name and name not in mapping.values():
            mapping[i] = name
    return mapping


@dataclass
class RowError:
    row: int
    field: str
    message: str


@dataclass
class ImportResult:
    errors: list = field(default_factory=list)
    created: int = 0
    checked: int = 0
    committed: bool = False


class _Aliases:
    """Turns CSV values into form values: choice labels into keys, names into ids, user names into users."""

    def __init__(self, rt, user):
        self.rt, self.user = rt, user
        self.choice_keys = {}
        for name, kind in rt.choices.items():
            keys = {}
            for key, label in CHOICE_LABELS[kind].items():
                keys[key.lower()] = key
                for locale in ("en", "zh"):
                    with force_locale(locale):
                        keys[str(label).lower()] = key
            self.choice_keys[name] = keys
        self.lookup_cache = {}
        self.users = {}
        for u in assignable_users(user):
            self.users[u.username.lower()] = u
            if u.full_name:
                self.users.setdefault(u.full_name.lower(), u)
        self.stages = {label.lower(): sid for sid, label in stage_choices()}
        with force_locale("en"):
            self.stages.update({label.lower(): sid for sid, label in stage_choices()})

    def value(self, form, name, raw):
        raw = raw.strip()
        if not raw:
            return raw
        unbound = form[name]
        if name in self.choice_keys:
            return self.choice_keys[name].get(raw.lower(), raw)
        if name == "stage":
            return str(self.stages.get(raw.lower(), raw))
        if isinstance(unbound, LookupField):
            by_name = {str(c.label).lower(): c.value for c in unbound.choices if c.value != ""}
            return str(by_name.get(raw.lower(), raw))
        return raw


def check_rows(rt, user, rows, mapping, form_factory):
    """Validate every row; returns (ImportResult, [(row number, form, owner)])."""
    result = ImportResult()
    good = []
    cache = {}
    template = form_factory(MultiDict())
    bind_lookups(template, user, cache=cache)
    aliases = _Aliases(rt, user)
    for index, row in enumerate(rows, start=2):  # row 1 is the header
        result.checked += 1
        data = MultiDict()
        owner = user
        for col, name in mapping.items():
            raw = row[col] if col < len(row) else ""
            if name == "owner":
                if raw.strip():
                    owner = aliases.users.get(raw.strip().lower())
                    if owner is None:
                        result.errors.append(RowError(index, str(display.label(rt, "owner")), _(
                            "%(name)s is not a user you may assign records to.", name=raw.strip())))
                continue
            data.add(name, aliases.value(template, name, raw))
        form = form_factory(data)
        bind_lookups(form, user, cache=cache)
        if "stage" in form._fields:
            form.stage.choices = stage_choices()
        ok = form.validate()
        for name, messages in form.errors.items():
            label = display.label(rt, name) if name in form._fields else name
            for message in messages:
                result.errors.append(RowError(index, str(label), str(message)))
        if ok and owner is not None:
            good.append((index, form, owner))
    return result, good


def commit(rt, user, good, apply_form):
    """Create every checked row in one transaction; any refusal rolls all of them back."""
    created = 0
    with db.atomic() as txn:
        for index, form, owner in good:
            record = rt.model()
            apply_form(rt, form, record)
            record.owner = owner.id
            try:
                service.save(rt, record, user, check=False)
            except (RecordError, peewee.IntegrityError) as exc:
                txn.rollback()
                return ImportResult(errors=[RowError(index, "", str(exc))], checked=len(good))
            created += 1
    return ImportResult(created=created, checked=len(good), committed=True)
