"""Pages of the campaigns plugin: campaigns, members, tasks (four views) and effect follow-up."""
import datetime as _dt

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import format_currency
from flask_login import current_user, login_required

from core import access, charts, clock, csvsafe
from core.babel import gettext as _
from core.models import Organisation, User
from core.records import RecordError, csvio, history, registry, service
from core.records.lookups import owner_options
from core.web import fail, paginate, safe_next
from plugins.campaigns import effect as effects, labels, services, tasks as task_views, webforms
from plugins.campaigns.forms import CampaignForm, CompleteForm, TaskForm, WebFormSetupForm, options
from plugins.campaigns.models import (CAMPAIGN_STATUSES, CAMPAIGN_TYPES, MEMBER_TYPES, RESPONSE_STATUSES,
                                      WEB_FORM_FIELDS, Campaign, CampaignMember, CampaignTask)

bp = Blueprint("campaigns", __name__, url_prefix="/campaigns")
CAMPAIGN_SORTS = {"name": Campaign.name, "status": Campaign.status, "start": Campaign.start_date,
                  "end": Campaign.end_date, "type": Campaign.type, "modified": Campaign.modified_at}


def _user():
    return current_user._get_current_object()


def _user_choices():
    return [(u.id, u.display_name) for u in User.select().where(User.active).order_by(User.full_name, User.username)]


def _parse_date(value):
    try:
        return _dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _int_arg(name):
    try:
        return int(request.args.get(name) or 0) or None
    except ValueError:
        return None


# --- campaigns ----------------------------------------------------------------------------------------

@bp.route("/")
@login_required
def index():
    user = _user()
    query = access.visible(Campaign.select(Campaign, User).join(User, on=(Campaign.owner == User.id)),
                           user, "campaign")
    q = (request.args.get("q") or "").strip()
    status = request.args.get("status") or ""
    ctype = request.args.get("type") or ""
    if q:
        query = query.where(Campaign.name.contains(q) | Campaign.target_audience.contains(q))
    if status in CAMPAIGN_STATUSES:
        query = query.where(Campaign.status == status)
    if ctype in CAMPAIGN_TYPES:
        query = query.where(Campaign.type == ctype)
    sort = request.args.get("sort") or "-modified"
    column = CAMPAIGN_SORTS.get(sort.lstrip("-"), Campaign.modified_at)
    query = query.order_by(column.desc() if sort.startswith("-") else column.asc(), Campaign.id.desc())
    page = paginate(query)
    args = {k: v for k, v in dict(q=q, status=status, type=ctype, sort=sort).items() if v}
    return render_template("campaigns/index.html", page=page, q=q, status=status, ctype=ctype, sort=sort,
                           args=args, labels=labels, today=clock.today())


def _campaign_form(campaign=None):
    form = CampaignForm(obj=campaign)
    form.owner.choices = options(owner_options(_user(), campaign.owner_id if campaign else None))
    if request.method == "GET":
        form.owner.data = campaign.owner_id if campaign else current_user.id
    return form


def _may_hand_over(user, record, new_owner_id, *dispatchers):
    """Keeping the owner always may; a new one needs core's reassign rule on the record (or on one of
    ``dispatchers``: a campaign's owner hands out its tasks)."""
    if new_owner_id == record.owner_id:
        return True
    new_owner = User.get_or_none(User.id == new_owner_id)
    return new_owner is not None and access.reaches_user(user, new_owner) and any(
        access.may_reassign(user, r) for r in (record, *dispatchers) if r is not None and r.id is not None)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create():
    form = _campaign_form()
    if form.validate_on_submit():
        campaign = Campaign()
        form.populate_obj(campaign)
        service.save("campaign", campaign, _user())
        flash(_("Campaign created."), "success")
        return redirect(url_for(".detail", campaign_id=campaign.id))
    return render_template("campaigns/campaign_form.html", form=form, campaign=None)


