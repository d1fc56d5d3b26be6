"""Hook implementations of the service plugin (客户服务管理)."""
import datetime as dt
from decimal import Decimal
import os

from flask import render_template, url_for
from markupsafe import Markup

from core import access, clock, hookimpl
from core.babel import lazy_gettext as _l
from core.extension import CalendarItem, Job, MenuItem, MigrationSet, Widget
from core.records.registry import RecordType
from core.reports import ReportColumn, ReportDefinition, ReportResult
from core.timeline import TimelineItem, page
from plugins.service import services
from plugins.service.models import (CATEGORIES, CHANNELS, DEFAULT_TARGETS, ITEM_MODELS, MODELS, OPEN_STATUSES,
                                    PRIORITIES, SEVERITIES, STATUSES, ServiceEvent, ServiceReply, ServiceSettings,
                                    ServiceTarget, class_rows)

ITEM_LABELS = {"feedback": _l("Feedback"), "complaint": _l("Complaints"), "case": _l("Service cases")}
FAMILY = "service"   # one sharing-mode setting for feedback, complaints and cases (see docs/service.md)


@hookimpl
def zhixin_record_merging(record_type, survivor, other, user):
    """Feedback, complaints and cases of a merged account or contact belong to the survivor."""
    if record_type not in ("account", "contact"):
        return None
    moved = {}
    for kind, model in ITEM_MODELS.items():
        column = model._meta.fields[record_type]
        moved[ITEM_LABELS[kind]] = model.update({column: survivor.id}).where(column == other.id).execute()
    return moved


@hookimpl
def zhixin_blueprints(app):
    from plugins.service.views import bp
    return [bp]


@hookimpl
def zhixin_migrations():
    return [MigrationSet("service", os.path.join(os.path.dirname(__file__), "migrations"))]


@hookimpl
def zhixin_models():
    return list(MODELS)


@hookimpl
def zhixin_class_rows(user_ids):
    return class_rows(user_ids)


@hookimpl
def zhixin_defaults(app):
    ServiceSettings.insert(id=1).on_conflict_ignore().execute()
    for priority, (response, resolution) in DEFAULT_TARGETS.items():
        ServiceTarget.insert(priority=priority, response_minutes=response,
                             resolution_minutes=resolution).on_conflict_ignore().execute()


@hookimpl
def zhixin_menu_items(user):
    items = [MenuItem("service", _l("Customer service"), "service.index", group="plugins", order=30),
             MenuItem("service-feedback", _l("Feedback"), "service.kind_list", group="plugins", order=31,
                      endpoint_args={"kind": "feedback"}),
             MenuItem("service-complaints", _l("Complaints"), "service.kind_list", group="plugins", order=32,
                      endpoint_args={"kind": "complaint"}),
             MenuItem("service-report", _l("Service report"), "service.report", group="plugins", order=33)]
    return items


# what the record forms do not name: the links, the times the service levels stamp, the rating
SERVICE_LABELS = {
    "owner": _l("Assigned to"), "account": _l("Account"), "contact": _l("Contact"), "product": _l("Product"),
    "feedback": _l("Feedback"), "complaint": _l("Complaint"), "first_response_at": _l("First response at"),
    "resolved_at": _l("Resolved at"), "satisfaction": _l("Satisfaction"),
    "first_response_minutes": _l("Minutes to first response"), "resolution_minutes": _l("Minutes to resolution"),
    "response_due_at": _l("Response due"), "resolution_due_at": _l("Resolution due"),
    "response_breached_at": _l("Response deadline missed at"),
    "resolution_breached_at": _l("Resolution deadline missed at"),
}


