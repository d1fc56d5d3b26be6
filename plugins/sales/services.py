"""The sales plugin's writes (销售单据服务): every change of a document is one call here, in one transaction,
through core's record service (access check, stamping, audit, hooks). Totals are recomputed from the stored
lines in the record type's ``prepare`` callback, so no path can save totals a form sent."""
import datetime as dt

from core import access, clock
from core.babel import lazy_gettext as _l
from core.db import db
from core.models import OpportunityLine, Organisation, Product
from core.records import RecordError, service
from plugins.sales import numbering, totals
from plugins.sales.models import LINES, STATUSES, UNPAID, Invoice, Payment, Quote, SalesOrder, SalesSettings

EDITABLE = {"quote": "draft", "sales_order": "open", "invoice": "draft"}
# what a person may move a document to, from where (the job expires quotes; invoicing and payments move the rest)
TRANSITIONS = {
    "quote": {"sent": ("draft",), "accepted": ("sent",), "rejected": ("sent",)},
    "sales_order": {"delivered": ("open",), "cancelled": ("open", "delivered")},
    "invoice": {"issued": ("draft",), "void": ("draft", "issued")},
}
# fields that may change after a document left its editable status
DERIVED = {"status", "subtotal", "tax", "total", "paid", "balance_due", "modified_at", "modified_by", "notes",
           "issue_date", "due_date"}
LINE_FIELDS = ("product", "description", "quantity", "unit_price", "discount_percent", "discount_amount",
               "tax_rate")
PAYMENT_TERMS_DAYS = 30


def kind_of(document):
    return {Quote: "quote", SalesOrder: "sales_order", Invoice: "invoice"}[type(document)]


def lines_of(kind, document):
    line = LINES[kind]
    if document.id is None:
        return []
    return list(line.select().where(line.document == document.id).order_by(line.position, line.id))


def prepare(kind):
    """The record type's ``prepare``: a number and the organisation's currency for a new document; a refusal
    to change a sent document's content; totals (and an invoice's paid amount and status) from the rows."""
    def run(document, user, created, before):
        if created:
            if not document.number:
                document.number = numbering.next_number(kind, clock.today())
            document.currency = Organisation.get_profile().currency or "CNY"
        elif before.get("status") != EDITABLE[kind]:
            changed = [k for k, v in service.field_values(document).items() if before.get(k) != v]
            if set(changed) - DERIVED:
                raise locked_error(kind, before.get("status"))
        recompute(kind, document)
    return run


def status_label(kind, status):
    return str(STATUSES[kind].get(status, status))


def locked_error(kind, status):
    return RecordError(_l("Only a document in its first status can be changed; this one is %(status)s.",
                          status=status_label(kind, status)))


def recompute(kind, document):
    result = totals.document_totals(lines_of(kind, document), document.discount, document.shipping)
    if result.total < 0 and not getattr(document, "lines_follow", False):
        raise RecordError(_l("The discount is larger than the lines and shipping together."))
    document.subtotal, document.tax, document.total = result.subtotal, result.tax, result.total
    if kind == "invoice":
        paid = sum((p.amount for p in Payment.select().where(Payment.invoice == document.id)), totals.Decimal(0)) \
            if document.id else totals.Decimal(0)
        document.paid, document.balance_due = paid, document.total - paid
        if document.status in UNPAID + ("paid",):
            document.status = "issued" if paid == 0 else ("paid" if paid >= document.total else "partly_paid")


def _resave(kind, document, user, before):
    service.save(kind, document, user, before)


def create(kind, document, user, lines=()):
    """Create ``document`` (its number taken in the same transaction) with ``lines`` (dicts of LINE_FIELDS)."""
    numbering.ensure_counter(kind, numbering.fiscal_year(clock.today()))
    with db.atomic():
        # the header is saved before its lines exist: its discount may exceed the empty total until they do
        # (the total is checked when the lines are in, in the same transaction)
        document.lines_follow = bool(lines)
        try:
            service.save(kind, document, user)
        finally:
            document.lines_follow = False
        if lines:
            _insert_lines(kind, document, lines)
            _resave(kind, document, user, service.field_values(document))
    return document


def _insert_lines(kind, document, rows):
    line = LINES[kind]
    for i, row in enumerate(rows):
        values = {k: row[k] for k in LINE_FIELDS if row.get(k) is not None}
        new = line(document=document.id, position=i, **values)
        new.line_total = totals.line_total(new.quantity, new.unit_price, new.discount_percent, new.discount_amount,
                                           new.tax_rate)
        new.save(force_insert=True)


def line_values(row):
    """A line's fields as a dict (from any line model), to copy it to another document."""
    return {k: getattr(row, k) if k != "product" else row.product_id for k in LINE_FIELDS}


