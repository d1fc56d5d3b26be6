"""Pages of the service plugin: lists with my/open/all tabs, the record page with its timeline, staff
entry, the public feedback form, the admin's settings and the service report (客户服务报表)."""
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required
from peewee import SQL, Case, Value, fn

from core import access, clock, csvsafe, fiscal, mail, names, publicforms
from core.babel import gettext as _
from core.db import db
from core.models import Account, Contact, Position, Product, User
from core.records import service as record_service
from core.records.lookups import owner_options, small_owner_choices
from core.web import Page, fail, page_number, paginate
from plugins.service import reporting, services
from plugins.service.forms import FORMS, AssignForm, PublicForm, ReplyForm, SettingsForm, StatusForm, opts
from plugins.service.models import (
    CATEGORIES, CHANNELS, DEFAULT_TARGETS, ITEM_MODELS, OPEN_STATUSES, PRIORITIES, SEVERITIES, STATUSES,
    ServiceSettings, ServiceTarget)
from plugins.service.services import RECORD_TYPES, ServiceError

bp = Blueprint("service", __name__, url_prefix="/service")
KIND_TITLES = {"feedback": "Feedback", "complaint": "Complaints", "case": "Service cases"}
FILTER_ARGS = ("status", "priority", "channel", "category", "owner", "owner_name", "overdue", "q", "type")
SORTS = {"received_at", "subject", "priority", "status", "resolved_at"}
LIST_COLUMNS = ("id", "subject", "channel", "priority", "status", "received_at", "first_response_at",
                "resolved_at", "response_due_at", "resolution_due_at")


def _kind_or_404(kind):
    if kind not in ITEM_MODELS:
        abort(404)
    return kind


def _user():
    return current_user._get_current_object()


# --- lists -----------------------------------------------------------------------------------------------

def _filtered(kind, model, user, tab, args, now):
    rank = Case(model.priority, [(p, i) for i, p in enumerate(PRIORITIES, 1)], 0)
    query = model.select(*[getattr(model, c) for c in LIST_COLUMNS], model.owner.alias("owner_id"),
                         rank.alias("priority_rank"), Value(kind).alias("kind"))
    query = access.visible(query, user, RECORD_TYPES[kind])
    if tab == "my":
        query = query.where(model.owner == user.id)
    if tab in ("my", "open"):
        query = query.where(model.status.in_(OPEN_STATUSES))
    for name in ("status", "priority", "channel"):
        if args.get(name):
            query = query.where(getattr(model, name) == args[name])
    if args.get("category") and kind == "complaint":
        query = query.where(model.category == args["category"])
    owner = _owner_filter(args)
    if owner is not None:
        query = query.where(model.owner == owner)
    if args.get("overdue"):
        query = query.where(services.overdue_expression(model, now))
    if args.get("q"):
        term = f"%{args['q'].strip()[:100]}%"
        query = query.where(model.subject ** term | model.submitter_email ** term)
    return query


def _owner_filter(args):
    """The "assigned to" filter's user id: ``owner`` (the select's id) or ``owner_name`` (the type-ahead's user
    name, for a viewer with more than OWNER_SELECT_LIMIT users below); None for anyone. An unknown name
    matches nobody (-1), not everybody."""
    if args.get("owner", "").isdigit():
        return int(args["owner"])
    name = (args.get("owner_name") or "").strip()
    if not name:
        return None
    found = User.get_or_none((User.username == name) & (User.active == True))  # noqa: E712
    return found.id if found is not None else -1


