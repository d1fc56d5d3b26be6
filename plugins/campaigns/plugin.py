"""Hook implementations of the campaigns plugin (市场拓广管理)."""
import os

from flask import render_template, url_for
from markupsafe import Markup, escape

from core import access, hookimpl
from core.babel import lazy_gettext as _l
from core.extension import CalendarItem, ExtraField, Job, MenuItem, MigrationSet, Widget
from core.records.registry import RecordType, RelationGrant, form_labels
from core.timeline import TimelineItem, page
from plugins.campaigns import history, labels


@hookimpl
def zhixin_blueprints(app):
    from plugins.campaigns import mailing_views  # noqa: F401  (its routes, on the campaigns blueprint)
    from plugins.campaigns.public_views import bp as public_bp
    from plugins.campaigns.views import bp
    return [bp, public_bp]


@hookimpl
def zhixin_menu_items(user):
    return [MenuItem("campaigns", _l("Campaigns"), "campaigns.index", group="plugins", order=20, icon="megaphone"),
            MenuItem("campaign_tasks", _l("Campaign tasks"), "campaigns.tasks", group="plugins", order=21,
                     icon="check")]


@hookimpl
def zhixin_migrations():
    return [MigrationSet("campaigns", os.path.join(os.path.dirname(__file__), "migrations"))]


@hookimpl
def zhixin_models():
    from plugins.campaigns.models import MODELS
    return list(MODELS)


@hookimpl
def zhixin_class_rows(user_ids):
    from plugins.campaigns.models import class_rows
    return class_rows(user_ids)


@hookimpl
def zhixin_record_types():
    from plugins.campaigns.forms import CampaignForm, CompleteForm, TaskForm
    from plugins.campaigns.models import Campaign, CampaignTask
    return [
        RecordType("campaign", Campaign, _l("Campaign"), _l("Campaigns"), family="campaign",
                   list_columns=("name", "type", "status", "start_date", "end_date", "owner"),
                   search_fields=("name", "target_audience"), filter_fields=("type", "status"),
                   choices={"type": labels.CAMPAIGN_TYPES, "status": labels.CAMPAIGN_STATUSES},
                   menu_group="", plugin="campaigns", icon="megaphone", audit_change=history.change,
                   labels=form_labels(CampaignForm)),
        # Tasks share the campaign family's sharing mode; their owner is the assignee. Whoever may read,
        # change or delete the campaign may do the same to its tasks (a grant core compiles into its rule).
        RecordType("campaign_task", CampaignTask, _l("Campaign task"), _l("Campaign tasks"), family="campaign",
                   list_columns=("subject", "campaign", "due_at", "status", "priority", "owner"),
                   search_fields=("subject",), filter_fields=("status", "priority"), default_sort="due_at",
                   choices={"status": labels.TASK_STATUSES, "priority": labels.TASK_PRIORITIES},
                   menu_group="", plugin="campaigns", icon="check",
                   grants=(RelationGrant("campaign"),),
                   labels=form_labels(TaskForm, CompleteForm, status=_l("Status"), completed_at=_l("Completed at"))),
    ]


# --- the source campaign of leads and opportunities ----------------------------------------------------

def _campaign_choices():
    from flask_login import current_user
    from core import access
    from plugins.campaigns.models import Campaign
    from plugins.campaigns.forms import options
    choices = [(0, "—")]
    if current_user and current_user.is_authenticated:
        query = access.visible(Campaign.select(Campaign.id, Campaign.name), current_user._get_current_object(),
                               "campaign").order_by(Campaign.name)
        choices += [(c.id, c.name) for c in query]
    return options(choices)


