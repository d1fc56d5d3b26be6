"""Generic record views: list, detail, form, delete, mass reassign, CSV export/import for every record type.

Every query goes through ``core.access`` (``visible`` for lists, lookups, exports and related lists;
``get_or_404`` for one record: 404 when unreadable, 403 when readable but not changeable) and every write
through ``core.records.service``.
"""
import base64
import datetime as _dt
import json

import peewee
from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, \
    stream_with_context, url_for
from flask_login import login_required

from core import access, clock, csvsafe, search, timeline
from core import names
from core.babel import gettext as _
from core.db import db
from core.models import SalesStage, User
from core.records import RecordError, csvio, display, duplicates, history, listing, registry as records, \
    service
from core.records.forms import ChoiceField, ReassignForm
from core.records import specific  # noqa: F401  (adds the lead/opportunity/document routes to bp)
from core.records import merge_views  # noqa: F401  (adds the merge page to bp)
from core.records.blueprint import _user, bp
from core.records import owners as _owners  # noqa: F401  (the owner type-ahead's route)
from core.records import lookup_views as _lookup_views  # noqa: F401  (the lookup fields' type-ahead route)
from core.records.lookups import assignable_by_name, assignable_choice, bind_lookups, full_name_search, \
    small_owner_choices, stage_choices
from core.web import attachment, fail


SORT_TARGETS = {SalesStage: "order", User: "username"}
bp.add_app_template_filter(display.stage_label, "stage_label")
bp.add_app_template_filter(display.record_type_label, "record_type_label")


def _type_or_404(type_name):
    try:
        return records.get(type_name)
    except KeyError:
        abort(404)


def editable(rt):
    """Types with a form are created and changed here; catalogue types (products) in the admin pages."""
    return rt.form is not None


# --- extra fields from plugins ------------------------------------------------------------------------

def extra_fields(rt):
    plugins = current_app.extensions["zhixin_plugins"]
    return sorted(plugins.gather("zhixin_record_fields", for_user=_user(), record_type=rt.name),
                  key=lambda f: (f.order, f.name))


def form_class(rt, extras):
    if not extras:
        return rt.form
    return type(rt.form.__name__, (rt.form,), {ef.name: ef.form_field() for ef in extras})


# --- the list query: visible rows, joined lookups, filters, search, sort -----------------------------------

def _fk_target_column(target):
    name = SORT_TARGETS.get(target)
    if name is None:
        name = next((n for n in ("name", "last_name", "title", "code") if n in target._meta.fields), "id")
    return target._meta.fields[name]


def list_query(rt, user, args, plan=None):
    """(query, state) for the list and the export: the same filters, search and sort.

    ``state["base"]`` is the same selection without the joins that fetch the shown lookups, for counting.
    ``plan="page"``: the query reads one page (core.access then lets the database walk the sort index)."""
    model = rt.model
    base = access.visible(model.select(model), user, rt, plan=plan)
    state = {"filters": {}, "q": (args.get("q") or "").strip()[:100], "filter_options": filter_options(rt, user)}
    for name, option_values, _options in state["filter_options"]:
        value = args.get(f"filter_{name}", "")
        if value == "" or value not in option_values:
            continue
        state["filters"][name] = value
        field = model._meta.fields[name]
        if isinstance(field, peewee.BooleanField):
            base = base.where(field == (value == "1"))
        elif isinstance(field, peewee.ForeignKeyField):
            base = base.where(field == int(value))
        else:
            base = base.where(field == value)
    if state["q"] and rt.search_fields:
        expr = search_expression(rt, state["q"])
        # the index, where it helps (core.search): a wide viewer, a term not too common
        narrowing = search.narrowing(rt, user, state["q"], count_cap=current_app.config["LIST_COUNT_CAP"])
        base = base.where(expr if narrowing is None else (narrowing & expr))
    query = base
    for name in rt.list_columns:  # one query for the page, lookups included (no query per row)
        field = model._meta.fields.get(name)
        if isinstance(field, peewee.ForeignKeyField):
            alias = field.rel_model.alias()
            query = (query.select_extend(*listing.name_columns(alias))
                     .join_from(model, alias, peewee.JOIN.LEFT_OUTER, on=(field == alias.id), attr=name))
    sort_keys = {name: model._meta.fields[name] for name in listing.sortable(rt)}  # indexed columns only
    sort = args.get("sort") or rt.default_sort
    key = sort.lstrip("-")
    if key not in sort_keys:
        sort, key = rt.default_sort, rt.default_sort.lstrip("-")
    column = sort_keys.get(key) or model._meta.fields[key]
    desc = sort.startswith("-")
    state.update(sort=sort, base=base, sort_column=column, desc=desc, sortable=set(sort_keys))
    query = query.order_by(column.desc() if desc else column.asc(), model.id.desc() if desc else model.id.asc())
    return query, state