def _list(kinds, title, endpoint, endpoint_args):
    user, now, args = _user(), clock.utcnow(), request.args
    tab = args.get("tab", "open") if args.get("tab") in ("my", "open", "all") else "open"
    sort = args.get("sort", "-received_at")
    key = sort.lstrip("-") if sort.lstrip("-") in SORTS else "received_at"
    direction = "DESC" if sort.startswith("-") or key not in SORTS else "ASC"
    if args.get("type") in kinds and len(kinds) > 1:
        kinds = (args["type"],)
    queries = [_filtered(k, ITEM_MODELS[k], user, tab, args, now) for k in kinds]
    union = queries[0]
    for q in queries[1:]:
        union = union.union_all(q)
    column = "priority_rank" if key == "priority" else key       # urgent above high, not alphabetical
    ordered = union.order_by(SQL(f"{column} {direction}"), SQL(f"id {direction}")).dicts()
    counts = _tab_counts(kinds, user)
    if any(args.get(name) for name in FILTER_ARGS if name != "type"):
        page = paginate(ordered)
    else:  # the tab unfiltered: its count is the tab's own, counted already
        page = _page_counted(ordered, counts[tab])
    owners = {u.id: u for u in User.select().where(User.id.in_([r["owner_id"] for r in page.items]))} \
        if page.items else {}
    users = small_owner_choices(user)  # None: the type-ahead (core.js), not every user of the school
    base = dict(endpoint_args, **{k: args[k] for k in FILTER_ARGS if args.get(k)})
    return render_template("service/list.html", title=title, page=page, owners=owners, tab=tab, sort=sort, base=base,
                           counts=counts, kinds=kinds, endpoint=endpoint, endpoint_args=endpoint_args,
                           args=args, now=now, users=users, CHANNELS=_translated(CHANNELS),
                           PRIORITIES=_translated(PRIORITIES), STATUSES=_translated(STATUSES),
                           CATEGORIES=_translated(CATEGORIES), overdue=_overdue_kinds)


def _translated(labels):
    """A label dict with its lazy strings translated once for this page, not once per row they appear in."""
    return {key: str(label) for key, label in labels.items()}


def _page_counted(query, total):
    """``core.web.paginate`` for a list whose count is known: the same page, cap and 404, one query fewer."""
    page = page_number()
    per_page, cap = current_app.config["PAGE_SIZE"], current_app.config["LIST_COUNT_CAP"]
    exact = True
    if request.args.get("count") != "exact" and total > cap:
        total, exact = cap, False
    rows = list(query.offset((page - 1) * per_page).limit(per_page + 1))
    items, more = rows[:per_page], len(rows) > per_page
    if not items and page > 1 and total:
        abort(404)
    return Page(items, page, per_page, total, exact, more)


def _tab_counts(kinds, user):
    """{tab: count} of the visible items of ``kinds`` for the three tabs: one statement, a row per kind (its
    three counts side by side, the tabs' own filters as conditional sums)."""
    totals = {"my": 0, "open": 0, "all": 0}
    union = None
    for kind in kinds:
        model = ITEM_MODELS[kind]
        is_open = model.status.in_(OPEN_STATUSES)
        mine = Case(None, [(is_open & (model.owner == user.id), 1)], 0)
        query = access.visible(model.select(fn.COUNT(model.id).alias("every"), fn.SUM(mine).alias("mine"),
                                            fn.SUM(Case(None, [(is_open, 1)], 0)).alias("open")),
                               user, RECORD_TYPES[kind])
        union = query if union is None else union.union_all(query)
    for every, my, open_ in union.tuples():
        totals["all"] += int(every or 0)
        totals["my"] += int(my or 0)
        totals["open"] += int(open_ or 0)
    return totals


def _overdue_kinds(row, now):
    """Which targets a listed row has missed (display only; the filter itself is SQL)."""
    out = []
    is_open = row["status"] in OPEN_STATUSES
    if is_open and row["first_response_at"] is None and row["response_due_at"] and now > row["response_due_at"]:
        out.append("response")
    if is_open and row["resolution_due_at"] and now > row["resolution_due_at"]:
        out.append("resolution")
    return out


@bp.route("/")
@login_required
def index():
    """客户服务: all service work (feedback, complaints and cases)."""
    return _list(tuple(ITEM_MODELS), _("Customer service"), "service.index", {})


@bp.route("/<kind>/")
@login_required
def kind_list(kind):
    _kind_or_404(kind)
    titles = {"feedback": _("Feedback"), "complaint": _("Complaints"), "case": _("Service cases")}
    return _list((kind,), titles[kind], "service.kind_list", {"kind": kind})


