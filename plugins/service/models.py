"""Service records (客户服务): feedback (反馈留言), complaints (客户投诉) and service cases (客户服务),
their replies, timeline events, the admin's settings and response targets (the public form's log is core's:
core.publicforms).

The three record types share their fields through :class:`ServiceItem` (an abstract base, one table each)
and one sharing-mode family, ``"service"``. The *assigned user* of an item is its ``owner``: core's access
rules (owner, superiors, sharing mode) then apply to the assignee without a second field that could
disagree with it.
"""
import peewee

from core import clock
from core.babel import lazy_gettext as _l
from core.db import BaseModel
from core.extension import ClassRows
from core.models import Account, Contact, Position, Product, Record, User, list_sort_indexes
from core.records.classrows import pointing_at

CHANNELS = {
    "phone": _l("Phone"),
    "email": _l("E-mail"),
    "web": _l("Web form"),
    "in_person": _l("In person"),
    "social": _l("Social media"),
}
PRIORITIES = {
    "low": _l("Low"),
    "normal": _l("Normal"),
    "high": _l("High"),
    "urgent": _l("Urgent"),
}
STATUSES = {
    "new": _l("New"),
    "assigned": _l("Assigned"),
    "in_progress": _l("In progress"),
    "resolved": _l("Resolved"),
    "closed": _l("Closed"),
    "reopened": _l("Reopened"),
}
HANDLED_STATUSES = ("resolved", "closed")
OPEN_STATUSES = ("new", "assigned", "in_progress", "reopened")
CATEGORIES = {
    "product_quality": _l("Product quality"),
    "delivery": _l("Delivery"),
    "service_attitude": _l("Service attitude"),
    "billing": _l("Billing"),
    "after_sales": _l("After-sales"),
    "other": _l("Other"),
}
SEVERITIES = {
    "minor": _l("Minor"),
    "major": _l("Major"),
    "critical": _l("Critical"),
}
# Default response / resolution targets in minutes per priority (the admin changes them).
DEFAULT_TARGETS = {
    "low": (24 * 60, 10 * 24 * 60),
    "normal": (8 * 60, 5 * 24 * 60),
    "high": (2 * 60, 2 * 24 * 60),
    "urgent": (30, 8 * 60),
}


class ServiceItem(Record):
    """What feedback, complaints and cases share. ``owner`` is the assigned user."""
    subject = peewee.CharField(max_length=200)
    description = peewee.TextField(default="")
    account = peewee.ForeignKeyField(Account, null=True, on_delete="SET NULL", backref="+")
    contact = peewee.ForeignKeyField(Contact, null=True, on_delete="SET NULL", backref="+")
    channel = peewee.CharField(max_length=20, default="phone", index=True)
    priority = peewee.CharField(max_length=10, default="normal")
    status = peewee.CharField(max_length=20, default="new", index=True)
    received_at = peewee.DateTimeField(default=clock.utcnow, index=True)
    first_response_at = peewee.DateTimeField(null=True)
    resolved_at = peewee.DateTimeField(null=True, index=True)   # handled: resolved or closed
    resolution = peewee.TextField(default="")
    satisfaction = peewee.IntegerField(null=True)                # 1..5
    # Denormalised for portable SQL averages (minutes from received_at).
    first_response_minutes = peewee.IntegerField(null=True)
    resolution_minutes = peewee.IntegerField(null=True)
    # Response targets (from the admin's per-priority targets) and their breach flags.
    response_due_at = peewee.DateTimeField(null=True, index=True)
    resolution_due_at = peewee.DateTimeField(null=True, index=True)
    response_breached_at = peewee.DateTimeField(null=True)
    resolution_breached_at = peewee.DateTimeField(null=True)
    submitter_name = peewee.CharField(max_length=100, default="")
    submitter_email = peewee.CharField(max_length=254, default="")
    submitter_phone = peewee.CharField(max_length=50, default="")

    @property
    def is_open(self):
        return self.status in OPEN_STATUSES

    def overdue_kinds(self, now=None):
        """Which targets this item has missed: a subset of ("response", "resolution")."""
        now = now or clock.utcnow()
        out = []
        if self.first_response_at is None and self.response_due_at and now > self.response_due_at \
                and self.is_open:
            out.append("response")
        if self.is_open and self.resolution_due_at and now > self.resolution_due_at:
            out.append("resolution")
        return out


