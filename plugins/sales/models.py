"""Sales documents (销售单据): quotes (报价单), sales orders (销售订单) and invoices (发票) with their lines,
payments (收款) against invoices, the number counters and the plugin's settings.

The three documents share their header through :class:`SalesDocument` and their lines through
:class:`DocumentLine` (abstract bases, one table each, as the service plugin does for its items). Money is
``MoneyField`` (Decimal, two places); totals are written only by :mod:`plugins.sales.totals` from the lines.
"""
import peewee

from core import clock
from core.babel import lazy_gettext as _l
from core.db import BaseModel
from core.extension import ClassRows
from core.models import Account, Contact, MoneyField, Opportunity, Product, Record, User, list_sort_indexes

QUOTE_STATUSES = {"draft": _l("Draft"), "sent": _l("Sent"), "accepted": _l("Accepted"),
                  "rejected": _l("Rejected"), "expired": _l("Expired")}
ORDER_STATUSES = {"open": _l("Open"), "delivered": _l("Delivered"), "invoiced": _l("Invoiced"),
                  "cancelled": _l("Cancelled")}
INVOICE_STATUSES = {"draft": _l("Draft"), "issued": _l("Issued"), "partly_paid": _l("Partly paid"),
                    "paid": _l("Paid"), "void": _l("Void")}
PAYMENT_METHODS = {"bank_transfer": _l("Bank transfer"), "cash": _l("Cash"), "card": _l("Card"),
                   "alipay": _l("Alipay"), "wechat": _l("WeChat Pay"), "cheque": _l("Cheque")}
UNPAID = ("issued", "partly_paid")


def _percent(**kw):
    return peewee.DecimalField(max_digits=7, decimal_places=2, auto_round=True, **kw)


class SalesDocument(Record):
    """What quotes, orders and invoices share. ``number`` is given once, when the document is created."""
    number = peewee.CharField(max_length=40)     # unique per kind (each model's index)
    account = peewee.ForeignKeyField(Account, null=True, on_delete="SET NULL", backref="+")
    contact = peewee.ForeignKeyField(Contact, null=True, on_delete="SET NULL", backref="+")
    opportunity = peewee.ForeignKeyField(Opportunity, null=True, on_delete="SET NULL", backref="+")
    currency = peewee.CharField(max_length=3, default="CNY")
    subtotal = MoneyField(default=0)       # the lines before tax, added exactly, rounded once
    tax = MoneyField(default=0)            # the lines' totals minus the subtotal
    discount = MoneyField(default=0)       # taken off the whole document (entered)
    shipping = MoneyField(default=0)       # entered
    total = MoneyField(default=0, index=True)   # lines' totals - discount + shipping
    notes = peewee.TextField(default="")

    def __str__(self):
        return self.number or f"#{self.id}"


class Quote(SalesDocument):
    """Quote (报价单). A new revision is a new row linked to the one it replaces (``previous``)."""
    revision = peewee.IntegerField(default=1)
    previous = peewee.ForeignKeyField("self", null=True, on_delete="SET NULL", backref="revisions")
    valid_until = peewee.DateField(null=True, index=True)
    status = peewee.CharField(max_length=20, default="draft", index=True)

    class Meta:
        table_name = "sales_quote"
        # the lists' default order and their other columns
        indexes = ((("number", "revision"), True),) + list_sort_indexes("modified_at", "number", "revision", "status",
                                                                         "total")

    def __str__(self):
        return self.number if self.revision == 1 else f"{self.number}/{self.revision}"


class SalesOrder(SalesDocument):
    """Sales order (销售订单), from an accepted quote or entered directly."""
    quote = peewee.ForeignKeyField(Quote, null=True, on_delete="SET NULL", backref="orders")
    status = peewee.CharField(max_length=20, default="open", index=True)

    class Meta:
        table_name = "sales_order"
        indexes = ((("number",), True),) + list_sort_indexes("modified_at", "number", "status", "total")


class Invoice(SalesDocument):
    """Invoice (发票), from an order or a quote; payments move it to partly paid and paid."""
    order = peewee.ForeignKeyField(SalesOrder, null=True, on_delete="SET NULL", backref="invoices")
    quote = peewee.ForeignKeyField(Quote, null=True, on_delete="SET NULL", backref="invoices")
    issue_date = peewee.DateField(null=True)
    due_date = peewee.DateField(null=True, index=True)
    status = peewee.CharField(max_length=20, default="draft", index=True)
    paid = MoneyField(default=0)
    balance_due = MoneyField(default=0)

    class Meta:
        table_name = "sales_invoice"
        indexes = ((("number",), True),) + list_sort_indexes("modified_at", "number", "status", "total", "balance_due")

    def is_overdue(self, today=None):
        return self.status in UNPAID and self.due_date is not None and self.due_date < (today or clock.today())