# --- record page -----------------------------------------------------------------------------------------

@bp.route("/<kind>/<int:item_id>")
@login_required
def detail(kind, item_id):
    _kind_or_404(kind)
    user = _user()
    item = access.get_or_404(user, RECORD_TYPES[kind], item_id)
    rt = RECORD_TYPES[kind]
    can_write = access.can(user, "write", item, rt)
    assign = AssignForm()
    assign.owner.choices = opts(owner_options(user, item.owner_id))
    assign.owner.data = item.owner_id
    status = StatusForm(status=item.status)
    cases = []
    if kind in ("feedback", "complaint"):
        model = ITEM_MODELS["case"]
        link = model.feedback if kind == "feedback" else model.complaint
        cases = list(access.visible(model.select(), user, "service_case").where(link == item.id).order_by(model.id))
    source = None
    if kind == "case":
        for attr, skind in (("feedback_id", "feedback"), ("complaint_id", "complaint")):
            if getattr(item, attr):
                found = access.visible(ITEM_MODELS[skind].select(), user, RECORD_TYPES[skind]).where(
                    ITEM_MODELS[skind].id == getattr(item, attr)).first()
                source = (skind, found) if found else source
    return render_template("service/detail.html", kind=kind, item=item, can_write=can_write, rt_name=rt,
                           can_reassign=access.may_reassign(user, item, rt),
                           can_delete=access.can(user, "delete", item, rt), events=services.timeline(kind, item.id),
                           replies=services.thread(kind, item.id), reply_form=ReplyForm(), assign_form=assign,
                           status_form=status, cases=cases, source=source, now=clock.utcnow(),
                           owner=User.get_or_none(User.id == item.owner_id), labels=_labels(),
                           users={u.id: u for u in User.select()})


def _labels():
    return {"status": STATUSES, "priority": PRIORITIES, "channel": CHANNELS, "category": CATEGORIES,
            "severity": SEVERITIES}


def _user_choices(blank=None):
    users = User.select().where(User.active == True).order_by(User.full_name, User.username)  # noqa: E712
    out = [(u.id, f"{u.display_name} ({u.username})") for u in users]
    return opts(([(None, blank)] if blank else []) + out)


def _check_assignment(item, new_owner):
    """Core's "who may own" rule (403 with the reason): the owner, a superior or the administrator hands an
    item to someone within their own reach — never to another class or to the administrator."""
    if not access.may_assign_to(_user(), item, new_owner):
        fail(403, _("You may give this item only to yourself or to someone below you, and only if it is "
                    "yours or below you."))


def _write_target(kind, item_id, action="write"):
    _kind_or_404(kind)
    return access.get_or_404(_user(), RECORD_TYPES[kind], item_id, action)


@bp.route("/<kind>/<int:item_id>/status", methods=["POST"])
@login_required
def set_status(kind, item_id):
    item = _write_target(kind, item_id)
    form = StatusForm()
    if not form.validate_on_submit():
        fail(400, _("Choose a valid status."))
    if form.status.data != item.status:
        services.change_status(kind, item, _user(), form.status.data, form.resolution.data)
        flash(_("Status changed to %(status)s.", status=STATUSES[form.status.data]), "success")
    return redirect(url_for("service.detail", kind=kind, item_id=item_id))


@bp.route("/<kind>/<int:item_id>/assign", methods=["POST"])
@login_required
def assign(kind, item_id):
    item = _write_target(kind, item_id)
    form = AssignForm()
    form.owner.choices = opts(owner_options(_user(), item.owner_id))
    if not form.validate_on_submit():
        fail(400, _("Choose an active user."))
    new_owner = User.get_by_id(form.owner.data)
    _check_assignment(item, new_owner)
    if new_owner.id != item.owner_id:
        services.reassign(kind, item, _user(), new_owner)
        flash(_("Assigned to %(user)s.", user=new_owner.display_name), "success")
    return redirect(url_for("service.detail", kind=kind, item_id=item_id))