def _source_field(record_type):
    from wtforms import SelectField
    from flask_login import current_user
    from core import access
    from plugins.campaigns import services
    from plugins.campaigns.models import Campaign

    def load(record):
        campaign = services.source_of(record_type, record.id) if record is not None and record.id else None
        return campaign.id if campaign else 0

    def save(record, value, user):
        value = int(value or 0)
        current = load(record)
        if value == current:
            return
        if value and not access.visible(Campaign.select(), user, "campaign").where(Campaign.id == value).exists():
            return  # a campaign the user cannot see is never linked
        services.set_source(record_type, record.id, value or None)

    def display(record):
        campaign = services.source_of(record_type, record.id) if record is not None and record.id else None
        if campaign is None:
            return ""
        user = current_user._get_current_object() if current_user else None
        if user is None or not access.can(user, "read", campaign, "campaign"):
            return ""
        return Markup('<a href="{}">{}</a>').format(url_for("campaigns.detail", campaign_id=campaign.id),
                                                     escape(campaign.name))

    return ExtraField("source_campaign", _l("Source campaign"),
                      lambda: SelectField(_l("Source campaign"), coerce=int, choices=_campaign_choices,
                                          validate_choice=False, default=0),
                      load, save, display, order=50)


@hookimpl
def zhixin_record_fields(record_type):
    if record_type in ("lead", "opportunity"):
        return [_source_field(record_type)]
    return []


@hookimpl
def zhixin_record_saved(record_type, record, user, created, changes):
    """A lead converted into an opportunity passes its source campaign on (the opportunity is attributed)."""
    if record_type != "lead" or "converted_opportunity" not in changes:
        return
    from plugins.campaigns import services
    opportunity_id = record.__data__.get("converted_opportunity")
    campaign = services.source_of("lead", record.id)
    if opportunity_id and campaign is not None and services.source_of("opportunity", opportunity_id) is None:
        services.set_source("opportunity", opportunity_id, campaign.id)


@hookimpl
def zhixin_record_deleted(record_type, record, user):
    from plugins.campaigns import services
    from plugins.campaigns.models import CampaignMember, CampaignSource
    if record_type == "campaign":
        services.delete_campaign_rows(record)
    if record_type in ("lead", "opportunity"):
        CampaignSource.delete().where((CampaignSource.record_type == record_type)
                                      & (CampaignSource.record_id == record.id)).execute()
    if record_type in services.MEMBER_MODELS:
        CampaignMember.delete().where((CampaignMember.member_type == record_type)
                                      & (CampaignMember.member_id == record.id)).execute()


@hookimpl
def zhixin_record_merging(record_type, survivor, other, user):
    """The merged record's campaign memberships and source campaign pass to the survivor; where the survivor
    has its own already (one membership per campaign, one source per record), the survivor's stays."""
    from plugins.campaigns.models import (CampaignMailingRecipient, CampaignMember, CampaignSource,
                                          CampaignUnsubscribe)
    moved = {}
    if record_type in ("contact", "lead"):
        # a mailing's recipients keep their status on the survivor; an unsubscribe of either holds for it
        R, U = CampaignMailingRecipient, CampaignUnsubscribe
        mailings = [r.mailing_id for r in R.select(R.mailing).where((R.member_type == record_type)
                                                                    & (R.member_id == survivor.id))]
        R.delete().where((R.member_type == record_type) & (R.member_id == other.id) & R.mailing.in_(mailings)).execute()
        moved[_l("Mailing recipients")] = R.update(member_id=survivor.id).where(
            (R.member_type == record_type) & (R.member_id == other.id)).execute()
        if U.select().where((U.member_type == record_type) & (U.member_id == survivor.id)).exists():
            U.delete().where((U.member_type == record_type) & (U.member_id == other.id)).execute()
        U.update(member_id=survivor.id).where((U.member_type == record_type) & (U.member_id == other.id)).execute()
    if record_type in ("account", "contact", "lead"):
        M = CampaignMember
        # read first: MariaDB refuses a DELETE whose subquery reads the same table
        mine = [m.campaign_id for m in M.select(M.campaign).where((M.member_type == record_type)
                                                                  & (M.member_id == survivor.id))]
        M.delete().where((M.member_type == record_type) & (M.member_id == other.id) & M.campaign.in_(mine)).execute()
        moved[_l("Campaign members")] = M.update(member_id=survivor.id).where(
            (M.member_type == record_type) & (M.member_id == other.id)).execute()
    if record_type == "lead":
        CampaignMember.update(lead_id=survivor.id).where(CampaignMember.lead_id == other.id).execute()
        S = CampaignSource
        if S.select().where((S.record_type == "lead") & (S.record_id == survivor.id)).exists():
            S.delete().where((S.record_type == "lead") & (S.record_id == other.id)).execute()
        moved[_l("Campaign sources")] = S.update(record_id=survivor.id).where(
            (S.record_type == "lead") & (S.record_id == other.id)).execute()
    return moved


