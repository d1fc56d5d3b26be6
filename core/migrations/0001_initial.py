"""Core tables as the first release created them, frozen here (never imported from core.models, so a later change to a
model cannot change what this step does): 0002 onwards bring them to the current models. Keys are plain integer
keys, as then; on SQLite 0004 gives them AUTOINCREMENT. (Default rows come from the ``zhixin_defaults`` hook, run
after every upgrade; defaults of fields live in Python, not in the DDL, so the frozen fields leave out the callable
ones.)"""
from peewee import (
    BigIntegerField, BooleanField, CharField, DateField, DateTimeField, DecimalField, ForeignKeyField,
    IntegerField, Model, TextField)


def up(migrator, db):
    class Base(Model):
        class Meta:
            database = db
            legacy_table_names = False  # index names from the table name, as core.db.BaseModel

    class Position(Base):
        name = CharField(max_length=100)
        parent = ForeignKeyField("self", null=True, on_delete="RESTRICT")
        path = CharField(index=True, default="")
        depth = IntegerField(default=0)
        description = TextField(default="")

        class Meta:
            table_name = "position"
    db.create_tables([Position])

    class User(Base):
        username = CharField(unique=True, max_length=80)
        password_hash = CharField()
        full_name = CharField(max_length=100, default="")
        email = CharField(max_length=254, default="")
        position = ForeignKeyField(Position, null=True, on_delete="SET NULL")
        is_admin = BooleanField(default=False)
        active = BooleanField(default=True)
        language = CharField(max_length=10, default="")
        must_change_password = BooleanField(default=False)
        must_change_username = BooleanField(default=False)
        student_number = CharField(unique=True, null=True, max_length=40)
        created_at = DateTimeField()
        last_login_at = DateTimeField(null=True)

        class Meta:
            table_name = "user"
    db.create_tables([User])

    class Account(Base):
        owner = ForeignKeyField(User, on_delete="RESTRICT")
        created_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        modified_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        created_at = DateTimeField(index=True)
        modified_at = DateTimeField()
        name = CharField(index=True, max_length=200)
        type = CharField(max_length=30, default="customer")
        industry = CharField(max_length=30, default="")
        phone = CharField(max_length=50, default="")
        email = CharField(max_length=254, default="")
        website = CharField(max_length=200, default="")
        billing_address = TextField(default="")
        region = CharField(max_length=100, default="")
        annual_revenue = DecimalField(null=True, max_digits=16, decimal_places=2)
        employees = IntegerField(null=True)
        parent = ForeignKeyField("self", null=True, on_delete="SET NULL")
        description = TextField(default="")

        class Meta:
            table_name = "account"
    db.create_tables([Account])

    class AuditEntry(Base):
        record_type = CharField(max_length=64)
        record_id = IntegerField()
        action = CharField(max_length=20)
        user = ForeignKeyField(User, null=True, on_delete="SET NULL")
        at = DateTimeField()
        changes = TextField(default="{}")

        class Meta:
            table_name = "audit_entry"
            indexes = ((("record_type", "record_id", "at"), False),)
    db.create_tables([AuditEntry])

    class Competitor(Base):
        owner = ForeignKeyField(User, on_delete="RESTRICT")
        created_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        modified_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        created_at = DateTimeField(index=True)
        modified_at = DateTimeField()
        name = CharField(index=True, max_length=200)
        website = CharField(max_length=200, default="")
        strengths = TextField(default="")
        weaknesses = TextField(default="")
        description = TextField(default="")

        class Meta:
            table_name = "competitor"
    db.create_tables([Competitor])

    class Contact(Base):
        owner = ForeignKeyField(User, on_delete="RESTRICT")
        created_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        modified_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        created_at = DateTimeField(index=True)
        modified_at = DateTimeField()
        first_name = CharField(max_length=100, default="")
        last_name = CharField(index=True, max_length=100)
        account = ForeignKeyField(Account, null=True, on_delete="SET NULL")
        title = CharField(max_length=100, default="")
        department = CharField(max_length=100, default="")
        phone = CharField(max_length=50, default="")
        mobile = CharField(max_length=50, default="")
        email = CharField(index=True, max_length=254, default="")
        address = TextField(default="")
        birthday = DateField(null=True)
        lead_source = CharField(max_length=30, default="")
        reports_to = ForeignKeyField("self", null=True, on_delete="SET NULL")
        description = TextField(default="")

        class Meta:
            table_name = "contact"
    db.create_tables([Contact])

    class Document(Base):
        owner = ForeignKeyField(User, on_delete="RESTRICT")
        created_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        modified_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        created_at = DateTimeField(index=True)
        modified_at = DateTimeField()
        title = CharField(max_length=200)
        folder = CharField(index=True, max_length=100, default="")
        filename = CharField(default="")
        stored_name = CharField(max_length=100, default="")
        content_type = CharField(max_length=100, default="")
        size = IntegerField(default=0)
        related_type = CharField(max_length=64, default="")
        related_id = IntegerField(null=True)
        description = TextField(default="")

        class Meta:
            table_name = "document"
    db.create_tables([Document])

    class JobClaim(Base):
        job = CharField(max_length=100)
        slot = CharField(max_length=91)
        claimed_at = DateTimeField()

        class Meta:
            table_name = "job_claim"
            indexes = ((("job", "slot"), True),)
    db.create_tables([JobClaim])

    class Lead(Base):
        owner = ForeignKeyField(User, on_delete="RESTRICT")
        created_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        modified_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        created_at = DateTimeField(index=True)
        modified_at = DateTimeField()
        first_name = CharField(max_length=100, default="")
        last_name = CharField(index=True, max_length=100)
        company = CharField(max_length=200, default="")
        title = CharField(max_length=100, default="")
        phone = CharField(max_length=50, default="")
        email = CharField(max_length=254, default="")
        source = CharField(index=True, max_length=30, default="")
        status = CharField(index=True, max_length=20, default="new")
        rating = CharField(max_length=10, default="")
        industry = CharField(max_length=30, default="")
        annual_revenue = DecimalField(null=True, max_digits=16, decimal_places=2)
        description = TextField(default="")
        converted_at = DateTimeField(null=True)
        converted_account = ForeignKeyField(Account, null=True, on_delete="SET NULL")
        converted_contact = ForeignKeyField(Contact, null=True, on_delete="SET NULL")
        # a DeferredForeignKey in the models: a column and an index, no constraint (opportunity comes later)
        converted_opportunity = IntegerField(null=True, index=True, column_name="converted_opportunity_id")

        class Meta:
            table_name = "lead"
    db.create_tables([Lead])

    class LoginAttempt(Base):
        username = CharField(index=True, max_length=80)
        address = CharField(index=True, max_length=64)
        at = DateTimeField(index=True)

        class Meta:
            table_name = "login_attempt"
    db.create_tables([LoginAttempt])

    class Notification(Base):
        user = ForeignKeyField(User, on_delete="CASCADE")
        key = CharField(unique=True, null=True, max_length=191)
        kind = CharField(max_length=64, default="info")
        title = CharField(max_length=300)
        body = TextField(default="")
        link = CharField(max_length=500, default="")
        created_at = DateTimeField()
        read_at = DateTimeField(null=True)
        email_pending = BooleanField(default=False)
        emailed_at = DateTimeField(null=True)
        email_attempts = IntegerField(default=0)

        class Meta:
            table_name = "notification"
            indexes = ((("user", "read_at"), False),)
    db.create_tables([Notification])

    class SalesStage(Base):
        name = CharField(unique=True, max_length=50)
        probability = IntegerField(default=10)
        order = IntegerField(default=0)
        is_won = BooleanField(default=False)
        is_lost = BooleanField(default=False)

        class Meta:
            table_name = "sales_stage"
    db.create_tables([SalesStage])

    class Opportunity(Base):
        owner = ForeignKeyField(User, on_delete="RESTRICT")
        created_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        modified_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        created_at = DateTimeField(index=True)
        modified_at = DateTimeField()
        name = CharField(index=True, max_length=200)
        account = ForeignKeyField(Account, null=True, on_delete="SET NULL")
        contact = ForeignKeyField(Contact, null=True, on_delete="SET NULL")
        amount = DecimalField(index=True, max_digits=16, decimal_places=2, default=0)
        currency = CharField(max_length=3, default="CNY")
        close_date = DateField(index=True)
        stage = ForeignKeyField(SalesStage, on_delete="RESTRICT")
        probability = IntegerField(default=10)
        type = CharField(max_length=30, default="new_business")
        lead_source = CharField(max_length=30, default="")
        next_step = CharField(max_length=200, default="")
        description = TextField(default="")
        closed_at = DateTimeField(null=True)

        class Meta:
            table_name = "opportunity"
            indexes = ((("owner", "close_date"), False), (("stage", "close_date"), False))
    db.create_tables([Opportunity])

    class OpportunityCompetitor(Base):
        opportunity = ForeignKeyField(Opportunity, on_delete="CASCADE")
        competitor = ForeignKeyField(Competitor, on_delete="CASCADE")

        class Meta:
            table_name = "opportunity_competitor"
            indexes = ((("opportunity", "competitor"), True),)
    db.create_tables([OpportunityCompetitor])

    class ProductCategory(Base):
        name = CharField(max_length=100)
        parent = ForeignKeyField("self", null=True, on_delete="RESTRICT")
        description = TextField(default="")

        class Meta:
            table_name = "product_category"
    db.create_tables([ProductCategory])

    class Product(Base):
        name = CharField(max_length=200)
        code = CharField(unique=True, max_length=50)
        category = ForeignKeyField(ProductCategory, null=True, on_delete="SET NULL")
        unit_price = DecimalField(max_digits=16, decimal_places=2, default=0)
        unit = CharField(max_length=20, default="")
        active = BooleanField(default=True)
        description = TextField(default="")
        created_at = DateTimeField()
        modified_at = DateTimeField()

        class Meta:
            table_name = "product"
    db.create_tables([Product])

    class OpportunityLine(Base):
        opportunity = ForeignKeyField(Opportunity, on_delete="CASCADE")
        product = ForeignKeyField(Product, on_delete="RESTRICT")
        quantity = DecimalField(max_digits=12, decimal_places=2, default=1)
        unit_price = DecimalField(max_digits=16, decimal_places=2, default=0)
        discount_percent = DecimalField(max_digits=5, decimal_places=2, default=0)

        class Meta:
            table_name = "opportunity_line"
    db.create_tables([OpportunityLine])

    class OpportunityStageHistory(Base):
        opportunity = ForeignKeyField(Opportunity, on_delete="CASCADE")
        stage = ForeignKeyField(SalesStage, on_delete="RESTRICT")
        amount = DecimalField(max_digits=16, decimal_places=2, default=0)
        probability = IntegerField(default=0)
        changed_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        changed_at = DateTimeField()

        class Meta:
            table_name = "opportunity_stage_history"
    db.create_tables([OpportunityStageHistory])

    class Organisation(Base):
        name = CharField(max_length=200, default="Zhixin CRM")
        address = CharField(max_length=300, default="")
        phone = CharField(max_length=50, default="")
        website = CharField(max_length=200, default="")
        logo = CharField(max_length=200, default="")
        currency = CharField(max_length=3, default="CNY")
        fiscal_year_start = IntegerField(default=1)
        timezone = CharField(max_length=64, default="Asia/Shanghai")
        default_language = CharField(max_length=10, default="zh")
        clock_offset_seconds = BigIntegerField(default=0)
        reminder_days = IntegerField(default=3)
        modified_at = DateTimeField()

        class Meta:
            table_name = "organisation"
    db.create_tables([Organisation])

    class PluginState(Base):
        name = CharField(unique=True, max_length=64)
        enabled = BooleanField(default=True)
        changed_at = DateTimeField()

        class Meta:
            table_name = "plugin_state"
    db.create_tables([PluginState])

    class SharingMode(Base):
        family = CharField(unique=True, max_length=64)
        mode = CharField(max_length=20, default="private")

        class Meta:
            table_name = "sharing_mode"
    db.create_tables([SharingMode])