@bp.route("/<int:campaign_id>/edit", methods=["GET", "POST"])
@login_required
def edit(campaign_id):
    campaign = access.get_or_404(_user(), "campaign", campaign_id, "write")
    before = service.field_values(campaign)
    form = _campaign_form(campaign)
    if form.validate_on_submit():
        if campaign.id is not None and not _may_hand_over(_user(), campaign, form.owner.data):
            fail(403, _("Only the owner or a superior may give this record to someone else."))
        form.populate_obj(campaign)
        service.save("campaign", campaign, _user(), before=before)
        flash(_("Campaign saved."), "success")
        return redirect(url_for(".detail", campaign_id=campaign.id))
    return render_template("campaigns/campaign_form.html", form=form, campaign=campaign)


@bp.route("/<int:campaign_id>/delete", methods=["POST"])
@login_required
def delete(campaign_id):
    campaign = access.get_or_404(_user(), "campaign", campaign_id, "delete")
    service.delete("campaign", campaign, _user())
    flash(_("Campaign deleted."), "success")
    return redirect(url_for(".index"))


@bp.route("/<int:campaign_id>")
@login_required
def detail(campaign_id):
    user = _user()
    campaign = access.get_or_404(user, "campaign", campaign_id)
    member_status = request.args.get("member_status") or ""
    member_query = CampaignMember.select().where(CampaignMember.campaign == campaign.id)
    if member_status in RESPONSE_STATUSES:
        member_query = member_query.where(CampaignMember.status == member_status)
    member_page = paginate(member_query.order_by(CampaignMember.member_type, CampaignMember.id))
    members = member_page.items
    records = services.member_records(members)
    readable = services.readable_member_keys(members, user)
    tasks = list(task_views.base_query(user).where(CampaignTask.campaign == campaign.id)
                 .order_by(CampaignTask.due_at, CampaignTask.id))
    can_write = access.can(user, "write", campaign)
    return render_template("campaigns/detail.html", campaign=campaign, members=members, records=records,
                           member_page=member_page, member_status=member_status,
                           readable=readable, tasks=tasks, can_write=can_write,
                           can_delete=access.can(user, "delete", campaign), labels=labels,
                           can_set_up_form=webforms.may_set_up(user, campaign),
                           effect=effects.compute(campaign, user), percent=effects.percent,
                           now=clock.utcnow(), response_statuses=RESPONSE_STATUSES,
                           history=history.entries(registry.get("campaign"), campaign))


# --- members ------------------------------------------------------------------------------------------

@bp.route("/<int:campaign_id>/members/add", methods=["GET", "POST"])
@login_required
def add_members(campaign_id):
    """Add contacts, leads or accounts: ticked on a page of the search's results, every record the search
    matches ("Add all", up to ADD_ALL_LIMIT), or those whose e-mail a CSV file lists (``members_import``)."""
    user = _user()
    campaign = access.get_or_404(user, "campaign", campaign_id, "write")
    member_type = request.values.get("type") or "lead"
    if member_type not in MEMBER_TYPES:
        fail(400, _("Unknown member type."))
    q = (request.values.get("q") or "").strip()
    query = _candidates(campaign, member_type, q, user)
    if request.method == "POST":
        model = services.MEMBER_MODELS[member_type]
        if request.form.get("all"):
            ids = [r.id for r in query.select(model.id).order_by(model.id).limit(ADD_ALL_LIMIT)]
        else:
            ids = request.form.getlist("ids")
        if not ids:
            flash(_("Select at least one record."), "error")
        else:
            try:
                added, skipped = services.add_members(campaign, member_type, ids, user)
            except ValueError:
                fail(400, _("Invalid selection."))
            _audit_added(campaign, user, added, member_type)
            flash(_("%(added)d members added, %(skipped)d skipped.", added=added, skipped=skipped), "success")
            return redirect(url_for(".detail", campaign_id=campaign.id))
    model = services.MEMBER_MODELS[member_type]
    order = model.name if member_type == "account" else model.last_name
    page = paginate(query.order_by(order, model.id))
    return render_template("campaigns/add_members.html", campaign=campaign, page=page, member_type=member_type,
                           q=q, labels=labels, add_all_limit=ADD_ALL_LIMIT)


ADD_ALL_LIMIT = 5000