@bp.route("/<kind>/<int:item_id>/reply", methods=["POST"])
@login_required
def reply(kind, item_id):
    item = _write_target(kind, item_id)
    form = ReplyForm()
    if not form.validate_on_submit():
        flash(_("Write a reply of at most %(n)d characters.", n=5000), "error")
        return redirect(url_for("service.detail", kind=kind, item_id=item_id))
    try:
        parent = int(form.parent_id.data) if (form.parent_id.data or "").isdigit() else None
        services.add_reply(kind, item, _user(), form.body.data, form.to_customer.data, parent)
    except ServiceError as exc:
        fail(400, str(exc))
    except mail.MailError as exc:
        fail(exc.status, str(exc))
    if form.to_customer.data and services.customer_address(item, _user()):
        flash(_("Reply saved and queued to be e-mailed to the customer."), "success")
    elif form.to_customer.data:
        flash(_("Reply saved. The customer has no e-mail address, so it was not sent."), "info")
    else:
        flash(_("Reply saved."), "success")
    return redirect(url_for("service.detail", kind=kind, item_id=item_id) + "#replies")


@bp.route("/<kind>/<int:item_id>/delete", methods=["POST"])
@login_required
def delete(kind, item_id):
    item = _write_target(kind, item_id, "delete")
    record_service.delete(RECORD_TYPES[kind], item, _user())
    flash(_("Deleted."), "success")
    return redirect(url_for("service.kind_list", kind=kind))


# --- staff entry -----------------------------------------------------------------------------------------

def _fill_choices(form, kind, user, item):
    form.owner.choices = opts([(None, _("— assign by the rule —"))] + owner_options(user, item.owner_id))
    accounts = access.visible(Account.select(Account.id, Account.name), user, "account").order_by(Account.name)
    form.account.choices = opts([(None, "—")] + [(a.id, a.name) for a in accounts.limit(500)])
    contacts = access.visible(Contact.select(), user, "contact").order_by(Contact.last_name).limit(500)
    form.contact.choices = opts([(None, "—")] + [(c.id, f"{c.name} {c.email}".strip()) for c in contacts])
    if kind == "case":
        for name, skind in (("feedback", "feedback"), ("complaint", "complaint")):
            model = ITEM_MODELS[skind]
            rows = access.visible(model.select(model.id, model.subject), user, skind).order_by(model.id.desc())
            getattr(form, name).choices = opts([(None, "—")] + [(r.id, f"#{r.id} {r.subject}") for r in rows.limit(500)])
        products = Product.select().where(Product.active == True).order_by(Product.code)  # noqa: E712
        form.product.choices = opts([(None, "—")] + [(p.id, str(p)) for p in products])


def _keep_stored(form, kind, user, item):
    """Saving unchanged changes nothing: a link to a record the editor may not read is kept as it is, shown
    as core.names says and not offered for change (the current owner is among core's owner options)."""
    links = {"account": "account", "contact": "contact"}
    if kind == "case":
        links.update(feedback="feedback", complaint="complaint")
    for name, record_type in links.items():
        stored, field = item.__data__.get(name), getattr(form, name)
        if stored is None or stored in {c.value for c in field.choices}:
            continue
        if names.readable_ids(user, record_type, [stored]):     # readable, beyond the first 500 choices
            target = getattr(item, name)
            field.choices = list(field.choices) + opts([(stored, str(target))])
        else:
            field.choices = opts([(stored, str(names.PRIVATE))])


FIELDS = ("subject", "description", "channel", "priority", "status", "resolution", "satisfaction",
          "submitter_name", "submitter_email", "submitter_phone")
LINKS = ("account", "contact")