def search_expression(rt, q):
    """What the quick search finds: ``q`` within a search field (case-insensitive), or the full-name rule."""
    model, expr = rt.model, None
    for name in rt.search_fields:
        part = model._meta.fields[name].contains(q)  # a bound parameter, never SQL text
        expr = part if expr is None else (expr | part)
    if rt.person_name:
        expr = expr | full_name_search(model, rt.person_name, q)
    return expr


def filter_options(rt, user):
    """[(field name, set of allowed values, [(value, label)])] for the list's filter selects."""
    model = rt.model
    out = []
    for name in rt.filter_fields:
        field = model._meta.fields[name]
        labels = display.choice_labels(rt, name)
        if labels:
            options = [(k, str(v)) for k, v in labels.items()]
        elif isinstance(field, peewee.BooleanField):
            options = [("1", _("Yes")), ("0", _("No"))]
        elif field.rel_model is SalesStage if isinstance(field, peewee.ForeignKeyField) else False:
            options = [(str(v), label) for v, label in stage_choices()]
        elif isinstance(field, peewee.ForeignKeyField):
            target = field.rel_model
            options = [(str(r.id), str(r)) for r in target.select().order_by(_fk_target_column(target)).limit(200)]
        else:  # free text (a document's folder): the values among rows the user may see
            values = access.visible(model.select(field).distinct(), user, rt).where(field != "").order_by(field)
            options = [(getattr(r, name), getattr(r, name)) for r in values.limit(200)]
        out.append((name, {v for v, _label in options}, options))
    return out


def _page(query, state):
    """One keyset page of the joined query; the count (capped) on the plain selection."""
    return listing.fetch(query, state["base"], query.model, state["sort"], state["sort_column"], state["desc"],
                         request.args)


def _list_args(state):
    args = {f"filter_{k}": v for k, v in state["filters"].items()}
    if state["q"]:
        args["q"] = state["q"]
    return args


@bp.route("/<type_name>/", endpoint="list")
@login_required
def list_records(type_name):
    rt = _type_or_404(type_name)
    user = _user()
    query, state = list_query(rt, user, request.args, plan="page")
    page = _page(query, state)
    names.prime(page.items, user)
    args = _list_args(state)
    can_reassign = rt.owned and editable(rt)
    return render_template(
        "core/records/list.html", rt=rt, page=page, state=state, args=args, display=display,
        filters=state["filter_options"], columns=rt.list_columns, editable=editable(rt),
        can_reassign=can_reassign, owners=small_owner_choices(user) if can_reassign and page.items else [],
        importable=editable(rt) and rt.importable)


