"""CSV export (what the list shows and the type's ``csv_fields``, streamed through ``core.csvsafe``) and import
(read by ``core.csvsafe``: encoding, delimiter, cells restored; column mapping; a dry run that reports every
bad row by line and column and every row that matches a record the importer sees; an all-or-nothing commit).

Rows that match an existing record on the key the importer picks (e-mail, or name + account …) are skipped,
update that record (only the mapped columns, only where they differ) or create a copy: one choice for all,
changeable per row. Matching looks only among the records the importer may read (``core.access.visible``),
so an import never reveals a record they may not see; an update of a record they may not change is refused
and reported. A line with the key of an earlier line of the same file is shown too, and imported unless skipped. The commit is one transaction: a half-imported file, imported again after a fix, would
otherwise need the duplicate check to clean up after it."""
from dataclasses import dataclass, field
from typing import Any, Optional

import peewee
from babel.lists import format_list
from flask_babel import force_locale, get_locale
from werkzeug.datastructures import MultiDict

from core import access, csvsafe, names
from core.babel import gettext as _, lazy_gettext as _l
from core.db import db
from core.records import RecordError, display, duplicates, service
from core.records.lookups import assignable_users, bind_lookups, stage_choices


def export_columns(rt):
    """The exported columns: the list's, then the type's other ``csv_fields``."""
    return list(rt.list_columns) + [c for c in rt.csv_fields if c not in rt.list_columns]


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

ACTIONS = {"skip": _l("Skip"), "update": _l("Update"), "create": _l("Create a copy")}


def decode(data):
    try:
        return csvsafe.decode(data)[1]
    except UnicodeDecodeError:
        raise RecordError(_("The file is not text in UTF-8 or GB18030.")) from None


def parse(text):
    """``(header, [(line, cells)])``: the first row names the columns; blank rows are left out, and ``line``
    is the row's number as a spreadsheet shows it (the header is line 1)."""
    rows = [(line, cells) for line, cells in enumerate(csvsafe.read(text), start=1)
            if any(cell.strip() for cell in cells)]
    if not rows:
        raise RecordError(_("The file has no rows."))
    return rows[0][1], rows[1:]


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


def guess_key(mapping):
    """The duplicate key offered first: the e-mail address when there is one, else the first column."""
    names = [n for n in mapping.values() if n != "owner"]
    return ["email"] if "email" in names else names[:1]


@dataclass
class RowError:
    line: int
    column: str     # the file's column title (the field's label when no column fills it); "" for the row
    message: str

    def __str__(self):
        if self.column:
            return _("Line %(line)d, column %(column)s: %(message)s", line=self.line, column=self.column,
                     message=self.message)
        return _("Line %(line)d: %(message)s", line=self.line, message=self.message)


@dataclass
class Choices:
    """What the importer picked: the key fields, the action for every duplicate, and per-row actions."""
    key: list
    default: str = "skip"
    per_row: dict = field(default_factory=dict)     # line -> action

    def action(self, line):
        return self.per_row.get(line, self.default)


@dataclass
class ImportRow:
    line: int
    form: Any
    owner: Any
    matches: list = field(default_factory=list)     # readable records with the same key (at most two)
    likely: list = field(default_factory=list)      # without a key match: likely duplicates (Duplicate)
    action: str = "create"
    before: dict = field(default_factory=dict)      # an update's match, as stored
    changes: list = field(default_factory=list)     # labels of the fields an update changes
    refused: bool = False                           # an update of a record the importer may not change
    same_as_line: Optional[int] = None              # the earlier line of the file with the same key


@dataclass
class ImportResult:
    errors: list = field(default_factory=list)
    rows: list = field(default_factory=list)
    created: int = 0
    updated: int = 0
    skipped: int = 0
    refused: int = 0
    committed: bool = False

    @property
    def checked(self):
        return len(self.rows)

    @property
    def duplicates(self):
        return [r for r in self.rows if r.matches]

    @property
    def likely(self):
        return [r for r in self.rows if r.likely]

    @property
    def repeated(self):
        return [r for r in self.rows if r.same_as_line]


class _Aliases:
    """Turns CSV values into form values: choice labels into keys, user names into users (a lookup column's
    name or id goes to the form as it is: ``bind_lookups`` resolves it as it resolves a typed one)."""

    def __init__(self, rt, user):
        self.rt, self.user = rt, user
        self.choice_keys = {}
        for name in rt.choices:
            keys = {}
            for key, label in display.choice_labels(rt, name).items():
                keys[key.lower()] = key
                for locale in ("en", "zh"):
                    with force_locale(locale):
                        keys[str(label).lower()] = key
            self.choice_keys[name] = keys
        self.users = {}
        for u in assignable_users(user):
            self.users[u.username.lower()] = u
            if u.full_name:
                self.users.setdefault(u.full_name.lower(), u)
        self.stages = {label.lower(): sid for sid, label in stage_choices()}
        with force_locale("en"):
            self.stages.update({label.lower(): sid for sid, label in stage_choices()})

    def value(self, name, raw):
        raw = raw.strip()
        if not raw:
            return raw
        if name in self.choice_keys:
            return self.choice_keys[name].get(raw.lower(), raw)
        if name == "stage":
            return str(self.stages.get(raw.lower(), raw))
        return raw


