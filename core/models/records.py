"""The core records: accounts (客户), contacts (联系人), leads (线索), opportunities (销售机会),
documents (文档), products (产品) with categories, and competitors (竞争对手)."""
import peewee

from core import clock
from core.db import BaseModel
from core.localdates import LocalDateField, LocalMonthField
from core.models.base import MoneyField, Record, list_sort_indexes
from core.models.users import User

ACCOUNT_TYPES = ("customer", "prospect", "partner", "reseller", "competitor", "other")
INDUSTRIES = ("manufacturing", "retail", "finance", "education", "healthcare", "technology",
              "government", "hospitality", "transport", "energy", "agriculture", "other")
LEAD_SOURCES = ("web", "phone", "referral", "trade_show", "advertisement", "email", "partner",
                "campaign", "other")
LEAD_STATUSES = ("new", "contacted", "qualified", "unqualified", "converted")
LEAD_RATINGS = ("hot", "warm", "cold")
OPPORTUNITY_TYPES = ("new_business", "existing_business", "renewal")

# per-month counts of new records (up to now) read the local month of creation from an index alone
# (core.localdates): MariaDB reads them in this order for GROUP BY created_month, with no row look-ups
CREATED_ON = ((("created_month", "owner", "created_at"), False), (("owner", "created_month", "created_at"), False))


class Account(Record):
    """Account (客户)."""
    name = peewee.CharField(max_length=200, index=True)
    type = peewee.CharField(max_length=30, default="customer")
    industry = peewee.CharField(max_length=30, default="")
    phone = peewee.CharField(max_length=50, default="")
    email = peewee.CharField(max_length=254, default="")
    website = peewee.CharField(max_length=200, default="")
    billing_address = peewee.TextField(default="")
    region = peewee.CharField(max_length=100, default="")
    annual_revenue = MoneyField(null=True)
    employees = peewee.IntegerField(null=True)
    parent = peewee.ForeignKeyField("self", null=True, backref="children", on_delete="SET NULL")
    description = peewee.TextField(default="")
    created_on = LocalDateField("created_at")
    created_month = LocalMonthField("created_at")

    class Meta:
        indexes = list_sort_indexes("name", "type", "industry", "phone", "modified_at") + CREATED_ON


class Contact(Record):
    """Contact (联系人)."""
    first_name = peewee.CharField(max_length=100, default="")
    last_name = peewee.CharField(max_length=100, index=True)
    account = peewee.ForeignKeyField(Account, null=True, backref="contacts", on_delete="SET NULL")
    title = peewee.CharField(max_length=100, default="")
    department = peewee.CharField(max_length=100, default="")
    phone = peewee.CharField(max_length=50, default="")
    mobile = peewee.CharField(max_length=50, default="")
    email = peewee.CharField(max_length=254, default="", index=True)
    address = peewee.TextField(default="")
    birthday = peewee.DateField(null=True)
    lead_source = peewee.CharField(max_length=30, default="")
    reports_to = peewee.ForeignKeyField("self", null=True, on_delete="SET NULL")
    description = peewee.TextField(default="")
    created_on = LocalDateField("created_at")
    created_month = LocalMonthField("created_at")

    class Meta:
        indexes = list_sort_indexes("last_name", "first_name", "title", "phone", "email", "modified_at") + CREATED_ON

    @property
    def name(self):
        # Chinese names read family name first with no space; Western ones "First Last".
        first, last = self.first_name or "", self.last_name or ""
        if any("\u4e00" <= ch <= "\u9fff" for ch in first + last):
            return f"{last}{first}"
        return f"{first} {last}".strip()


class Lead(Record):
    """Lead (线索)."""
    first_name = peewee.CharField(max_length=100, default="")
    last_name = peewee.CharField(max_length=100, index=True)
    company = peewee.CharField(max_length=200, default="")
    title = peewee.CharField(max_length=100, default="")
    phone = peewee.CharField(max_length=50, default="")
    email = peewee.CharField(max_length=254, default="")
    source = peewee.CharField(max_length=30, default="", index=True)
    status = peewee.CharField(max_length=20, default="new", index=True)
    rating = peewee.CharField(max_length=10, default="")
    industry = peewee.CharField(max_length=30, default="")
    annual_revenue = MoneyField(null=True)
    description = peewee.TextField(default="")
    converted_at = peewee.DateTimeField(null=True)
    converted_account = peewee.ForeignKeyField(Account, null=True, on_delete="SET NULL")
    converted_contact = peewee.ForeignKeyField(Contact, null=True, on_delete="SET NULL")
    converted_opportunity = peewee.DeferredForeignKey("Opportunity", null=True, on_delete="SET NULL")

    name = Contact.name

    created_on = LocalDateField("created_at")
    created_month = LocalMonthField("created_at")

    class Meta:
        indexes = list_sort_indexes("last_name", "first_name", "company", "source", "status",
                                    "rating", "modified_at") + CREATED_ON


class SalesStage(BaseModel):
    """A configurable sales stage (销售阶段) with its default probability."""
    name = peewee.CharField(max_length=50, unique=True)
    probability = peewee.IntegerField(default=10)
    order = peewee.IntegerField(default=0)
    is_won = peewee.BooleanField(default=False)
    is_lost = peewee.BooleanField(default=False)

    @property
    def is_closed(self):
        return self.is_won or self.is_lost

    def __str__(self):
        return self.name


DEFAULT_STAGES = (
    # name, probability, is_won, is_lost
    ("Prospecting", 10, False, False),
    ("Qualification", 20, False, False),
    ("Needs Analysis", 40, False, False),
    ("Proposal", 60, False, False),
    ("Negotiation", 80, False, False),
    ("Closed Won", 100, True, False),
    ("Closed Lost", 0, False, True),
)


