"""Hook implementations of the sales plugin (报价单 / 销售订单 / 发票 / 收款)."""
import os

from flask import url_for
from flask_login import current_user

from core import access, hookimpl, templating
from core.babel import lazy_gettext as _l
from core.extension import Job, MenuItem, MigrationSet
from core.timeline import TimelineItem, page
from plugins.sales import jobs, record_types, reports
from plugins.sales.demo import create_demo
from plugins.sales.models import DOCUMENTS, MODELS, STATUSES, SalesSettings, class_rows


@hookimpl
def zhixin_record_merging(record_type, survivor, other, user):
    """Quotes, orders and invoices of a merged account or contact belong to the survivor."""
    if record_type not in ("account", "contact"):
        return None
    moved = {}
    for kind, model in DOCUMENTS.items():
        column = model._meta.fields[record_type]
        moved[record_types.TYPE_LABELS[kind]] = model.update({column: survivor.id}).where(column == other.id).execute()
    return moved


@hookimpl
def zhixin_blueprints(app):
    from plugins.sales.views import bp
    return [bp]


@hookimpl
def zhixin_migrations():
    return [MigrationSet("sales", os.path.join(os.path.dirname(__file__), "migrations"))]


@hookimpl
def zhixin_models():
    return list(MODELS)


@hookimpl
def zhixin_class_rows(user_ids):
    return class_rows(user_ids)


@hookimpl
def zhixin_defaults(app):
    SalesSettings.insert(id=1).on_conflict_ignore().execute()


@hookimpl
def zhixin_menu_items(user):
    items = [MenuItem(f"sales-{kind}", label, "records.list", group="plugins", order=50 + i,
                      endpoint_args={"type_name": kind})
             for i, (kind, label) in enumerate(record_types.TYPE_LABELS.items())]
    if user.is_admin:
        items.append(MenuItem("sales-settings", _l("Sales settings"), "sales.settings", group="plugins", order=59))
    return items


@hookimpl
def zhixin_jobs():
    return [Job("sales.expire_quotes", jobs.expire_quotes, "interval", {"hours": 1},
                "Mark sent quotes past their valid-until date as expired")]


@hookimpl
def zhixin_permission_check(user, action, record_type, record):
    """Documents are voided or cancelled, never deleted: a number once given stays (gap-free numbering)."""
    if action == "delete" and record_type in DOCUMENTS:
        return False
    return None


@hookimpl
def zhixin_template_slot(slot, context):
    """On an opportunity's page: its quotes, orders and invoices, and "Create quote" for who may change it."""
    if slot == "record_detail" and context.get("record_type") == "opportunity":
        return record_types.opportunity_panel(context["record"], current_user._get_current_object())
    return None


@hookimpl
def zhixin_reports():
    """Invoiced revenue, quote conversion, receivables ageing and top customers, in the "sales" family."""
    return reports.report_definitions()


@hookimpl
def zhixin_record_types():
    return record_types.record_types()


@hookimpl
def zhixin_demo_data(users):
    create_demo(users)



@hookimpl
def zhixin_timeline_items(user, scope, before, limit):
    """Quotes, sales orders and invoices for the account, one of its contacts or opportunities, when made."""
    labels = {"quote": _l("Quote"), "sales_order": _l("Sales order"), "invoice": _l("Invoice")}
    out = []
    for kind, model in DOCUMENTS.items():
        query = access.visible(model.select(), user, kind).where(
            scope.about(account=model.account, contact=model.contact, opportunity=model.opportunity))
        for doc in page(query, model.created_at, f"sales_{kind}", model.id, before, limit):
            about = next(((t, i) for t, i in (("account", doc.account_id), ("opportunity", doc.opportunity_id),
                                              ("contact", doc.contact_id)) if i is not None), ("", None))
            status = STATUSES[kind].get(doc.status, doc.status)
            out.append(TimelineItem(doc.created_at, f"sales_{kind}", doc.id, str(doc), labels[kind],
                                    url_for("records.detail", type_name=kind, record_id=doc.id), *about,
                                    detail=f"{status} · {templating.money(doc.total, doc.currency)}"))
    return out