def _candidates(campaign, member_type, q, user):
    """The records of ``member_type`` the user may read that are not members yet, matching the search ``q``."""
    model = services.MEMBER_MODELS[member_type]
    present = CampaignMember.select(CampaignMember.member_id).where(
        (CampaignMember.campaign == campaign.id) & (CampaignMember.member_type == member_type))
    query = access.visible(model.select(model, User).join(User, on=(model.owner == User.id)), user,
                           member_type).where(model.id.not_in(present))
    if q:
        text_fields = {"lead": ("last_name", "first_name", "company", "email"),
                       "contact": ("last_name", "first_name", "email"), "account": ("name", "email")}[member_type]
        cond = None
        for name in text_fields:
            part = getattr(model, name).contains(q)
            cond = part if cond is None else (cond | part)
        query = query.where(cond)
    return query


def _audit_added(campaign, user, added, member_type):
    if added:
        service.audit("campaign", campaign.id, "update", user, {"members": [None, f"+{added} {member_type}"]})


@bp.route("/<int:campaign_id>/members/import", methods=["POST"])
@login_required
def members_import(campaign_id):
    """Members from a CSV file of e-mail addresses: each address names the readable contacts (or leads, or
    accounts) with that e-mail, case aside; the page says how many were added, already members, not found."""
    user = _user()
    campaign = access.get_or_404(user, "campaign", campaign_id, "write")
    member_type = request.form.get("type") or "lead"
    if member_type not in MEMBER_TYPES:
        fail(400, _("Unknown member type."))
    upload = request.files.get("file")
    back = url_for(".add_members", campaign_id=campaign.id, type=member_type)
    try:
        if not upload or not upload.filename:
            raise RecordError(_("Choose a CSV file."))
        addresses = services.addresses_in_csv(csvio.decode(upload.read(services.MAX_CSV_BYTES + 1)))
    except RecordError as exc:
        flash(str(exc), "error")
        return redirect(back)
    added, present, missing = services.add_by_addresses(campaign, member_type, addresses, user)
    _audit_added(campaign, user, added, member_type)
    flash(_("%(added)d members added, %(present)d already members, %(missing)d addresses match no record you "
            "can see.", added=added, present=present, missing=missing), "success")
    return redirect(url_for(".detail", campaign_id=campaign.id))


def _member_of(campaign, member_id):
    member = CampaignMember.get_or_none((CampaignMember.id == member_id) & (CampaignMember.campaign == campaign.id))
    if member is None:
        fail(404, _("No such member."))
    return member


@bp.route("/<int:campaign_id>/members/<int:member_id>/status", methods=["POST"])
@login_required
def member_status(campaign_id, member_id):
    campaign = access.get_or_404(_user(), "campaign", campaign_id, "write")
    member = _member_of(campaign, member_id)
    status = request.form.get("status")
    if status not in RESPONSE_STATUSES:
        fail(400, _("Unknown response status."))
    if status == "converted" and not member.lead_id:
        fail(400, _("Use “Convert to lead” to convert a member."))
    services.set_member_status(member, status)
    service.audit("campaign", campaign.id, "update", _user(),
                  {f"member {member.member_type} #{member.member_id}": [member.status, status]})
    flash(_("Response status saved."), "success")
    return redirect(safe_next(request.form.get("next"), url_for(".detail", campaign_id=campaign.id)))


@bp.route("/<int:campaign_id>/members/mark-sent", methods=["POST"])
@login_required
def mark_sent(campaign_id):
    """After the mailing went out: every planned member becomes "sent" in one step."""
    campaign = access.get_or_404(_user(), "campaign", campaign_id, "write")
    changed = CampaignMember.update(status="sent").where(
        (CampaignMember.campaign == campaign.id) & (CampaignMember.status == "planned")).execute()
    if changed:
        service.audit("campaign", campaign.id, "update", _user(), {"members": ["planned", f"sent ×{changed}"]})
    flash(_("%(count)d members marked as sent.", count=changed), "success")
    return redirect(url_for(".detail", campaign_id=campaign.id))


@bp.route("/<int:campaign_id>/members/<int:member_id>/remove", methods=["POST"])
@login_required
def remove_member(campaign_id, member_id):
    campaign = access.get_or_404(_user(), "campaign", campaign_id, "write")
    member = _member_of(campaign, member_id)
    member.delete_instance()
    service.audit("campaign", campaign.id, "update", _user(),
                  {f"member {member.member_type} #{member.member_id}": [member.status, None]})
    flash(_("Member removed."), "success")
    return redirect(url_for(".detail", campaign_id=campaign.id))