class Opportunity(Record):
    """Sales opportunity (销售机会)."""
    name = peewee.CharField(max_length=200, index=True)
    account = peewee.ForeignKeyField(Account, null=True, backref="opportunities", on_delete="SET NULL")
    contact = peewee.ForeignKeyField(Contact, null=True, backref="opportunities", on_delete="SET NULL")
    amount = MoneyField(default=0, index=True)
    currency = peewee.CharField(max_length=3, default="CNY")
    close_date = peewee.DateField(index=True)
    stage = peewee.ForeignKeyField(SalesStage, backref="opportunities", on_delete="RESTRICT", index=True)
    probability = peewee.IntegerField(default=10)
    type = peewee.CharField(max_length=30, default="new_business")
    lead_source = peewee.CharField(max_length=30, default="")
    next_step = peewee.CharField(max_length=200, default="")
    description = peewee.TextField(default="")
    closed_at = peewee.DateTimeField(null=True)
    created_on = LocalDateField("created_at")
    created_month = LocalMonthField("created_at")

    class Meta:
        # the stage x month of creation aggregate reads its rows from one of the last two indexes alone
        indexes = ((("owner", "close_date"), False), (("stage", "close_date"), False),
                   (("stage", "created_month", "owner", "amount"), False),
                   (("owner", "stage", "created_month", "amount"), False)
                   ) + list_sort_indexes("name", "amount", "probability", "close_date") + CREATED_ON


class OpportunityStageHistory(BaseModel):
    """Stage history (阶段历史): one row each time an opportunity enters a stage."""
    opportunity = peewee.ForeignKeyField(Opportunity, backref="stage_history", on_delete="CASCADE")
    stage = peewee.ForeignKeyField(SalesStage, on_delete="RESTRICT")
    amount = MoneyField(default=0)
    probability = peewee.IntegerField(default=0)
    changed_by = peewee.ForeignKeyField(User, null=True, on_delete="SET NULL")
    changed_at = peewee.DateTimeField(default=clock.utcnow)

    class Meta:
        indexes = ((("opportunity", "changed_at"), False),)  # days-in-stage reports walk it in this order


class ProductCategory(BaseModel):
    """Product category (产品类别), a tree."""
    name = peewee.CharField(max_length=100)
    parent = peewee.ForeignKeyField("self", null=True, backref="children", on_delete="RESTRICT")
    description = peewee.TextField(default="")

    def __str__(self):
        return self.name


class Product(BaseModel):
    """Product (产品): the catalogue the administrator keeps; everyone may read it."""
    name = peewee.CharField(max_length=200)
    code = peewee.CharField(max_length=50, unique=True)
    category = peewee.ForeignKeyField(ProductCategory, null=True, backref="products", on_delete="SET NULL")
    unit_price = MoneyField(default=0)
    unit = peewee.CharField(max_length=20, default="")
    active = peewee.BooleanField(default=True)
    description = peewee.TextField(default="")
    created_at = peewee.DateTimeField(default=clock.utcnow)
    modified_at = peewee.DateTimeField(default=clock.utcnow)

    class Meta:
        indexes = list_sort_indexes("code", "name", "unit_price", "unit", "active", owned=False)

    def __str__(self):
        return f"{self.name} ({self.code})"


class OpportunityLine(BaseModel):
    """A product line item on an opportunity; the amount follows the lines when lines exist."""
    opportunity = peewee.ForeignKeyField(Opportunity, backref="lines", on_delete="CASCADE")
    product = peewee.ForeignKeyField(Product, on_delete="RESTRICT")
    quantity = peewee.DecimalField(max_digits=12, decimal_places=2, default=1)
    unit_price = MoneyField(default=0)
    discount_percent = peewee.DecimalField(max_digits=5, decimal_places=2, default=0)

    @property
    def total(self):
        from decimal import ROUND_HALF_UP, Decimal
        gross = self.quantity * self.unit_price
        return (gross * (Decimal(100) - self.discount_percent) / Decimal(100)).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP)


class Competitor(Record):
    """Competitor (竞争对手)."""
    name = peewee.CharField(max_length=200, index=True)
    website = peewee.CharField(max_length=200, default="")
    strengths = peewee.TextField(default="")
    weaknesses = peewee.TextField(default="")
    description = peewee.TextField(default="")

    class Meta:
        indexes = list_sort_indexes("name", "website", "modified_at")


class OpportunityCompetitor(BaseModel):
    opportunity = peewee.ForeignKeyField(Opportunity, backref="competitor_links", on_delete="CASCADE")
    competitor = peewee.ForeignKeyField(Competitor, backref="opportunity_links", on_delete="CASCADE")

    class Meta:
        indexes = ((("opportunity", "competitor"), True),)


class Document(Record):
    """Document (文档): an uploaded file kept outside the web root, downloaded through an access check."""
    title = peewee.CharField(max_length=200)
    folder = peewee.CharField(max_length=100, default="", index=True)
    filename = peewee.CharField(max_length=255, default="")
    stored_name = peewee.CharField(max_length=100, default="")
    content_type = peewee.CharField(max_length=100, default="")
    size = peewee.IntegerField(default=0)
    related_type = peewee.CharField(max_length=64, default="")
    related_id = peewee.IntegerField(null=True)
    description = peewee.TextField(default="")

    class Meta:
        indexes = list_sort_indexes("title", "folder", "filename", "size", "modified_at") + (
            (("related_type", "related_id", "created_at"), False),)  # a record's documents, newest first