def default_price(product_id):
    product = Product.get_or_none(Product.id == product_id) if product_id else None
    return product.unit_price if product else totals.Decimal(0)


def set_lines(kind, document, rows, user):
    """Replace the lines of a document in its editable status; totals follow."""
    if not access.can(user, "write", document, kind):
        raise PermissionError("write")
    if document.status != EDITABLE[kind]:
        raise locked_error(kind, document.status)
    with db.atomic():
        before = service.field_values(document)
        LINES[kind].delete().where(LINES[kind].document == document.id).execute()
        _insert_lines(kind, document, rows)
        _resave(kind, document, user, before)


def change_status(kind, document, to, user):
    """Move a document to ``to`` if a person may from its status (write access checked by the service)."""
    if document.status not in TRANSITIONS[kind].get(to, ()):
        raise RecordError(_l("This document cannot go from %(old)s to %(new)s.", old=status_label(kind, document.status),
                             new=status_label(kind, to)))
    if kind == "invoice" and to == "void" and document.paid:
        raise RecordError(_l("An invoice with payments cannot be voided."))
    before = service.field_values(document)
    document.status = to
    if kind == "invoice" and to == "issued":
        document.issue_date = document.issue_date or clock.today()
        document.due_date = document.due_date or document.issue_date + dt.timedelta(days=PAYMENT_TERMS_DAYS)
    service.save(kind, document, user, before)


def _convert(source_kind, source, user, target_kind, target):
    """A new document from ``source``: same owner, customer and lines; only who may write the source may."""
    if not access.can(user, "write", source, source_kind):
        raise PermissionError("write")
    for name in ("owner", "account", "contact", "opportunity", "discount", "shipping", "notes"):
        setattr(target, name, getattr(source, name))
    return create(target_kind, target, user, [line_values(r) for r in lines_of(source_kind, source)])


def revise(quote, user):
    """A new revision of ``quote`` (a draft with the same number, revision + 1); the old one is kept."""
    if Quote.select().where(Quote.previous == quote.id).exists():
        raise RecordError(_l("This quote already has a newer revision."))
    new = Quote(number=quote.number, revision=quote.revision + 1, previous=quote.id, valid_until=quote.valid_until)
    return _convert("quote", quote, user, "quote", new)


def order_from_quote(quote, user):
    if quote.status != "accepted":
        raise RecordError(_l("Only an accepted quote becomes a sales order."))
    return _convert("quote", quote, user, "sales_order", SalesOrder(quote=quote.id))


def invoice_from(kind, source, user):
    """An invoice from an open or delivered order (which becomes invoiced) or from an accepted quote."""
    allowed = {"sales_order": ("open", "delivered"), "quote": ("accepted",)}[kind]
    if source.status not in allowed:
        raise RecordError(_l("This document cannot be invoiced in its status."))
    with db.atomic():
        invoice = Invoice(order=source.id if kind == "sales_order" else None,
                          quote=source.id if kind == "quote" else source.quote_id)
        _convert(kind, source, user, "invoice", invoice)
        if kind == "sales_order":
            before = service.field_values(source)
            source.status = "invoiced"
            service.save(kind, source, user, before)
    return invoice


def quote_from_opportunity(opportunity, user):
    """A draft quote for the opportunity's customer with its product lines (at the school's tax rate)."""
    L = OpportunityLine
    rate = SalesSettings.current().default_tax_rate
    rows = [{"product": ln.product_id, "description": str(ln.product), "quantity": ln.quantity,
             "unit_price": ln.unit_price, "discount_percent": ln.discount_percent, "tax_rate": rate}
            for ln in L.select().where(L.opportunity == opportunity.id).order_by(L.id)]
    if not access.can(user, "write", opportunity, "opportunity"):
        raise PermissionError("write")
    quote = Quote(owner=opportunity.owner_id, account=opportunity.account_id, contact=opportunity.contact_id,
                  opportunity=opportunity.id, valid_until=clock.today() + dt.timedelta(days=30))
    return create("quote", quote, user, rows)


def add_payment(invoice, user, paid_on, amount, method, reference=""):
    """Record a payment on an issued (or partly paid) invoice; its status and balance follow."""
    if invoice.status not in UNPAID:
        raise RecordError(_l("Payments are recorded on issued invoices only."))
    if amount <= 0 or amount > invoice.balance_due:
        raise RecordError(_l("Enter an amount above 0 and at most the balance due (%(balance)s).",
                             balance=invoice.balance_due))
    if not access.can(user, "write", invoice, "invoice"):
        raise PermissionError("write")
    with db.atomic():
        before = service.field_values(invoice)
        Payment.create(invoice=invoice.id, paid_on=paid_on, amount=amount, method=method, reference=reference,
                       recorded_by=user.id)
        _resave("invoice", invoice, user, before)