# --- background, reports, calendar, dashboard, demo --------------------------------------------------

@hookimpl
def zhixin_jobs():
    from plugins.campaigns import mailings, reminders
    return [Job("campaigns.reminders", reminders.run, "interval", {"minutes": 15},
                "Remind assignees and owners of campaign deadlines"),
            Job("campaigns.mailings", mailings.run, "interval", {"minutes": 1},
                "Queue the messages of the campaign mailings that are due")]


@hookimpl
def zhixin_reports():
    from plugins.campaigns.reports import report_definitions
    return report_definitions()


@hookimpl
def zhixin_calendar_items(user, start, end, owners):
    def due_in_window(task):
        condition = (task.due_at >= start) & (task.due_at < end)
        return condition if owners is None else condition & task.owner.in_(owners)
    return _task_items(user, due_in_window)


@hookimpl
def zhixin_overdue_items(user, before):
    return _task_items(user, lambda task: task.due_at < before)


def _task_items(user, condition):
    """The open campaign tasks ``user`` may see that meet ``condition(CampaignTask)``, as calendar items."""
    from plugins.campaigns import tasks as task_views
    from plugins.campaigns.links import link
    from plugins.campaigns.models import OPEN_TASK_STATUSES, CampaignTask
    query = (task_views.base_query(user).where(CampaignTask.status.in_(OPEN_TASK_STATUSES) & condition(CampaignTask))
             .order_by(CampaignTask.due_at))
    return [CalendarItem(title=f"{task.subject} ({task.campaign.name})", start=task.due_at,
                         url=link("campaigns.task_edit", task_id=task.id), kind="campaign_task",
                         done=False, owner_id=task.owner_id) for task in query]


@hookimpl
def zhixin_dashboard_widgets(user):
    return [Widget("campaigns.my_tasks", _l("My campaign tasks"), render=_render_widget, order=30)]


def _render_widget(user):
    from core import clock
    from plugins.campaigns import tasks as task_views
    from plugins.campaigns.models import CampaignTask
    mine = task_views.tasks_in_view("mine", user)
    now = clock.utcnow()
    return Markup(render_template(
        "campaigns/widget.html", my_tasks_label=labels.task_views()["mine"], count=mine.order_by().count(),
        overdue=mine.where(CampaignTask.due_at < now).order_by().count(),
        upcoming=list(mine.order_by(CampaignTask.due_at, CampaignTask.id).limit(5)), now=now))


@hookimpl
def zhixin_demo_data(app, users, rng):
    from plugins.campaigns.demo import load
    load(users, rng)


@hookimpl
def zhixin_timeline_items(user, scope, before, limit):
    """The account or its contacts added to a campaign the viewer may read, with their response."""
    from plugins.campaigns.models import Campaign, CampaignMember as M  # lazily, as this module's other hooks
    query = access.visible(M.select(M, Campaign).join(Campaign), user, "campaign").where(
        scope.related(M.member_type, M.member_id))
    return [TimelineItem(m.added_at, "campaign_member", m.id, m.campaign.name, _l("Campaign member"),
                         url_for("records.detail", type_name="campaign", record_id=m.campaign_id),
                         m.member_type, m.member_id, detail=labels.RESPONSE_STATUSES.get(m.status, m.status))
            for m in page(query, M.added_at, "campaign_member", M.id, before, limit)]
