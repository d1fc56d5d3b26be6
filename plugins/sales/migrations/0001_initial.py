"""The sales plugin's tables as its first release creates them (quotes, orders, invoices, their lines, payments,
number counters, settings), frozen here. The keys are ``IdField`` (AUTOINCREMENT on SQLite): core's migrations
always run before a plugin's. The three documents share a header and the three line tables a shape, as the
models do, so the columns are written once below."""
from peewee import CharField, DateField, DateTimeField, DecimalField, ForeignKeyField, IntegerField, Model, TextField

from core.db import IdField


def _money(**kw):
    return DecimalField(max_digits=16, decimal_places=2, auto_round=True, **kw)


def _percent(**kw):
    return DecimalField(max_digits=7, decimal_places=2, auto_round=True, **kw)


def up(migrator, db):
    class Base(Model):
        id = IdField()

        class Meta:
            database = db
            legacy_table_names = False  # index names from the table name, as core.db.BaseModel

    def table(name, base=Base, indexes=(), **fields):
        meta = type("Meta", (), {"table_name": name, "indexes": indexes})
        return type(name, (base,), dict(fields, Meta=meta))

    User, Account, Contact, Opportunity, Product = (
        table(name) for name in ("user", "account", "contact", "opportunity", "product"))

    def header():
        return dict(
            owner=ForeignKeyField(User, on_delete="RESTRICT"),
            created_by=ForeignKeyField(User, null=True, on_delete="SET NULL"),
            modified_by=ForeignKeyField(User, null=True, on_delete="SET NULL"),
            created_at=DateTimeField(index=True), modified_at=DateTimeField(),
            number=CharField(max_length=40),
            account=ForeignKeyField(Account, null=True, on_delete="SET NULL"),
            contact=ForeignKeyField(Contact, null=True, on_delete="SET NULL"),
            opportunity=ForeignKeyField(Opportunity, null=True, on_delete="SET NULL"),
            currency=CharField(max_length=3, default="CNY"),
            subtotal=_money(default=0), tax=_money(default=0), discount=_money(default=0),
            shipping=_money(default=0), total=_money(default=0, index=True), notes=TextField(default=""))

    listing = (("owner", "modified_at", "id"), False)
    Quote = table("sales_quote", indexes=((("number", "revision"), True), listing), **header(),
                  revision=IntegerField(default=1), valid_until=DateField(null=True, index=True),
                  previous=ForeignKeyField("self", null=True, on_delete="SET NULL"),
                  status=CharField(max_length=20, default="draft", index=True))
    db.create_tables([Quote])
    Order = table("sales_order", indexes=((("number",), True), listing), **header(),
                  quote=ForeignKeyField(Quote, null=True, on_delete="SET NULL"),
                  status=CharField(max_length=20, default="open", index=True))
    db.create_tables([Order])
    Invoice = table("sales_invoice", indexes=((("number",), True), listing), **header(),
                    order=ForeignKeyField(Order, null=True, on_delete="SET NULL"),
                    quote=ForeignKeyField(Quote, null=True, on_delete="SET NULL"),
                    issue_date=DateField(null=True), due_date=DateField(null=True, index=True),
                    status=CharField(max_length=20, default="draft", index=True),
                    paid=_money(default=0), balance_due=_money(default=0))
    db.create_tables([Invoice])

    for name, document in (("sales_quote_line", Quote), ("sales_order_line", Order),
                           ("sales_invoice_line", Invoice)):
        db.create_tables([table(
            name, position=IntegerField(default=0), product=ForeignKeyField(Product, null=True, on_delete="SET NULL"),
            description=CharField(max_length=300, default=""),
            quantity=DecimalField(max_digits=12, decimal_places=2, auto_round=True, default=1),
            unit_price=_money(default=0), discount_percent=_percent(default=0), discount_amount=_money(default=0),
            tax_rate=_percent(default=0), line_total=_money(default=0),
            document=ForeignKeyField(document, on_delete="CASCADE"))])

    db.create_tables([
        table("sales_payment", invoice=ForeignKeyField(Invoice, on_delete="CASCADE"), paid_on=DateField(),
              amount=_money(), method=CharField(max_length=20, default="bank_transfer"),
              reference=CharField(max_length=100, default=""),
              recorded_by=ForeignKeyField(User, null=True, on_delete="SET NULL"), recorded_at=DateTimeField()),
        table("sales_number_counter", indexes=((("kind", "fiscal_year"), True),), kind=CharField(max_length=20),
              fiscal_year=IntegerField(), last_number=IntegerField(default=0)),
        table("sales_settings", quote_prefix=CharField(max_length=10, default="Q"),
              order_prefix=CharField(max_length=10, default="SO"),
              invoice_prefix=CharField(max_length=10, default="INV"), default_tax_rate=_percent(default=13)),
    ])


def down(migrator, db):
    for name in ("sales_settings", "sales_number_counter", "sales_payment", "sales_invoice_line", "sales_order_line",
                 "sales_quote_line", "sales_invoice", "sales_order", "sales_quote"):
        migrator.migrate(migrator.drop_table(name))
