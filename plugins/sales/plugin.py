"""Hook implementations of the sales plugin (报价单 / 销售订单 / 发票 / 收款)."""
import os

from flask import render_template, url_for
from flask_login import current_user
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from core import access, hookimpl, templating
from core.extension import Job, MenuItem, MigrationSet
from core.records.registry import RecordAction, RecordType, RelatedList
from plugins.sales import actions, services
from plugins.sales.demo import create_demo
from plugins.sales.models import (DOCUMENTS, INVOICE_STATUSES, MODELS, ORDER_STATUSES, PAYMENT_METHODS,
                                  QUOTE_STATUSES, Invoice, Payment, Quote, SalesOrder, SalesSettings, class_rows)

FAMILY = "sales"   # one sharing-mode setting for quotes, orders and invoices (docs/sales.md)
ROUNDING_RULE = _l("Each line is rounded once, half up to the cent: (quantity × unit price − discount) × (1 + tax "
                   "rate). Subtotal: the lines before tax, added exactly and rounded once; tax: the lines' totals "
                   "minus the subtotal; total: the lines' totals − discount + shipping.")


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
             for i, (kind, label) in enumerate((("quote", _l("Quotes")), ("sales_order", _l("Sales orders")),
                                                ("invoice", _l("Invoices"))))]
    if user.is_admin:
        items.append(MenuItem("sales-settings", _l("Sales settings"), "sales.settings", group="plugins", order=59))
    return items