@hookimpl
def zhixin_record_types():
    from plugins.service.forms import ComplaintRecordForm, ServiceRecordForm
    from plugins.service.models import Complaint, Feedback, ServiceCase
    common = dict(family=FAMILY, default_mode="private", menu_group="", plugin="service",
                  search_fields=("subject", "submitter_email"), filter_fields=("status", "priority", "channel"),
                  default_sort="-received_at", labels=SERVICE_LABELS,
                  choices={"channel": CHANNELS, "priority": PRIORITIES, "status": STATUSES})
    columns = ("subject", "channel", "priority", "status", "owner", "received_at", "resolved_at")
    csv_fields = ("subject", "description", "channel", "priority", "status", "received_at", "submitter_name",
                  "submitter_email", "submitter_phone", "resolution")
    return [
        RecordType("feedback", Feedback, _l("Feedback"), _l("Feedback"), list_columns=columns,
                   csv_fields=csv_fields, form=ServiceRecordForm, icon="message", **common),
        RecordType("complaint", Complaint, _l("Complaint"), _l("Complaints"),
                   list_columns=columns[:3] + ("category", "severity") + columns[3:],
                   csv_fields=csv_fields + ("category", "severity"), icon="alert", form=ComplaintRecordForm,
                   **dict(common, choices=dict(common["choices"], category=CATEGORIES, severity=SEVERITIES))),
        RecordType("service_case", ServiceCase, _l("Service case"), _l("Service cases"), list_columns=columns,
                   csv_fields=csv_fields, form=ServiceRecordForm, icon="lifebuoy", **common),
    ]


@hookimpl
def zhixin_record_saving(record_type, record, user, created, changes):
    if record_type in services.KIND_OF_TYPE:
        services.stamp(services.KIND_OF_TYPE[record_type], record, created, changes)


@hookimpl
def zhixin_record_saved(record_type, record, user, created, changes):
    if record_type in services.KIND_OF_TYPE:
        services.announce(services.KIND_OF_TYPE[record_type], record, user, created, changes)


@hookimpl
def zhixin_record_deleted(record_type, record, user):
    kind = services.KIND_OF_TYPE.get(record_type)
    if kind:
        ServiceReply.delete().where((ServiceReply.item_type == kind) & (ServiceReply.item_id == record.id)).execute()
        ServiceEvent.delete().where((ServiceEvent.item_type == kind) & (ServiceEvent.item_id == record.id)).execute()


@hookimpl
def zhixin_mail_unmatched(message):
    """An e-mail from an unknown sender opens feedback, assigned by the rule (services.open_from_mail)."""
    return services.open_from_mail(message) is not None


@hookimpl
def zhixin_jobs():
    return [Job("service.check_targets", services.check_breaches, "interval", {"minutes": 5},
                "Flag service items past their response or resolution target and notify superiors")]


# --- cooperation -----------------------------------------------------------------------------------------

@hookimpl
def zhixin_calendar_items(user, start, end, owners):
    """Open items whose resolution target falls in [start, end), that ``user`` may see (of ``owners``)."""
    def due_in_window(model):
        condition = (model.status.in_(OPEN_STATUSES) & (model.resolution_due_at >= start)
                     & (model.resolution_due_at < end))
        return condition if owners is None else condition & model.owner.in_(owners)
    return _calendar_items(user, due_in_window)


@hookimpl
def zhixin_overdue_items(user, before):
    """Open items that missed their response or resolution target before ``before``, that ``user`` may see."""
    return _calendar_items(user, lambda model: services.overdue_expression(model, before))


def _calendar_items(user, condition):
    out = []
    for kind, model in ITEM_MODELS.items():
        # the columns an item and its overdue colour need, not whole rows
        query = access.visible(model.select(model.id, model.subject, model.owner, model.status,
                                            model.first_response_at, model.response_due_at,
                                            model.resolution_due_at),
                               user, services.RECORD_TYPES[kind]).where(condition(model))
        for item in query.order_by(model.resolution_due_at).limit(500):
            out.append(CalendarItem(title=str(item.subject), start=item.resolution_due_at, kind="service",
                                    url=services.item_path(kind, item.id), owner_id=item.owner_id,
                                    color="#dc2626" if item.overdue_kinds() else "#0891b2"))
    return out


@hookimpl
def zhixin_dashboard_widgets(user):
    return [Widget("service", _l("My service items"), render=_widget, order=40)]