@bp.route("/<kind>/new", methods=["GET", "POST"])
@bp.route("/<kind>/<int:item_id>/edit", methods=["GET", "POST"])
@login_required
def edit(kind, item_id=None):
    _kind_or_404(kind)
    user, model = _user(), ITEM_MODELS[kind]
    item = _write_target(kind, item_id) if item_id else model()
    form = FORMS[kind](obj=_form_data(kind, item) if item_id else None)
    if not item_id and request.method == "GET":
        _prefill_case(form, kind, user)
    _fill_choices(form, kind, user, item)
    if item_id:
        _keep_stored(form, kind, user, item)
    if form.validate_on_submit():
        if form.owner.data is not None:
            _check_assignment(item, User.get_by_id(form.owner.data))
        before = record_service.field_values(item) if item_id else None
        _apply(form, kind, item)
        try:
            if item_id:
                services.update(kind, item, user, before)
            else:
                services.create(kind, item, user, assign_by_rule=form.owner.data is None)
        except ServiceError as exc:
            flash(str(exc), "error")
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("service.detail", kind=kind, item_id=item.id))
    return render_template("service/form.html", form=form, kind=kind, item=item), (400 if form.errors else 200)


def _form_data(kind, item):
    class Data:
        pass
    data = Data()
    for name in FIELDS + ("category", "severity"):
        if hasattr(item, name):
            setattr(data, name, getattr(item, name))
    for name in LINKS + ("owner", "feedback", "complaint", "product"):
        if f"{name}_id" in item.__data__ or name in item._meta.fields:
            setattr(data, name, item.__data__.get(name))
    data.received_at = clock.to_local(item.received_at).replace(tzinfo=None) if item.received_at else None
    return data


def _prefill_case(form, kind, user):
    if kind != "case":
        return
    for skind in ("feedback", "complaint"):
        source_id = request.args.get(skind, "")
        if source_id.isdigit():
            model = ITEM_MODELS[skind]
            src = access.visible(model.select(), user, skind).where(model.id == int(source_id)).first()
            if src is not None:
                getattr(form, skind).data = src.id
                form.subject.data = src.subject
                form.description.data = src.description
                form.account.data, form.contact.data = src.account_id, src.contact_id
                form.channel.data, form.priority.data = src.channel, src.priority


def _apply(form, kind, item):
    for name in FIELDS:
        setattr(item, name, getattr(form, name).data if getattr(form, name).data is not None else
                (None if name == "satisfaction" else ""))
    item.subject = item.subject.strip()
    for name in LINKS:
        setattr(item, name, getattr(form, name).data)
    if form.owner.data is not None:
        item.owner = form.owner.data
    shown = clock.to_local(item.received_at).replace(tzinfo=None, second=0, microsecond=0) \
        if item.received_at else None
    if form.received_at.data and form.received_at.data != shown:    # the form shows minutes: unchanged keeps seconds
        item.received_at = clock.to_utc(form.received_at.data)
    if kind == "complaint":
        item.category, item.severity = form.category.data, form.severity.data
    if kind == "case":
        item.feedback, item.complaint, item.product = form.feedback.data, form.complaint.data, form.product.data


# --- the public form -------------------------------------------------------------------------------------

FORM_KEY = "service"    # its challenges and posts in core.publicforms

@bp.route("/public", methods=["GET", "POST"])
def public_form():
    settings = ServiceSettings.current()
    if not settings.public_form_enabled:
        fail(404, _("The feedback form is closed."))
    form = PublicForm()
    error, status = None, 200
    if request.method == "POST":
        refused = publicforms.refusal(FORM_KEY, settings.public_limit, settings.public_window_minutes,
                                      settings.public_global_limit)
        if refused:
            fail(429, refused)
        error = publicforms.check_answer(FORM_KEY, form.challenge.data, form.answer.data,
                                         current_app.config.get("SERVICE_MIN_FILL_SECONDS", 3))
        if form.validate_on_submit() and error is None:
            try:
                item = services.submit_public(form.kind.data, form.subject.data.strip(), form.message.data,
                                              form.email.data, form.name.data, form.phone.data, form.category.data)
            except ServiceError as exc:
                fail(503, str(exc))
            session["service_submitted"] = {"kind": form.kind.data, "id": item.id}
            return redirect(url_for("service.public_thanks"))
        status = 400
        form.answer.data = ""
    form.challenge.data, question = publicforms.new_challenge(FORM_KEY)
    return render_template("service/public_form.html", form=form, question=question, challenge_error=error), status