@hookimpl
def zhixin_jobs():
    return [Job("sales.expire_quotes", services.expire_quotes, "interval", {"hours": 1},
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
    if slot != "record_detail" or context.get("record_type") != "opportunity":
        return None
    opportunity, user = context["record"], current_user._get_current_object()
    groups = []
    for kind, model in DOCUMENTS.items():
        groups.append((kind, list(access.visible(model.select(), user, kind)
                                  .where(model.opportunity == opportunity.id).order_by(model.id.desc()).limit(20))))
    can_quote = access.can(user, "write", opportunity, "opportunity")
    return Markup(render_template("sales/opportunity_panel.html", groups=groups, opportunity=opportunity,
                                  can_quote=can_quote, labels=_TYPE_LABELS, statuses=_STATUS_LABELS))


_TYPE_LABELS = {"quote": _l("Quotes"), "sales_order": _l("Sales orders"), "invoice": _l("Invoices")}
_STATUS_LABELS = {"quote": QUOTE_STATUSES, "sales_order": ORDER_STATUSES, "invoice": INVOICE_STATUSES}


# --- record types ------------------------------------------------------------------------------------

def _money(attr):
    return lambda row: templating.money(getattr(row, attr), row.currency)


def _lines_related(kind):
    def related(record, user):
        rows = services.lines_of(kind, record)
        money = lambda value: templating.money(value, record.currency)  # noqa: E731
        columns = [(_l("Product"), lambda ln: str(ln.product) if ln.product_id else ""),
                   (_l("Description"), lambda ln: ln.description),
                   (_l("Quantity"), lambda ln: templating.number(ln.quantity)),
                   (_l("Unit price"), lambda ln: money(ln.unit_price)),
                   (_l("Discount"), _line_discount(money)),
                   (_l("Tax rate (%)"), lambda ln: templating.number(ln.tax_rate)),
                   (_l("Line total"), lambda ln: money(ln.line_total))]
        extra = ""
        if record.status == services.EDITABLE[kind] and access.can(user, "write", record, kind):
            extra = Markup('<p><a class="button" href="{}" data-action="lines">{}</a></p>').format(
                url_for("sales.lines", kind=kind, record_id=record.id), _l("Edit lines"))
        return RelatedList("lines", _l("Lines"), rows, columns, total=len(rows), extra_html=extra)
    return related


def _line_discount(money):
    def show(line):
        if line.discount_percent:
            return f"{templating.number(line.discount_percent)} %"
        return money(line.discount_amount) if line.discount_amount else ""
    return show


def _payments_related(record, user):
    rows = list(Payment.select().where(Payment.invoice == record.id).order_by(Payment.paid_on, Payment.id))
    extra = ""
    if record.status in ("issued", "partly_paid") and access.can(user, "write", record, "invoice"):
        extra = Markup('<p><a class="button" href="{}" data-action="payment">{}</a></p>').format(
            url_for("sales.payments", record_id=record.id), _l("Record a payment"))
    return RelatedList("payments", _l("Payments"), rows, [
        (_l("Payment date"), lambda p: templating.date_filter(p.paid_on)),
        (_l("Amount"), lambda p: templating.money(p.amount, record.currency)),
        (_l("Method"), lambda p: str(PAYMENT_METHODS.get(p.method, p.method))),
        (_l("Reference"), lambda p: p.reference)], total=len(rows), extra_html=extra)


def _linked(kind, model, where_field, title):
    def related(record, user):
        query = access.visible(model.select(), user, kind).where(getattr(model, where_field) == record.id)
        rows = list(query.order_by(model.id))
        return RelatedList(f"{kind}-{where_field}", title, rows, [
            (_l("Number"), str), (_l("Status"), lambda d: services.status_label(kind, d.status)),
            (_l("Total"), _money("total"))],
            url=lambda d: url_for("records.detail", type_name=kind, record_id=d.id), total=len(rows))
    return related


def _actions(kind):
    def offered(record, user):
        if not access.can(user, "write", record, kind):
            return []
        return [RecordAction(label, url_for("sales.act", kind=kind, record_id=record.id, action=name), order=i)
                for i, (name, label) in enumerate(actions.available(kind, record))]
    return offered


def _status_computed(kind):
    def show(record, user):
        label = services.status_label(kind, record.status)
        if kind == "invoice" and record.is_overdue():
            return Markup('{} <span class="pill danger" data-overdue>{}</span>').format(label, _l("Overdue"))
        return label
    return show


def _rounding(record, user):
    return Markup('<span class="muted" data-rounding>{}</span>').format(ROUNDING_RULE)


def record_types():
    from plugins.sales.forms import InvoiceForm, OrderForm, QuoteForm
    header = ("number", "status", "account", "contact", "opportunity")
    money_fields = ("currency", "subtotal", "tax", "discount", "shipping", "total")
    common = dict(family=FAMILY, default_mode="private", menu_group="", plugin="sales",
                  search_fields=("number", "notes"), filter_fields=("status",), default_sort="-modified_at",
                  labels={"number": _l("Number"), "status": _l("Status"), "subtotal": _l("Subtotal"),
                          "tax": _l("Tax"), "total": _l("Total"), "paid": _l("Paid"),
                          "balance_due": _l("Balance due"), "issue_date": _l("Issue date"),
                          "revision": _l("Revision"), "previous": _l("Previous revision"),
                          "quote": _l("Quote"), "order": _l("Sales order"), "rounding": _l("Rounding")},
                  computed={"rounding": _rounding}, hide_empty=("previous", "quote", "order"), importable=False,
                  icon="file")
    columns = ("number", "account", "status", "total", "owner", "modified_at")

    def rt(kind, model, label, plural, form, statuses, extra_fields, related, list_columns=columns):
        return RecordType(kind, model, label, plural, form=form, list_columns=list_columns,
                          csv_fields=columns + ("subtotal", "tax", "discount", "shipping", "currency"),
                          detail_fields=header + extra_fields + money_fields + ("rounding", "notes"),
                          choices={"status": statuses}, related=(_lines_related(kind),) + related,
                          actions=(_actions(kind),), prepare=services.prepare(kind),
                          **dict(common, computed=dict(common["computed"], status=_status_computed(kind))))
    return [
        rt("quote", Quote, _l("Quote"), _l("Quotes"), QuoteForm, QUOTE_STATUSES, ("revision", "previous",
           "valid_until"), (_linked("quote", Quote, "previous", _l("Newer revisions")),
                            _linked("sales_order", SalesOrder, "quote", _l("Sales orders")),
                            _linked("invoice", Invoice, "quote", _l("Invoices"))),
           list_columns=("number", "revision", "account", "status", "valid_until", "total", "owner")),
        rt("sales_order", SalesOrder, _l("Sales order"), _l("Sales orders"), OrderForm, ORDER_STATUSES,
           ("quote",), (_linked("invoice", Invoice, "order", _l("Invoices")),)),
        rt("invoice", Invoice, _l("Invoice"), _l("Invoices"), InvoiceForm, INVOICE_STATUSES,
           ("order", "quote", "issue_date", "due_date", "paid", "balance_due"), (_payments_related,),
           list_columns=("number", "account", "status", "due_date", "total", "balance_due", "owner")),
    ]


@hookimpl
def zhixin_record_types():
    return record_types()


@hookimpl
def zhixin_demo_data(users):
    create_demo(users)