@bp.route("/<type_name>/export.csv")
@login_required
def export(type_name):
    rt = _type_or_404(type_name)
    query, _state = list_query(rt, _user(), request.args)
    columns = csvio.export_columns(rt)
    header = [str(display.label(rt, c)) for c in columns]
    body = csvsafe.stream(header, csvio.export_rows(rt, query, columns))
    filename = f"{rt.name}_{clock.today().isoformat()}.csv"
    return Response(stream_with_context(body), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": attachment(filename)})


# --- detail ---------------------------------------------------------------------------------------------

def detail_fields(rt, record):
    if rt.detail_fields:
        names = list(rt.detail_fields)
    elif rt.form is not None:
        names = [n for n in csvio._form_order(rt.form) if n in record._meta.fields]
    else:
        names = [n for n in record._meta.sorted_field_names if n != "id"]
    names = [n for n in names if n not in ("owner", "created_by", "created_at", "modified_by", "modified_at")]
    hide_empty = rt.hide_empty
    names = [n for n in names if n not in hide_empty or record.__data__.get(n) not in (None, "")]
    computed = rt.computed
    user = _user()
    return [(display.label(rt, n), computed[n](record, user) if n in computed else display.html(rt, record, n))
            for n in names]


def stamp_fields(rt, record):
    names = ("owner", "created_by", "created_at", "modified_by", "modified_at") if rt.owned \
        else tuple(n for n in ("created_at", "modified_at") if n in record._meta.fields)
    _prime_people(record, [n for n in names if n in ("owner", "created_by", "modified_by")])
    return [(display.label(rt, n), display.html(rt, record, n)) for n in names]


def _prime_people(record, names):
    """Load the users behind ``names`` (owner, created by, modified by) in one query, not one each."""
    ids = {record.__data__.get(n) for n in names} - {None}
    me = _user()
    people = {me.id: me} if getattr(me, "id", None) in ids else {}  # the session has the viewer's row
    if ids - set(people):
        people.update((u.id, u) for u in User.select().where(User.id.in_(ids - set(people))))
    for name in names:
        person = people.get(record.__data__.get(name))
        if person is not None:
            record.__rel__[name] = person  # what Peewee's own lookup would keep (the field stays clean)


def _prime_stage(record):
    """A record's sales stage from the per-process stage cache, not a query by id."""
    field = record._meta.fields.get("stage")
    if isinstance(field, peewee.ForeignKeyField) and field.rel_model is SalesStage:
        prime_stages([record])


def prime_stages(rows):
    """Set ``row.stage`` from the cached stages (core.stamp) for each row whose stage id is known there."""
    from core import stamp
    stages = stamp.cached("sales_stage_rows", lambda: {s.id: s for s in SalesStage.select()})
    for row in rows:
        stage = stages.get(row.__data__.get("stage"))
        if stage is not None:
            row.__rel__["stage"] = stage


@bp.route("/<type_name>/<int:record_id>")
@login_required
def detail(type_name, record_id):
    rt = _type_or_404(type_name)
    user = _user()
    record = access.get_or_404(user, rt, record_id, also=("write", "delete") if editable(rt) else ())
    _prime_stage(record)
    related = [r for r in (fn(record, user) for fn in rt.related) if r is not None]
    actions = sorted([a for fn in rt.actions for a in fn(record, user)], key=lambda a: a.order)
    extras = [(ef.label, ef.display(record)) for ef in extra_fields(rt)]
    return render_template(
        "core/records/detail.html", rt=rt, record=record, fields=detail_fields(rt, record),
        stamps=stamp_fields(rt, record), extras=extras, related=related, actions=actions,
        timeline=_timeline(rt, record, user, None, DETAIL_TIMELINE),
        audit=history.entries(rt, record),
        can_write=editable(rt) and access.can(user, "write", record, rt),
        can_delete=editable(rt) and access.can(user, "delete", record, rt))


DETAIL_TIMELINE = 10  # the detail page shows the newest items; "older" pages through the rest


def _timeline(rt, record, user, before, limit):
    """The page of ``record``'s timeline (an account's), or None for the other types."""
    if rt.name not in timeline.SUBJECT_TYPES:
        return None
    return timeline.timeline_page(user, timeline.scope_of(user, rt.name, record), before, limit)


@bp.route("/<type_name>/<int:record_id>/timeline")
@login_required
def record_timeline(type_name, record_id):
    """The whole timeline of a record, a page at a time (``?before=`` the "older" link's cursor)."""
    rt = _type_or_404(type_name)
    if rt.name not in timeline.SUBJECT_TYPES:
        abort(404)
    user = _user()
    record = access.get_or_404(user, rt, record_id)
    token = request.args.get("before", "")
    try:
        before = timeline.Cursor.parse(token) if token else None
    except ValueError:
        fail(400, _("This link to older items is not valid."))
    return render_template("core/records/timeline.html", rt=rt, record=record, before=before,
                           timeline=_timeline(rt, record, user, before, timeline.PAGE_SIZE))


# --- create and edit ------------------------------------------------------------------------------------

def apply_form(rt, form, record, only=None):
    """Copy the form's model fields (or those named in ``only``) onto the record (strings stripped, empty
    lookups to NULL)."""
    fields = record._meta.fields
    for f in form:
        if f.name not in fields or f.name in ("id", "owner") or f.type == "FileField":
            continue
        if only is not None and f.name not in only:
            continue
        field = fields[f.name]
        value = f.data
        if isinstance(field, (peewee.CharField, peewee.TextField)) and not isinstance(field, peewee.ForeignKeyField):
            value = (value or "").strip()
        elif isinstance(field, peewee.ForeignKeyField):
            value = value or None
        elif isinstance(field, peewee.DateTimeField) and _same_minute(getattr(record, f.name), value):
            continue    # a form shows minutes: saving it unchanged keeps the stored seconds
        setattr(record, f.name, value)


def _same_minute(stored, value):
    return isinstance(stored, _dt.datetime) and isinstance(value, _dt.datetime) and \
        stored.replace(second=0, microsecond=0) == value.replace(tzinfo=None, second=0, microsecond=0)


def _initial(rt, record, extras):
    data = {}
    if record is not None and record.id is not None:
        for name in record._meta.fields:
            data[name] = record.__data__.get(name)
        for ef in extras:
            data[ef.name] = ef.load(record)
    return data


def _prepare_form(rt, form, user, record):
    bind_lookups(form, user, exclude=record if record is not None and record.id else None)
    hook = rt.prepare_form
    if hook:
        hook(form, record)
    if "stage" in form._fields and isinstance(form.stage, ChoiceField):
        form.stage.choices = stage_choices()
        if "probability" in form._fields:  # lets the page fill in the stage's default probability
            defaults = {s.id: s.probability for s in SalesStage.select()}
            form.stage.render_kw = {"data-probabilities": json.dumps(defaults)}


def save_form(rt, form, record, user, extras):
    """Save record + plugin fields + type-specific parts in one transaction; RecordError → form error."""
    before = service.field_values(record) if record.id else {}
    apply_form(rt, form, record)
    service.save(rt, record, user, before, form=form, extras=extras)
    return record


@bp.route("/<type_name>/new", methods=["GET", "POST"])
@login_required
def create(type_name):
    rt = _type_or_404(type_name)
    if not editable(rt):
        abort(404)
    user = _user()
    if not rt.owned and not user.is_admin:
        abort(403)
    extras = extra_fields(rt)
    return _form_page(rt, user, rt.model(), extras, form_class(rt, extras)(data=_defaults(rt)), is_new=True)


def _form_page(rt, user, record, extras, form, is_new):
    """The create/edit form: validate, save through the record service, or show it again (400)."""
    _prepare_form(rt, form, user, None if is_new else record)
    if form.validate_on_submit():
        likely = _likely_duplicates(rt, user, record, form)
        if likely:
            return render_template("core/records/form.html", rt=rt, form=form,
                                   record=None if is_new else record, duplicates=likely), 409
        try:
            save_form(rt, form, record, user, extras)
        except RecordError as exc:
            flash(str(exc), "error")
        else:
            flash(_("%(type)s saved.", type=rt.label), "success")
            return redirect(url_for("records.detail", type_name=rt.name, record_id=record.id))
    return render_template("core/records/form.html", rt=rt, form=form, record=None if is_new else record), \
        400 if form.is_submitted() else 200


def _likely_duplicates(rt, user, record, form):
    """The readable likely duplicates of what the form would save (``core.records.duplicates``), unless the
    user pressed "save anyway" or (on an edit) changed none of the fields the finder compares."""
    if not duplicates.supported(rt) or request.form.get("duplicates_confirmed") == "1":
        return []
    probe = rt.model()
    probe.__data__ = dict(record.__data__)
    apply_form(rt, form, probe)
    if record.id is not None and not duplicates.compared_changed(rt, record, probe):
        return []
    return duplicates.find(rt, user, duplicates.values_of(probe), exclude=record.id)


def _defaults(rt):
    """Initial values of a new record: the type's defaults, then ``?account=…`` style arguments."""
    fn = rt.defaults
    data = fn() if fn else {}
    if request.method == "GET":
        for name, value in request.args.items():
            if name in rt.model._meta.fields and name not in ("id", "owner"):
                field = rt.model._meta.fields[name]
                data[name] = int(value) if isinstance(field, (peewee.ForeignKeyField, peewee.IntegerField)) \
                    and value.isdigit() else value
    return data


@bp.route("/<type_name>/<int:record_id>/edit", methods=["GET", "POST"])
@login_required
def edit(type_name, record_id):
    rt = _type_or_404(type_name)
    if not editable(rt):
        abort(404)
    user = _user()
    record = access.get_or_404(user, rt, record_id, "write")
    extras = extra_fields(rt)
    return _form_page(rt, user, record, extras, form_class(rt, extras)(data=_initial(rt, record, extras)),
                      is_new=False)


# --- delete ---------------------------------------------------------------------------------------------

def dependents(record):
    """What deleting ``record`` does to other rows: [(label, count, effect)], effect cascade|unlink|block."""
    out = []
    # only tables of core and the enabled plugins (a disabled plugin's model may still be imported)
    enabled = set(current_app.extensions["zhixin_plugins"].gather("zhixin_models"))
    for fk in record._meta.backrefs:
        model = fk.model
        if model not in enabled:
            continue
        count = model.select().where(fk == record.id).count()
        if not count:
            continue
        effect = {"CASCADE": "cascade", "SET NULL": "unlink"}.get((fk.on_delete or "").upper(), "block")
        try:
            name = records.get(model).label_plural
        except KeyError:
            name = display.FIELD_LABELS.get(model._meta.table_name, model._meta.table_name.replace("_", " "))
        out.append((name, fk.name, count, effect))
    return out


@bp.route("/<type_name>/<int:record_id>/delete", methods=["GET", "POST"])
@login_required
def delete(type_name, record_id):
    rt = _type_or_404(type_name)
    if not editable(rt):
        abort(404)
    user = _user()
    record = access.get_or_404(user, rt, record_id, "delete")
    deps = dependents(record)
    blocking = [d for d in deps if d[3] == "block"]
    if request.method == "POST":
        if blocking:
            fail(409, _("%(record)s cannot be deleted: %(rows)s still refer to it.", record=str(record),
                        rows=", ".join(f"{d[2]} × {d[0]}" for d in blocking)))
        try:
            service.delete(rt, record, user)
        except (RecordError, peewee.IntegrityError) as exc:
            fail(409, _("%(record)s cannot be deleted: %(reason)s", record=str(record), reason=str(exc)))
        flash(_("%(record)s deleted.", record=str(record)), "success")
        return redirect(url_for("records.list", type_name=rt.name))
    return render_template("core/records/delete.html", rt=rt, record=record, deps=deps, blocking=blocking), \
        409 if blocking else 200


# --- mass reassign --------------------------------------------------------------------------------------

@bp.route("/<type_name>/reassign", methods=["POST"])
@login_required
def reassign(type_name):
    rt = _type_or_404(type_name)
    if not rt.owned or not editable(rt):
        abort(404)
    user = _user()
    posted = request.form.copy()
    if not posted.get("owner") and posted.get("owner_name"):  # the type-ahead (core.records.owners)
        target = assignable_by_name(user, posted["owner_name"])
        posted["owner"] = str(target.id) if target else ""
    form = ReassignForm(formdata=posted)
    form.owner.choices = assignable_choice(user, posted.get("owner"))
    if not form.validate_on_submit() or not form.ids.data:
        if not form.ids.data:
            flash(_("Select at least one row."), "error")
        for messages in form.errors.values():
            for m in messages:
                flash(str(m), "error")
        return redirect(url_for("records.list", type_name=rt.name))
    new_owner = User.get_by_id(form.owner.data)
    model = rt.model
    rows = access.visible(model.select(), user, rt).where(model.id.in_(form.ids.data))
    changed = skipped = 0
    with db.atomic():
        for record in rows:
            if not access.may_reassign(user, record, rt):
                skipped += 1
                continue
            if record.owner_id == new_owner.id:
                continue
            before = service.field_values(record)
            record.owner = new_owner.id
            service.save(rt, record, user, before, check=False)
            changed += 1
    skipped += len(set(form.ids.data)) - len(rows)
    flash(_("%(count)d records now belong to %(user)s.", count=changed, user=new_owner.display_name), "success")
    if skipped:
        flash(_("%(count)d selected records were skipped: you may not change them.", count=skipped), "warning")
    return redirect(url_for("records.list", type_name=rt.name))


# --- CSV import -----------------------------------------------------------------------------------------

@bp.route("/<type_name>/import", methods=["GET", "POST"])
@login_required
def import_csv(type_name):
    rt = _type_or_404(type_name)
    if not editable(rt) or not rt.importable:
        abort(404)
    user = _user()
    if request.method == "GET":
        return render_template("core/records/import.html", rt=rt, step="upload")
    try:
        text = _posted_text()
        header, rows = csvio.parse(text)
    except RecordError as exc:
        flash(str(exc), "error")
        return render_template("core/records/import.html", rt=rt, step="upload"), 400
    mapping = _posted_mapping(rt, header) if "map_0" in request.form else csvio.guess_mapping(rt, header)
    choices = _posted_choices(mapping, rows)
    action = request.form.get("action", "")
    result = None
    if action in ("dry_run", "commit"):
        result = _run_import(rt, user, header, rows, mapping, choices, commit=(action == "commit"))
        if result.committed:
            _flash_result(result)
            return redirect(url_for("records.list", type_name=rt.name))
    return render_template("core/records/import.html", rt=rt, step="map", header=header, rows=rows,
                           preview=rows[:5], data=base64.b64encode(text.encode()).decode("ascii"),
                           mapping=mapping, fields=csvio.import_fields(rt), label=display.label, result=result,
                           choices=choices, key_labels=csvio.key_labels(rt, choices.key), actions=csvio.ACTIONS,
                           action=action), \
        400 if result is not None and result.errors else 200


def _posted_text():
    """The uploaded file's text; on the later steps the same text carried in base64 (a hidden field's
    value would lose the carriage returns inside cells), or pasted as ``csv_text``."""
    upload = request.files.get("file")
    if upload and upload.filename:
        return csvio.decode(upload.read())
    if "csv_data" in request.form:
        try:
            return base64.b64decode(request.form["csv_data"], validate=True).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            raise RecordError(_("The file is not text in UTF-8 or GB18030.")) from None
    return request.form.get("csv_text", "")


def _posted_mapping(rt, header):
    allowed = set(csvio.import_fields(rt))
    mapping = {}
    for i in range(len(header)):
        name = request.form.get(f"map_{i}", "")
        if name in allowed and name not in mapping.values():
            mapping[i] = name
    return mapping


def _posted_choices(mapping, rows):
    """The duplicate key (guessed until the importer sets it), the action for all and per row."""
    mapped = [n for n in mapping.values() if n != "owner"]
    if "key_set" in request.form:
        key = [n for n in mapped if n in request.form.getlist("key")]
    else:
        key = csvio.guess_key(mapping)
    default = request.form.get("on_duplicate", "skip")
    choices = csvio.Choices(key=key, default=default if default in csvio.ACTIONS else "skip")
    for line, _cells in rows:
        chosen = request.form.get(f"row_{line}", "")
        if chosen in csvio.ACTIONS:
            choices.per_row[line] = chosen
    return choices


def _run_import(rt, user, header, rows, mapping, choices, commit):
    hook = rt.prepare_form

    def factory(data):
        form = rt.form(formdata=data, meta={"csrf": False})
        if hook:
            hook(form, None)
        return form
    result = csvio.check_rows(rt, user, header, rows, mapping, factory, apply_form, choices)
    if result.errors or not commit:
        return result
    return csvio.commit(rt, user, result, apply_form)


def _flash_result(result):
    flash(_("%(count)d records imported.", count=result.created), "success")
    if result.updated:
        flash(_("%(count)d records updated.", count=result.updated), "success")
    if result.skipped:
        flash(_("%(count)d rows skipped.", count=result.skipped), "info")
    if result.refused:
        flash(_("%(count)d rows were not imported: they match a record you may not change.",
                count=result.refused), "warning")
