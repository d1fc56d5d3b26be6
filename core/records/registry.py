"""Record types (记录类型): what core's access rules and record machinery know about a model."""
from dataclasses import dataclass, field
from typing import Any, Callable, Optional


@dataclass(frozen=True)
class RelationGrant:
    """Access to a record type granted by a relation: whoever may ``actions[a]`` the record that the
    foreign key ``via`` points to may ``a`` this record (e.g. ``RelationGrant("campaign")`` on campaign
    tasks: whoever reads a campaign reads its tasks, whoever changes it changes them, whoever deletes it
    deletes them).

    The related record's own access (:func:`core.access.visible`, grants and plugin filters included)
    decides, and :mod:`core.access` compiles the grant into the same SQL filter as its owner, superior and
    sharing rule (ORed with it), so lists, pages, exports, reports and ``can`` agree. A grant only widens
    the record type that declares it; the administrator and the access explainer see it like any rule.
    ``actions`` maps an action on this type ("read", "write", "delete") to the one needed on the related
    record; an action left out is not granted."""
    via: str
    actions: tuple = (("read", "read"), ("write", "write"), ("delete", "delete"))

    def needed(self, action):
        """The action needed on the related record for ``action`` here, or None."""
        return dict(self.actions).get(action)


@dataclass
class RecordType:
    """A model registered through ``zhixin_record_types``.

    ``family`` names the sharing-mode setting the type follows (accounts and contacts share ``"account"``);
    ``owned=False`` marks catalogue types (products) that everyone reads and only administrators change.
    The remaining fields drive the generic list/detail/form/CSV views in ``core.records``: a type with a
    ``form`` (a ``core.records.forms.RecordForm`` whose field names equal the model's) gets create, edit,
    delete, mass reassign and CSV import; every type gets list, detail and CSV export.

    Callbacks, all run by ``core.records.service`` inside the one save/delete transaction (raise
    ``RecordError`` to refuse; nothing is written then): ``form_saving`` (form, record, user) when the record
    is saved from a form, after the form was applied; ``prepare`` (record, user, created, before) before the
    write; ``after_save`` (record, user, created, changes) after it; ``after_delete`` (record) after a delete.

    ``grants`` are :class:`RelationGrant` s that widen who may read, write or delete this type's records
    by a relation (a plugin's only way to widen access: ``zhixin_access_filter`` narrows,
    ``zhixin_permission_check`` vetoes).
    """
    name: str
    model: Any
    label: Any
    label_plural: Any
    family: Optional[str] = None
    owned: bool = True
    default_mode: str = "private"
    list_columns: tuple = ()            # field names shown in lists (and exported to CSV)
    search_fields: tuple = ()           # fields the quick search looks in
    filter_fields: tuple = ()           # fields offered as list filters
    default_sort: str = "-modified_at"
    form: Any = None                    # WTForms form class for create/edit
    csv_fields: tuple = ()              # fields the CSV export adds after list_columns (to import back)
    related: tuple = ()                 # callables (record, user) -> RelatedList
    detail_template: str = ""           # overrides the generic detail template
    menu_order: int = 100
    menu_group: str = "records"
    icon: str = ""
    plugin: str = "core"
    choices: dict = field(default_factory=dict)  # field -> a kind of forms.CHOICE_LABELS or {code: label}
    defaults: Optional[Callable] = None  # () -> initial data of the new-record form
    hide_empty: tuple = ()              # detail fields left off the detail page while empty
    computed: dict = field(default_factory=dict)  # detail row name -> (record, user) -> html (no column)
    person_name: tuple = ()             # (last, first) field names for full-name search
    importable: bool = True             # offers CSV import (needs a form)
    prepare_form: Optional[Callable] = None  # (form, record or None) after the lookups are bound
    form_saving: Optional[Callable] = None   # (form, record, user) inside save, form applied, before prepare
    after_delete: Optional[Callable] = None  # (record) inside delete, after the row is gone
    display: Optional[Callable[[Any], str]] = None
    detail_fields: tuple = ()           # fields on the detail page (default: the form's fields)
    actions: tuple = ()                 # callables (record, user) -> list of RecordAction for the detail page
    prepare: Optional[Callable] = None  # (record, user, created, before) inside save, before the write
    after_save: Optional[Callable] = None  # (record, user, created, changes) inside save, after the write
    labels: dict = field(default_factory=dict)  # field name -> label where the form has none
    grants: tuple = ()                  # RelationGrant: access widened by a relation (see RelationGrant)
    # (key, stored change) -> [(label, old text, new text), ...] for a change-history key that is no field of
    # the model (a plugin's own entries, e.g. a campaign's members), or None to show it as core does
    audit_change: Optional[Callable] = None

    def __post_init__(self):
        if self.family is None:
            self.family = self.name
        if not self.csv_fields:
            self.csv_fields = self.list_columns


@dataclass
class RelatedList:
    """A list of rows shown on a record's detail page (e.g. an account's contacts).

    ``rows`` are already filtered through ``core.access.visible``; ``columns`` are (label, callable(row))
    pairs; ``url(row)`` links a row; ``add_url`` offers "add" from here."""
    id: str
    title: Any
    rows: list
    columns: list
    url: Optional[Callable[[Any], str]] = None
    add_url: str = ""
    total: Optional[int] = None
    actions: Optional[Callable[[Any], Any]] = None   # row -> Markup (e.g. an unlink button)
    extra_html: Any = ""                              # Markup placed under the table (e.g. an add form)


@dataclass
class RecordAction:
    """A button on a record's detail page (e.g. "Convert" on a lead)."""
    label: Any
    url: str
    method: str = "get"
    order: int = 100


def form_labels(*forms, **more):
    """{field name: label} of the fields of ``forms`` (a plugin's own form classes) and ``more``: the labels of
    a record type whose pages are the plugin's own (``RecordType(labels=…)``), so that core's lists, change
    history and exports name its fields as its forms do, in the reader's language. The first form that has a
    field names it."""
    out = {}
    for form in forms:
        for name in dir(form):
            unbound = getattr(form, name)
            if hasattr(unbound, "field_class") and name not in out:  # a WTForms field, not yet named
                text = unbound.args[0] if unbound.args else unbound.kwargs.get("label")
                if text:
                    out[name] = text
    out.update(more)
    return out


def registry(app=None):
    """name -> RecordType for the enabled plugins (and core)."""
    from flask import current_app
    return (app or current_app).extensions["zhixin_record_types"]


def get(which, app=None):
    """A RecordType by name, by model class, or the RecordType itself."""
    from flask import current_app
    if isinstance(which, RecordType):
        return which
    types = registry(app)
    if isinstance(which, str):
        return types[which]
    found = of_model(which, app)
    if found is None:
        raise KeyError(f"{which!r} is not a registered record type")
    return found


def of_model(model, app=None):
    """The RecordType of a model class, or None (a user, a stage, a row that is not a record): a dict look-up,
    for code that asks for every cell of a page."""
    from flask import current_app
    return (app or current_app).extensions["zhixin_record_types_by_model"].get(model)


def families(app=None):
    """Sharing families with the record types in each, in registration order."""
    out = {}
    for rt in registry(app).values():
        if rt.owned:
            out.setdefault(rt.family, []).append(rt)
    return out