class DocumentLine(BaseModel):
    """One line of a document: the shape quotes, orders and invoices share. ``line_total`` (tax included) is
    computed by :func:`plugins.sales.totals.line_total`, rounded once."""
    position = peewee.IntegerField(default=0)
    product = peewee.ForeignKeyField(Product, null=True, on_delete="SET NULL", backref="+")
    description = peewee.CharField(max_length=300, default="")
    quantity = peewee.DecimalField(max_digits=12, decimal_places=2, auto_round=True, default=1)
    unit_price = MoneyField(default=0)
    discount_percent = _percent(default=0)
    discount_amount = MoneyField(default=0)
    tax_rate = _percent(default=0)
    line_total = MoneyField(default=0)


class QuoteLine(DocumentLine):
    document = peewee.ForeignKeyField(Quote, on_delete="CASCADE", backref="lines")

    class Meta:
        table_name = "sales_quote_line"


class OrderLine(DocumentLine):
    document = peewee.ForeignKeyField(SalesOrder, on_delete="CASCADE", backref="lines")

    class Meta:
        table_name = "sales_order_line"


class InvoiceLine(DocumentLine):
    document = peewee.ForeignKeyField(Invoice, on_delete="CASCADE", backref="lines")

    class Meta:
        table_name = "sales_invoice_line"


class Payment(BaseModel):
    """A payment received (收款) against an invoice."""
    invoice = peewee.ForeignKeyField(Invoice, on_delete="CASCADE", backref="payments")
    paid_on = peewee.DateField()
    amount = MoneyField()
    method = peewee.CharField(max_length=20, default="bank_transfer")
    reference = peewee.CharField(max_length=100, default="")
    recorded_by = peewee.ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    recorded_at = peewee.DateTimeField(default=clock.utcnow)

    class Meta:
        table_name = "sales_payment"


class NumberCounter(BaseModel):
    """The last number given per document kind and fiscal year; updated in the document's own transaction."""
    kind = peewee.CharField(max_length=20)
    fiscal_year = peewee.IntegerField()
    last_number = peewee.IntegerField(default=0)

    class Meta:
        table_name = "sales_number_counter"
        indexes = ((("kind", "fiscal_year"), True),)


class SalesSettings(BaseModel):
    """The school's numbering prefixes and the tax rate new lines start with (one row)."""
    quote_prefix = peewee.CharField(max_length=10, default="Q")
    order_prefix = peewee.CharField(max_length=10, default="SO")
    invoice_prefix = peewee.CharField(max_length=10, default="INV")
    default_tax_rate = _percent(default=13)

    class Meta:
        table_name = "sales_settings"

    @classmethod
    def current(cls):
        row = cls.get_or_none(cls.id == 1)
        return row if row is not None else cls(id=1)


DOCUMENTS = {"quote": Quote, "sales_order": SalesOrder, "invoice": Invoice}
LINES = {"quote": QuoteLine, "sales_order": OrderLine, "invoice": InvoiceLine}
LINE_LABELS = {"quote": _l("Quote lines"), "sales_order": _l("Sales order lines"), "invoice": _l("Invoice lines")}
STATUSES = {"quote": QUOTE_STATUSES, "sales_order": ORDER_STATUSES, "invoice": INVOICE_STATUSES}
MODELS = [Quote, SalesOrder, Invoice, QuoteLine, OrderLine, InvoiceLine, Payment, NumberCounter, SalesSettings]


def class_rows(user_ids):
    """A class's rows: the lines and payments of the documents its users own (the documents themselves go with
    core's rule for owned records; counters and settings are the school's)."""
    out = [ClassRows(_l("Payments"), Payment,
                     Payment.invoice.in_(Invoice.select(Invoice.id).where(Invoice.owner.in_(user_ids))))]
    for kind, label in LINE_LABELS.items():
        line, doc = LINES[kind], DOCUMENTS[kind]
        out.append(ClassRows(label, line, line.document.in_(doc.select(doc.id).where(doc.owner.in_(user_ids)))))
    return out