@bp.route("/<int:campaign_id>/members/<int:member_id>/convert", methods=["POST"])
@login_required
def convert_member(campaign_id, member_id):
    user = _user()
    campaign = access.get_or_404(user, "campaign", campaign_id, "write")
    member = _member_of(campaign, member_id)
    try:
        lead = services.convert_member(campaign, member, user)
    except services.CampaignError as exc:
        fail(409, str(exc))
    flash(_("Converted to lead %(name)s.", name=lead.name), "success")
    return redirect(safe_next(request.form.get("next"), url_for(".effect", campaign_id=campaign.id)))


# --- effect follow-up ---------------------------------------------------------------------------------

def effect_rows(effect):
    """The table behind the effect charts (and its CSV): (key, label, value as text)."""
    cur = Organisation.get_profile().currency

    def money(value):
        return "—" if value is None else format_currency(value, cur)
    rows = [("members", _("Members"), str(effect.members))]
    rows += [(f"status_{s}", labels.RESPONSE_STATUSES[s], str(effect.by_status.get(s, 0))) for s in RESPONSE_STATUSES]
    rows += [
        ("response_rate", _("Response rate"), effects.percent(effect.response_rate)),
        ("leads", _("Leads generated"), str(effect.leads)),
        ("opportunities", _("Opportunities"), str(effect.opportunities)),
        ("won_opportunities", _("Won opportunities"), str(effect.won_opportunities)),
        ("won_revenue", _("Won revenue"), money(effect.won_revenue)),
        ("actual_cost", _("Actual cost"), money(effect.actual_cost)),
        ("cost_per_lead", _("Cost per lead"), money(effect.cost_per_lead)),
        ("roi", _("ROI"), effects.percent(effect.roi)),
        ("mailed", _("Mailed"), str(effect.mailed)),
        ("bounced", _("Bounced"), str(effect.bounced)),
    ]
    return rows


def chase_list(campaign, user):
    """Responded members not yet converted (new leads to chase) whose record the viewer may read."""
    members = list(CampaignMember.select().where((CampaignMember.campaign == campaign.id)
                                                 & (CampaignMember.status == "responded"))
                   .order_by(CampaignMember.id))
    readable = services.readable_member_keys(members, user)
    members = [m for m in members if (m.member_type, m.member_id) in readable]
    return members, services.member_records(members)


@bp.route("/<int:campaign_id>/effect")
@login_required
def effect(campaign_id):
    user = _user()
    campaign = access.get_or_404(user, "campaign", campaign_id)
    eff = effects.compute(campaign, user)
    rows = effect_rows(eff)
    if request.args.get("format") == "csv":
        return csvsafe.response(f"campaign-{campaign.id}-effect.csv", [_("Figure"), _("Value")],
                                ([label, value] for _key, label, value in rows))
    status_chart = charts.bar(_("Members by response status"),
                              [str(labels.RESPONSE_STATUSES[s]) for s in RESPONSE_STATUSES],
                              [(_("Members"), [eff.by_status.get(s, 0) for s in RESPONSE_STATUSES])])
    money_chart = charts.bar(_("Cost and revenue"), [_("Actual cost"), _("Won revenue")],
                             [(campaign.name, [eff.actual_cost, eff.won_revenue])])
    chase, records = chase_list(campaign, user)
    return render_template("campaigns/effect.html", campaign=campaign, effect=eff, rows=rows,
                           status_chart=status_chart, money_chart=money_chart, chase=chase, records=records,
                           can_write=access.can(user, "write", campaign), labels=labels)


# --- tasks --------------------------------------------------------------------------------------------

def _task_filters():
    return {"campaign_id": _int_arg("campaign"), "assignee_id": _int_arg("assignee"),
            "date_from": _parse_date(request.args.get("from")), "date_to": _parse_date(request.args.get("to"))}