def _widget(user):
    now = clock.utcnow()
    open_count = overdue_count = 0
    items = []
    for kind, model in ITEM_MODELS.items():
        mine = access.visible(model.select(), user, services.RECORD_TYPES[kind]).where(
            (model.owner == user.id) & model.status.in_(OPEN_STATUSES))
        open_count += mine.count()
        overdue_count += mine.where(services.overdue_expression(model, now)).count()
        items += [(kind, it) for it in mine.order_by(model.resolution_due_at).limit(5)]
    items.sort(key=lambda pair: pair[1].resolution_due_at or dt.datetime.max)
    return Markup(render_template("service/widget.html", open_count=open_count, overdue_count=overdue_count,
                                  items=items[:5], now=now))


@hookimpl
def zhixin_reports():
    return [
        ReportDefinition("service.monthly", "service", _l("Feedback and complaints received and handled per month"),
                         run=lambda user, params: _report(user, params, "monthly"), order=10, plugin="service",
                         description=_l("Handled = resolved or closed in the month.")),
        ReportDefinition("service.times", "service", _l("Average first-response and resolution time"),
                         run=lambda user, params: _report(user, params, "times"), chart="line", order=20,
                         plugin="service"),
        ReportDefinition("service.channel", "service", _l("Feedback and complaints by channel"),
                         run=lambda user, params: _report(user, params, "channel"), order=30, plugin="service"),
        ReportDefinition("service.category", "service", _l("Complaints by category"),
                         run=lambda user, params: _report(user, params, "category"), chart="hbar", order=40,
                         plugin="service"),
    ]


def _report(user, params, section_id):
    """A section of the service report as a ``ReportResult`` for the reports plugin."""
    from plugins.service import reporting
    today = clock.today()
    if params.date_from or params.date_to:
        period = reporting.month_period(params.date_from or params.date_to, params.date_to or params.date_from)
    else:
        period = reporting.fiscal_period(reporting.fiscal_year_of(today))
    section = reporting.build(user, period, only=section_id, owner_id=params.owner_id,
                              position_id=params.position_id)[0]
    columns = [ReportColumn(key, label, kind, total=kind == "number" and not key.startswith("avg_"))
               for key, label, kind in section.columns]
    values = [key for key, _label, kind in section.columns if kind in ("number", "percent")]
    if section_id == "monthly":
        values = values[:4]
    # the service page keeps rates in percentage points; a report's percent column holds a fraction
    percent = [key for key, _label, kind in section.columns if kind == "percent"]
    rows, totals = ([dict(r, **{k: _fraction(r.get(k)) for k in percent}) for r in section.rows],
                    dict(section.totals, **{k: _fraction(section.totals.get(k)) for k in percent}))
    return ReportResult(columns=columns, rows=rows,
                        chart={"kind": "line" if section_id == "times" else "bar",
                               "label": section.columns[0][0], "values": values},
                        totals=totals, note=section.note)


def _fraction(points):
    return None if points is None else Decimal(str(points)) / 100


@hookimpl
def zhixin_demo_data(app, users, rng):
    from plugins.service.demo import create_demo
    create_demo(users, rng)


@hookimpl
def zhixin_timeline_items(user, scope, before, limit):
    """Feedback, complaints and service cases about the account or one of its contacts, at their receipt."""
    labels = {"feedback": _l("Feedback"), "complaint": _l("Complaint"), "case": _l("Service case")}
    out = []
    for kind, model in ITEM_MODELS.items():
        query = access.visible(model.select(), user, services.RECORD_TYPES[kind]).where(
            scope.about(account=model.account, contact=model.contact))
        for item in page(query, model.received_at, f"service_{kind}", model.id, before, limit):
            about = ("account", item.account_id) if item.account_id else ("contact", item.contact_id)
            out.append(TimelineItem(item.received_at, f"service_{kind}", item.id, item.subject, labels[kind],
                                    url_for("service.detail", kind=kind, item_id=item.id), *about,
                                    detail=STATUSES.get(item.status, item.status)))
    return out