class Feedback(ServiceItem):
    """Feedback message (反馈留言)."""

    class Meta:
        table_name = "service_feedback"
        # the list's default order (newest first) and its other columns
        indexes = list_sort_indexes("received_at", "subject", "channel", "priority", "status")


class Complaint(ServiceItem):
    """Customer complaint (客户投诉), with a category and a severity."""
    category = peewee.CharField(max_length=30, default="other", index=True)
    severity = peewee.CharField(max_length=20, default="minor")

    class Meta:
        table_name = "service_complaint"
        indexes = list_sort_indexes("received_at", "subject", "channel", "priority", "category", "severity", "status")


class ServiceCase(ServiceItem):
    """Service case (客户服务): any service work, possibly born from a feedback or a complaint."""
    feedback = peewee.ForeignKeyField(Feedback, null=True, on_delete="SET NULL", backref="cases")
    complaint = peewee.ForeignKeyField(Complaint, null=True, on_delete="SET NULL", backref="cases")
    product = peewee.ForeignKeyField(Product, null=True, on_delete="SET NULL", backref="+")

    class Meta:
        table_name = "service_case"
        indexes = list_sort_indexes("received_at", "subject", "channel", "priority", "status")


class ServiceReply(BaseModel):
    """A threaded reply or comment on a service item: internal, or to the customer."""
    item_type = peewee.CharField(max_length=20)
    item_id = peewee.IntegerField()
    parent = peewee.ForeignKeyField("self", null=True, on_delete="CASCADE", backref="children")
    author = peewee.ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    body = peewee.TextField()
    to_customer = peewee.BooleanField(default=False)
    created_at = peewee.DateTimeField(default=clock.utcnow)

    class Meta:
        table_name = "service_reply"
        indexes = ((("item_type", "item_id", "created_at"), False),)


class ServiceEvent(BaseModel):
    """One line of an item's timeline: created, status change, assignment, reply, target missed."""
    item_type = peewee.CharField(max_length=20)
    item_id = peewee.IntegerField()
    kind = peewee.CharField(max_length=20)           # created | status | assigned | reply | breach
    old_value = peewee.CharField(max_length=200, default="")
    new_value = peewee.CharField(max_length=200, default="")
    user = peewee.ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    at = peewee.DateTimeField(default=clock.utcnow)

    class Meta:
        table_name = "service_event"
        indexes = ((("item_type", "item_id", "at"), False),)


class ServiceSettings(BaseModel):
    """The admin's assignment rule (one row): round-robin over the users holding ``assign_position`` or a
    position below it; otherwise (or when nobody holds it) the ``default_owner``."""
    assign_position = peewee.ForeignKeyField(Position, null=True, on_delete="SET NULL", backref="+")
    default_owner = peewee.ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    round_robin_counter = peewee.IntegerField(default=0)
    public_form_enabled = peewee.BooleanField(default=True)
    public_limit = peewee.IntegerField(default=5)            # submissions per address …
    public_window_minutes = peewee.IntegerField(default=60)  # … within this many minutes
    public_global_limit = peewee.IntegerField(default=100)   # submissions from all addresses in that window

    class Meta:
        table_name = "service_settings"

    @classmethod
    def current(cls):
        row = cls.get_or_none(cls.id == 1)
        return row if row is not None else cls(id=1)


class ServiceTarget(BaseModel):
    """Response and resolution targets for one priority, in minutes."""
    priority = peewee.CharField(max_length=10, unique=True)
    response_minutes = peewee.IntegerField()
    resolution_minutes = peewee.IntegerField()

    class Meta:
        table_name = "service_target"


ITEM_MODELS = {"feedback": Feedback, "complaint": Complaint, "case": ServiceCase}
MODELS = [Feedback, Complaint, ServiceCase, ServiceReply, ServiceEvent, ServiceSettings, ServiceTarget]


def class_rows(user_ids):
    """A class's rows (``zhixin_class_rows``): the replies and timelines of the items its users are assigned.
    The items go with core's rule for owned records; the settings (the assignment rule), targets and the public
    form's log are the school's."""
    return [ClassRows(_l("Service replies"), ServiceReply,
                      pointing_at(ServiceReply.item_type, ServiceReply.item_id, ITEM_MODELS, user_ids)),
            ClassRows(_l("Service timeline entries"), ServiceEvent,
                      pointing_at(ServiceEvent.item_type, ServiceEvent.item_id, ITEM_MODELS, user_ids))]