@bp.route("/tasks/")
@login_required
def tasks():
    user = _user()
    view = request.args.get("view") or "mine"
    if view not in task_views.VIEWS:
        fail(404, _("No such task view."))
    filters = _task_filters()
    today = clock.today()
    sort = request.args.get("sort") or "due"
    page = paginate(task_views.sorted_query(task_views.tasks_in_view(view, user, filters, today), sort))
    args = {k: v for k, v in dict(view=view, campaign=request.args.get("campaign"),
                                  assignee=request.args.get("assignee"), sort=sort,
                                  **{"from": request.args.get("from"), "to": request.args.get("to")}).items() if v}
    campaigns = access.visible(Campaign.select(Campaign.id, Campaign.name), user, "campaign").order_by(Campaign.name)
    return render_template("campaigns/tasks.html", page=page, view=view, sort=sort, args=args,
                           counts=task_views.counts(user, filters, today), campaigns=campaigns,
                           users=_user_choices(), labels=labels, view_labels=labels.task_views(),
                           now=clock.utcnow(), today=today)


def _task_form(task=None):
    user = _user()
    form = TaskForm(obj=task)
    writable = access.visible(Campaign.select(Campaign.id, Campaign.name), user, "campaign", "write")
    choices = [(c.id, c.name) for c in writable.order_by(Campaign.name)]
    if task is not None and task.campaign_id not in {c[0] for c in choices}:
        # the assignee edits a task of a campaign they cannot change: keep it where it is
        choices.append((task.campaign_id, task.campaign.name))
    form.campaign.choices = options(choices)
    form.owner.choices = options(owner_options(user, task.owner_id if task else None))
    if request.method == "GET":
        if task is not None:
            form.campaign.data, form.owner.data = task.campaign_id, task.owner_id
        if task is None:
            form.owner.data = user.id
            form.campaign.data = _int_arg("campaign")
            form.due_at.data = (clock.local_now() + _dt.timedelta(days=7)).replace(
                hour=17, minute=0, second=0, microsecond=0, tzinfo=None)
        else:
            form.due_at.data = clock.to_local(task.due_at).replace(tzinfo=None)
    return form


def _apply_task_form(form, task, may_move):
    if may_move:
        task.campaign = form.campaign.data
    task.subject = form.subject.data
    task.owner = form.owner.data
    task.due_at = clock.to_utc(form.due_at.data)
    task.priority = form.priority.data
    if task.status != "done" and form.status.data == "done":
        task.completed_at = clock.utcnow()
    elif form.status.data != "done":
        task.completed_at = None
    task.status = form.status.data
    task.description = form.description.data or ""
    task.completion_note = form.completion_note.data or ""


@bp.route("/tasks/new", methods=["GET", "POST"])
@login_required
def task_create():
    user = _user()
    form = _task_form()
    if not form.campaign.choices:
        flash(_("Create a campaign first: tasks belong to a campaign you may change."), "info")
    if form.validate_on_submit():
        campaign = access.get_or_404(user, "campaign", form.campaign.data, "write")
        task = CampaignTask(campaign=campaign)
        _apply_task_form(form, task, may_move=True)
        service.save("campaign_task", task, user)
        flash(_("Task created."), "success")
        return redirect(safe_next(request.args.get("next"), url_for(".detail", campaign_id=campaign.id)))
    return render_template("campaigns/task_form.html", form=form, task=None)


@bp.route("/tasks/<int:task_id>/edit", methods=["GET", "POST"])
@login_required
def task_edit(task_id):
    user = _user()
    task = access.get_or_404(user, "campaign_task", task_id)
    may_write = access.can(user, "write", task, "campaign_task")
    form = _task_form(task)
    if request.method == "POST":
        if not may_write:
            fail(403, _("You may read this task but not change it."))
        if form.validate_on_submit():
            if not _may_hand_over(user, task, form.owner.data, task.campaign):
                fail(403, _("Only the owner or a superior may give this record to someone else."))
            may_move = form.campaign.data != task.campaign_id
            if may_move:
                access.get_or_404(user, "campaign", form.campaign.data, "write")
            before = service.field_values(task)
            _apply_task_form(form, task, may_move)
            service.save("campaign_task", task, user, before=before)
            flash(_("Task saved."), "success")
            return redirect(safe_next(request.args.get("next"), url_for(".tasks", view="all")))
    return render_template("campaigns/task_form.html", form=form, task=task, may_write=may_write,
                           can_delete=access.can(user, "delete", task, "campaign_task"),
                           may_open_campaign=access.can(user, "read", task.campaign, "campaign"))