@bp.route("/public/thanks")
def public_thanks():
    done = session.pop("service_submitted", None)
    if not done:
        return redirect(url_for("service.public_form"))
    return render_template("service/public_thanks.html", done=done)


# --- settings --------------------------------------------------------------------------------------------

def _admin_only():
    if not current_user.is_admin:
        fail(403, _("Only the administrator changes the service settings."))


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    _admin_only()
    ServiceSettings.insert(id=1).on_conflict_ignore().execute()
    row = ServiceSettings.get_by_id(1)
    form = SettingsForm(obj=row)
    if request.method == "GET":
        form.assign_position.data, form.default_owner.data = row.assign_position_id, row.default_owner_id
    form.assign_position.choices = opts([(None, _("— none —"))] + [
        (p.id, ("· " * p.depth) + p.name) for p in Position.select().order_by(Position.path)])
    form.default_owner.choices = _user_choices(blank=_("— the first administrator —"))
    current = services.targets()
    target_errors = {}
    if form.validate_on_submit():
        values = _read_targets(target_errors)
        if not target_errors:
            with db.atomic():
                ServiceSettings.update(assign_position=form.assign_position.data,
                                       default_owner=form.default_owner.data,
                                       public_form_enabled=form.public_form_enabled.data,
                                       public_limit=form.public_limit.data,
                                       public_window_minutes=form.public_window_minutes.data,
                                       public_global_limit=form.public_global_limit.data).where(
                    ServiceSettings.id == 1).execute()
                for priority, (response, resolution) in values.items():
                    # update, then insert if the row is missing (MySQL has no ON CONFLICT with a target)
                    ServiceTarget.update(response_minutes=response, resolution_minutes=resolution).where(
                        ServiceTarget.priority == priority).execute()
                    ServiceTarget.insert(priority=priority, response_minutes=response,
                                         resolution_minutes=resolution).on_conflict_ignore().execute()
                record_service.audit("service_settings", 1, "update", _user(), {"targets": values})
            flash(_("Service settings saved."), "success")
            return redirect(url_for("service.settings"))
    public_url = url_for("service.public_form", _external=True)
    candidates = services.rule_candidates(row)
    return render_template("service/settings.html", form=form, targets=current, PRIORITIES=PRIORITIES,
                           target_errors=target_errors, public_url=public_url, candidates=candidates,
                           defaults=DEFAULT_TARGETS), (400 if form.errors or target_errors else 200)


def _read_targets(errors):
    """Hours from the form (``response_<priority>``, ``resolution_<priority>``) as minutes."""
    out = {}
    for priority in PRIORITIES:
        pair = []
        for what in ("response", "resolution"):
            raw = request.form.get(f"{what}_{priority}", "").strip().replace(",", ".")
            try:
                hours = float(raw)
                if not 0 < hours <= 24 * 365:
                    raise ValueError
            except ValueError:
                errors[f"{what}_{priority}"] = _("Enter hours between 0 and 8760.")
                continue
            pair.append(max(1, round(hours * 60)))
        if len(pair) == 2:
            if pair[1] < pair[0]:
                errors[f"resolution_{priority}"] = _("The resolution target cannot come before the response "
                                                     "target.")
            out[priority] = tuple(pair)
    return out


# --- the report ------------------------------------------------------------------------------------------

@bp.route("/report")
@login_required
def report():
    period, error = reporting.period_from_args(request.args)
    if error:
        flash(error, "error")
    export = request.args.get("export")
    if export and export not in reporting.SECTIONS:
        abort(404)
    sections = reporting.build(_user(), period, only=export)
    if export:
        return _csv_response(sections[0], f"service-{export}-{period.first:%Y%m}-{period.last:%Y%m}.csv")
    today = clock.today()
    this_year = fiscal.year_of(today)
    years = [fiscal.FiscalYear(y, this_year.start_month) for y in range(this_year.year - 4, this_year.year + 2)]
    return render_template("service/report.html", sections=sections, period=period, years=years,
                           args=request.args)


def _csv_response(section, filename):
    rows = reporting.csv_rows(section)
    return csvsafe.response(filename, next(rows), rows)