def down(migrator, db):
    migrator.migrate(migrator.drop_table("sharing_mode"))
    migrator.migrate(migrator.drop_table("plugin_state"))
    migrator.migrate(migrator.drop_table("organisation"))
    migrator.migrate(migrator.drop_table("opportunity_stage_history"))
    migrator.migrate(migrator.drop_table("opportunity_line"))
    migrator.migrate(migrator.drop_table("product"))
    migrator.migrate(migrator.drop_table("product_category"))
    migrator.migrate(migrator.drop_table("opportunity_competitor"))
    migrator.migrate(migrator.drop_table("opportunity"))
    migrator.migrate(migrator.drop_table("sales_stage"))
    migrator.migrate(migrator.drop_table("notification"))
    migrator.migrate(migrator.drop_table("login_attempt"))
    migrator.migrate(migrator.drop_table("lead"))
    migrator.migrate(migrator.drop_table("job_claim"))
    migrator.migrate(migrator.drop_table("document"))
    migrator.migrate(migrator.drop_table("contact"))
    migrator.migrate(migrator.drop_table("competitor"))
    migrator.migrate(migrator.drop_table("audit_entry"))
    migrator.migrate(migrator.drop_table("account"))
    migrator.migrate(migrator.drop_table("user"))
    migrator.migrate(migrator.drop_table("position"))