def check_rows(rt, user, header, rows, mapping, form_factory, apply_form, choices):
    """The dry run: validate every row and find the readable records it duplicates. Records that an update
    would change are loaded and changed in memory (saved only by :func:`commit`)."""
    result = ImportResult()
    cache = {}
    aliases = _Aliases(rt, user)
    columns = {name: header[col] for col, name in mapping.items()}
    first_line = {}  # a row's key values -> the line of the file that had them first
    for line, cells in rows:
        data = MultiDict()
        owner = user
        for col, name in mapping.items():
            raw = cells[col] if col < len(cells) else ""
            if name == "owner":
                if raw.strip():
                    owner = aliases.users.get(raw.strip().lower())
                    if owner is None:
                        result.errors.append(RowError(line, columns[name], _(
                            "%(name)s is not a user you may assign records to.", name=raw.strip())))
                continue
            data.add(name, aliases.value(name, raw))
        form = form_factory(data)
        bind_lookups(form, user, cache=cache)
        if "stage" in form._fields:
            form.stage.choices = stage_choices()
        ok = form.validate()
        for name, messages in form.errors.items():
            column = columns.get(name) or str(display.label(rt, name) if name in form._fields else name)
            for message in messages:
                result.errors.append(RowError(line, column, str(message)))
        if ok and owner is not None:
            row = ImportRow(line, form, owner)
            key = _key_values(rt, row, apply_form, choices.key)
            _match(rt, user, row, key, mapping, apply_form, choices, result.errors)
            seen = _folded(key)
            if seen is not None and not row.matches:
                # a second line of the file with the key of an earlier one: shown like a likely duplicate,
                # created unless the importer skips it (two orders may share a name; two contacts an e-mail?)
                row.same_as_line = first_line.setdefault(seen, line)
                if row.same_as_line == line:
                    row.same_as_line = None
                elif choices.per_row.get(line) == "skip":
                    row.action = "skip"
            result.rows.append(row)
    return result


def _key_values(rt, row, apply_form, key):
    """{key field: the row's value, as it would be stored}, or None without a key or with an empty one (which
    matches nothing)."""
    if not key:
        return None
    probe = rt.model()
    apply_form(rt, row.form, probe, only=key)
    values = {name: probe.__data__.get(name) for name in key}
    return None if all(v in (None, "") for v in values.values()) else values


def _folded(values):
    """Key values compared as _same_key compares them (text without regard to case)."""
    if values is None:
        return None
    return tuple((name, value.lower() if isinstance(value, str) else value) for name, value in values.items())


def key_labels(rt, key):
    """The key fields' labels as one phrase of the reader's language ("Name and E-mail", 名称和电子邮件)."""
    return format_list([str(display.label(rt, name)) for name in key], locale=get_locale())


def _match(rt, user, row, key, mapping, apply_form, choices, errors):
    """Find ``row``'s duplicates and settle its action; an update is applied to the match in memory. A row
    without a record of the same key may still have likely duplicates (``core.records.duplicates``: the
    rules the create and edit forms warn by): they are shown, and the row is created unless the importer
    chooses to skip it."""
    row.matches = [] if key is None else list(_same_key(rt, user, key).limit(2))
    if not row.matches:
        probe = rt.model()
        apply_form(rt, row.form, probe)
        row.likely = duplicates.find(rt, user, duplicates.values_of(probe), limit=3)
        if row.likely and choices.per_row.get(row.line) == "skip":
            row.action = "skip"
        return
    row.action = choices.action(row.line)
    if row.action != "update":
        return
    if len(row.matches) > 1:
        errors.append(RowError(row.line, "", _("It matches more than one record: choose skip or create.")))
        return
    record = row.matches[0]
    row.before = service.field_values(record)
    apply_form(rt, row.form, record, only=[n for n in mapping.values() if n != "owner"])
    if "owner" in mapping.values():
        record.owner = row.owner.id
    changed = service.diff(row.before, service.field_values(record))
    row.changes = [str(display.label(rt, name)) for name in changed]
    reassigns = record.owner_id != row.before.get("owner")
    row.refused = bool(changed) and not (access.can(user, "write", record, rt) and
                                         (not reassigns or access.may_reassign(user, record, rt)))


def _same_key(rt, user, values):
    """The records ``user`` may read whose key fields equal ``values`` (text without regard to case, as
    MariaDB compares it anyway, so every database finds the same duplicates)."""
    model = rt.model
    query = access.visible(model.select(), user, rt)
    for name, value in values.items():
        column = model._meta.fields[name]
        text = isinstance(column, (peewee.CharField, peewee.TextField)) and \
            not isinstance(column, peewee.ForeignKeyField)
        if value in (None, ""):
            query = query.where(column.is_null() | (column == "") if text else column.is_null())
        elif text:
            query = query.where(peewee.fn.LOWER(column) == value.lower())
        else:
            query = query.where(column == value)
    return query.order_by(model.id)


def commit(rt, user, checked, apply_form):
    """Write every checked row in one transaction; any refusal by a save rolls all of them back."""
    result = ImportResult(rows=checked.rows)
    with db.atomic() as txn:
        for row in checked.rows:
            try:
                _write(rt, user, row, apply_form, result)
            except (RecordError, PermissionError, peewee.IntegrityError) as exc:
                txn.rollback()
                message = _("You may not change it.") if isinstance(exc, PermissionError) else str(exc)
                return ImportResult(errors=[RowError(row.line, "", message)], rows=checked.rows)
    result.committed = True
    return result


def _write(rt, user, row, apply_form, result):
    if row.action == "skip" or (row.action == "update" and not row.changes):
        result.skipped += 1
    elif row.action == "update" and row.refused:
        result.refused += 1
    elif row.action == "update":
        service.save(rt, row.matches[0], user, row.before)
        result.updated += 1
    else:
        record = rt.model()
        apply_form(rt, row.form, record)
        record.owner = row.owner.id
        service.save(rt, record, user, check=False)
        result.created += 1
