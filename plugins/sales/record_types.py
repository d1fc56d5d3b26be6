"""The sales documents as core record types (one sharing family, ``"sales"``): their lists, detail pages (lines,
totals, the rounding rule, payments, linked documents), header forms and status actions, and the panel on an
opportunity's page."""
import peewee
from flask import render_template, url_for
from markupsafe import Markup

from core import access, templating
from core.babel import lazy_gettext as _l
from core.records.registry import RecordAction, RecordType, RelatedList
from plugins.sales import actions, services
from plugins.sales.forms import InvoiceForm, OrderForm, QuoteForm
from plugins.sales.models import (DOCUMENTS, INVOICE_STATUSES, ORDER_STATUSES, PAYMENT_METHODS, QUOTE_STATUSES,
                                  STATUSES, Invoice, Payment, Quote, SalesOrder)

FAMILY = "sales"   # one sharing-mode setting for quotes, orders and invoices (docs/sales.md)
RELATED_LIMIT = 20
TYPE_LABELS = {"quote": _l("Quotes"), "sales_order": _l("Sales orders"), "invoice": _l("Invoices")}
ROUNDING_RULE = _l("Each line is rounded once, half up to the cent: (quantity × unit price − discount) × (1 + tax "
                   "rate). Subtotal: the lines before tax, added exactly and rounded once; tax: the lines' totals "
                   "minus the subtotal; total: the lines' totals − discount + shipping.")


def opportunity_panel(opportunity, user):
    """The opportunity page's panel: its documents that ``user`` may see, and "Create quote" if they may change it."""
    groups = _documents_of(opportunity, user)
    return Markup(render_template("sales/opportunity_panel.html", groups=groups, opportunity=opportunity,
                                  can_quote=access.can(user, "write", opportunity, "opportunity"),
                                  labels=TYPE_LABELS, statuses=STATUSES))


PANEL_COLUMNS = ("id", "number", "status", "total", "currency")


def _documents_of(opportunity, user):
    """[(kind, newest RELATED_LIMIT visible documents)] for the panel, in one UNION ALL query (each part
    narrowed by core.access as its own list would be), not a query per kind."""
    kinds = list(DOCUMENTS.items())
    parts = []
    for i, (kind, model) in enumerate(kinds):
        revision = model.revision if "revision" in model._meta.fields else peewee.Value(1)
        inner = (access.visible(model.select(peewee.Value(i).alias("kind"), *(getattr(model, c) for c in
                                                                                PANEL_COLUMNS),
                                             revision.alias("revision")), user, kind)
                 .where(model.opportunity == opportunity.id).order_by(model.id.desc()).limit(RELATED_LIMIT))
        parts.append(peewee.Select([inner.alias(f"panel_{i}")], [peewee.SQL("*")]))
    query = parts[0]
    for part in parts[1:]:
        query = query.union_all(part)
    groups = {kind: [] for kind, _model in kinds}
    for row in query.bind(kinds[0][1]._meta.database).tuples():
        kind, model = kinds[int(row[0])]
        values = {c: model._meta.fields[c].python_value(v) for c, v in zip(PANEL_COLUMNS, row[1:])}
        if "revision" in model._meta.fields:
            values["revision"] = row[-1]
        groups[kind].append(model(**values))
    for rows in groups.values():
        rows.sort(key=lambda d: d.id, reverse=True)
    return list(groups.items())


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
                url_for("sales.lines", type_name=kind, record_id=record.id), _l("Edit lines"))
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
            url_for("sales.payments", invoice_id=record.id), _l("Record a payment"))
    return RelatedList("payments", _l("Payments"), rows, [
        (_l("Payment date"), lambda p: templating.date_filter(p.paid_on)),
        (_l("Amount"), lambda p: templating.money(p.amount, record.currency)),
        (_l("Method"), lambda p: str(PAYMENT_METHODS.get(p.method, p.method))),
        (_l("Reference"), lambda p: p.reference)], total=len(rows), extra_html=extra)


def _linked(kind, model, where_field, title):
    def related(record, user):
        query = access.visible(model.select(), user, kind).where(getattr(model, where_field) == record.id)
        rows = list(query.order_by(model.id).limit(RELATED_LIMIT))
        return RelatedList(f"{kind}-{where_field}", title, rows, [
            (_l("Number"), str), (_l("Status"), lambda d: services.status_label(kind, d.status)),
            (_l("Total"), _money("total"))],
            url=lambda d: url_for("records.detail", type_name=kind, record_id=d.id), total=query.count())
    return related


def _actions(kind):
    def offered(record, user):
        if not access.can(user, "write", record, kind):
            return []
        return [RecordAction(label, url_for("sales.act", type_name=kind, record_id=record.id, action=name), order=i)
                for i, (name, label) in enumerate(actions.available(kind, record))]
    return offered


def _print_actions(kind):
    """Print and PDF for whoever may read the document (the detail page's own check)."""
    def offered(record, user):
        return [RecordAction(_l("Print"), url_for("sales.printable", type_name=kind, record_id=record.id), order=90),
                RecordAction(_l("PDF"), url_for("sales.pdf", type_name=kind, record_id=record.id), order=91)]
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
    header = ("number", "status", "account", "contact", "opportunity")
    money_fields = ("currency", "subtotal", "tax", "discount", "shipping", "total")
    common = dict(family=FAMILY, default_mode="private", menu_group="", plugin="sales",
                  search_fields=("number", "notes"), filter_fields=("status",), default_sort="-modified_at",
                  labels={"number": _l("Number"), "status": _l("Status"), "subtotal": _l("Subtotal"),
                          "tax": _l("Tax"), "total": _l("Total"), "paid": _l("Amount paid"),
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
                          actions=(_actions(kind), _print_actions(kind)), prepare=services.prepare(kind),
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