@bp.route("/tasks/<int:task_id>/complete", methods=["GET", "POST"])
@login_required
def task_complete(task_id):
    user = _user()
    task = access.get_or_404(user, "campaign_task", task_id, "write")
    if not task.is_open:
        fail(409, _("This task is closed already."))
    form = CompleteForm()
    if form.validate_on_submit():
        services.complete_task(task, user, form.completion_note.data.strip())
        flash(_("Task completed."), "success")
        return redirect(safe_next(request.args.get("next"), url_for(".tasks", view="open")))
    return render_template("campaigns/task_complete.html", form=form, task=task)


@bp.route("/tasks/<int:task_id>/delete", methods=["POST"])
@login_required
def task_delete(task_id):
    user = _user()
    task = access.get_or_404(user, "campaign_task", task_id, "delete")
    campaign_id = task.campaign_id
    service.delete("campaign_task", task, user)
    flash(_("Task deleted."), "success")
    return redirect(url_for(".detail", campaign_id=campaign_id))


@bp.app_template_filter("campaign_local")
def _campaign_local(value):
    """A stored UTC datetime as local "YYYY-MM-DD HH:MM" (compact, for task tables)."""
    return clock.to_local(value).strftime("%Y-%m-%d %H:%M") if value else ""



# --- web-to-lead: the form's set-up -------------------------------------------------------------------

@bp.route("/<int:campaign_id>/web-form", methods=["GET", "POST"])
@login_required
def web_form(campaign_id):
    user = _user()
    campaign = access.get_or_404(user, "campaign", campaign_id)
    if not webforms.may_set_up(user, campaign):
        fail(403, _("Only the campaign's owner, a superior or the administrator sets up its web form."))
    row = webforms.web_form_of(campaign, create=True)
    form = WebFormSetupForm(obj=row)
    if request.method == "GET":
        form.fields.data, form.required.data = row.field_names, sorted(row.required_names)
        form.assign_user.data, form.assign_position.data = row.assign_user_id, row.assign_position_id
    form.assign_user.choices = options([(None, "—")] + owner_options(user, row.assign_user_id))
    positions = [(p.id, ("· " * p.depth) + p.name) for p in webforms.assignable_positions(user)]
    if row.assign_position_id and row.assign_position_id not in {p[0] for p in positions}:
        positions.insert(0, (row.assign_position_id, row.assign_position.name))
    form.assign_position.choices = options([(None, "—")] + positions)
    if form.validate_on_submit():
        refused = webforms.rule_refusal(user, row, form.assign_rule.data, form.assign_user.data,
                                        form.assign_position.data)
        if refused == "user":
            form.assign_user.errors = [_("Choose a user you may give records to.")]
        elif refused == "position":
            form.assign_position.errors = [_("Choose a position you may give records to.")]
        else:
            chosen = set(form.fields.data) | {"last_name"}
            webforms.save_settings(row, user, {
                "enabled": form.enabled.data, "fields": " ".join(n for n in WEB_FORM_FIELDS if n in chosen),
                "required": " ".join(n for n in WEB_FORM_FIELDS if n in set(form.required.data) & chosen
                                     or n == "last_name"),
                "thank_you": form.thank_you.data or "", "assign_rule": form.assign_rule.data,
                "assign_user": form.assign_user.data if form.assign_rule.data == "user" else None,
                "assign_position": form.assign_position.data if form.assign_rule.data == "position" else None,
                "per_address_limit": form.per_address_limit.data, "window_minutes": form.window_minutes.data,
                "per_form_limit": form.per_form_limit.data})
            flash(_("Web form saved."), "success")
            return redirect(url_for(".web_form", campaign_id=campaign.id))
    public_url = url_for("campaigns_public.form", token=row.token, _external=True)
    return render_template("campaigns/web_form_setup.html", campaign=campaign, form=form, row=row,
                           public_url=public_url, is_open=webforms.open_form(row.token) is not None), \
        (400 if form.errors else 200)
