"""Campaign tables (市场活动): campaigns, their members, their tasks (事件任务) and the source-campaign links
of leads and opportunities. Every table carries the plugin's prefix ``campaigns_``."""
import peewee

from core import clock
from core.babel import lazy_gettext as _l
from core.db import BaseModel
from core.extension import ClassRows
from core.models import Account, Contact, Lead, MoneyField, Opportunity, Position, Record, User, list_sort_indexes
from core.records.classrows import pointing_at

CAMPAIGN_TYPES = ("email", "telemarketing", "trade_show", "webinar", "advertisement", "direct_mail", "other")
CAMPAIGN_STATUSES = ("planned", "active", "completed", "cancelled")
MEMBER_TYPES = ("lead", "contact", "account")
RESPONSE_STATUSES = ("planned", "sent", "responded", "converted")
TASK_STATUSES = ("open", "in_progress", "done", "cancelled")
OPEN_TASK_STATUSES = ("open", "in_progress")
CLOSED_TASK_STATUSES = ("done", "cancelled")
TASK_PRIORITIES = ("high", "normal", "low")
SOURCE_TYPES = ("lead", "opportunity")


class Campaign(Record):
    """Campaign (市场活动). ``reminder_days`` empty = the organisation's default; 0 = no reminders."""
    name = peewee.CharField(max_length=200, index=True)
    type = peewee.CharField(max_length=30, default="email")
    status = peewee.CharField(max_length=20, default="planned", index=True)
    start_date = peewee.DateField(null=True)
    end_date = peewee.DateField(null=True, index=True)
    budget = MoneyField(null=True)
    expected_cost = MoneyField(null=True)
    actual_cost = MoneyField(null=True)
    expected_response = peewee.IntegerField(null=True)   # per cent of members expected to respond
    expected_revenue = MoneyField(null=True)
    target_audience = peewee.CharField(max_length=300, default="")
    description = peewee.TextField(default="")
    reminder_days = peewee.IntegerField(null=True)

    class Meta:
        table_name = "campaigns_campaign"
        indexes = list_sort_indexes("modified_at", "name", "type", "status")  # the list's default order and columns


class CampaignMember(BaseModel):
    """A lead, contact or account that a campaign addresses, with its response status."""
    campaign = peewee.ForeignKeyField(Campaign, backref="members", on_delete="CASCADE")
    member_type = peewee.CharField(max_length=20)
    member_id = peewee.IntegerField()
    status = peewee.CharField(max_length=20, default="planned", index=True)
    added_by = peewee.ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    added_at = peewee.DateTimeField(default=clock.utcnow)
    lead_id = peewee.IntegerField(null=True)   # the lead this member became ("converted")

    class Meta:
        table_name = "campaigns_member"
        indexes = ((("campaign", "member_type", "member_id"), True), (("member_type", "member_id"), False))


class CampaignTask(Record):
    """Campaign task (事件任务). Its ``owner`` is the assigned user (负责人)."""
    campaign = peewee.ForeignKeyField(Campaign, backref="tasks", on_delete="CASCADE", index=True)
    subject = peewee.CharField(max_length=200)
    due_at = peewee.DateTimeField(index=True)          # naive UTC
    priority = peewee.CharField(max_length=10, default="normal")
    status = peewee.CharField(max_length=20, default="open", index=True)
    description = peewee.TextField(default="")
    completion_note = peewee.TextField(default="")
    completed_at = peewee.DateTimeField(null=True)

    class Meta:
        table_name = "campaigns_task"
        indexes = list_sort_indexes("due_at", "subject", "status", "priority")

    @property
    def is_open(self):
        return self.status in OPEN_TASK_STATUSES

    def is_overdue(self, now=None):
        return self.is_open and self.due_at < (now or clock.utcnow())


class CampaignSource(BaseModel):
    """The source campaign (来源市场活动) of a lead or an opportunity — kept here so core knows nothing of it."""
    record_type = peewee.CharField(max_length=20)
    record_id = peewee.IntegerField()
    campaign = peewee.ForeignKeyField(Campaign, backref="sources", on_delete="CASCADE")

    class Meta:
        table_name = "campaigns_source"
        indexes = ((("record_type", "record_id"), True), (("campaign", "record_type"), False))


MAILING_STATUSES = ("draft", "scheduled", "sending", "done")


class CampaignMailing(BaseModel):
    """A mailing (群发邮件) of a campaign to its contact and lead members, sent through core.mail.

    ``status``: draft → scheduled (``send_at``, real UTC) → sending (the job queues one message per member) →
    done. ``link_base`` is the unsubscribe address with ``{token}`` for each recipient's signed token, taken
    from the request that scheduled it (a job has no host name of its own)."""
    campaign = peewee.ForeignKeyField(Campaign, backref="mailings", on_delete="CASCADE")
    subject = peewee.CharField(max_length=300)
    body = peewee.TextField(default="")
    status = peewee.CharField(max_length=12, default="draft", index=True)
    send_at = peewee.DateTimeField(null=True)
    link_base = peewee.CharField(max_length=500, default="")
    created_by = peewee.ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    created_at = peewee.DateTimeField(default=clock.real_utcnow)
    finished_at = peewee.DateTimeField(null=True)

    class Meta:
        table_name = "campaigns_mailing"


class CampaignMailingRecipient(BaseModel):
    """One member of a mailing, claimed once (unique per mailing and member): ``status`` queued (its message is
    ``message_id``, a core.mail message) or skipped (unsubscribed, no_address, no_access); ``bounced`` is set by
    hand."""
    mailing = peewee.ForeignKeyField(CampaignMailing, backref="recipients", on_delete="CASCADE")
    member_type = peewee.CharField(max_length=20)
    member_id = peewee.IntegerField()
    address = peewee.CharField(max_length=254, default="")
    status = peewee.CharField(max_length=20, default="queued")
    message_id = peewee.IntegerField(null=True)     # core.mail's MailMessage id (another component's table)
    bounced = peewee.BooleanField(default=False)

    class Meta:
        table_name = "campaigns_mailing_recipient"
        indexes = ((("mailing", "member_type", "member_id"), True),)


class CampaignUnsubscribe(BaseModel):
    """A contact or lead who asked for no more campaign mailings (退订), through the signed link of one."""
    member_type = peewee.CharField(max_length=20)
    member_id = peewee.IntegerField()
    at = peewee.DateTimeField(default=clock.real_utcnow)

    class Meta:
        table_name = "campaigns_unsubscribe"
        indexes = ((("member_type", "member_id"), True),)



# The lead fields a web form may ask for (web-to-lead), in the order the form shows them. ``last_name`` is
# always asked and required: a lead has no other name.
WEB_FORM_FIELDS = ("first_name", "last_name", "company", "title", "email", "phone", "industry", "description")
ASSIGN_RULES = ("user", "position")


class CampaignWebForm(BaseModel):
    """A campaign's public web-to-lead form (网页表单): at ``/w/<token>`` while ``enabled`` and the campaign is
    active. ``fields`` and ``required`` are space-separated names of WEB_FORM_FIELDS. A submission becomes a
    lead owned by ``assign_user`` (rule "user"), or by the active users holding ``assign_position`` or a
    position below it in turn (rule "position", ``round_robin_counter``); the campaign's owner when the rule
    finds nobody. The ceilings are core.publicforms': posts per address and per form in the window."""
    campaign = peewee.ForeignKeyField(Campaign, unique=True, backref="+", on_delete="CASCADE")
    token = peewee.CharField(max_length=64, unique=True)
    enabled = peewee.BooleanField(default=False)
    fields = peewee.CharField(max_length=300, default="first_name last_name company email phone")
    required = peewee.CharField(max_length=300, default="last_name email")
    thank_you = peewee.TextField(default="")
    assign_rule = peewee.CharField(max_length=20, default="user")
    assign_user = peewee.ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    assign_position = peewee.ForeignKeyField(Position, null=True, on_delete="SET NULL", backref="+")
    round_robin_counter = peewee.IntegerField(default=0)
    per_address_limit = peewee.IntegerField(default=5)
    window_minutes = peewee.IntegerField(default=60)
    per_form_limit = peewee.IntegerField(default=100)

    class Meta:
        table_name = "campaigns_web_form"

    @property
    def field_names(self):
        chosen = set(self.fields.split()) | {"last_name"}
        return [name for name in WEB_FORM_FIELDS if name in chosen]

    @property
    def required_names(self):
        return (set(self.required.split()) & set(self.field_names)) | {"last_name"}



MODELS = [Campaign, CampaignMember, CampaignTask, CampaignSource, CampaignMailing, CampaignMailingRecipient,
          CampaignUnsubscribe, CampaignWebForm]


def class_rows(user_ids):
    """A class's rows (``zhixin_class_rows``): its campaigns' sources, members and tasks, its users' tasks, and
    the sources and members that are its leads, opportunities, contacts or accounts. The campaigns themselves
    go with core's rule for owned records."""
    campaigns = Campaign.select(Campaign.id).where(Campaign.owner.in_(user_ids))
    return [
        ClassRows(_l("Campaign sources"), CampaignSource, CampaignSource.campaign.in_(campaigns) | pointing_at(
            CampaignSource.record_type, CampaignSource.record_id, {"lead": Lead, "opportunity": Opportunity},
            user_ids)),
        ClassRows(_l("Campaign members"), CampaignMember, CampaignMember.campaign.in_(campaigns) | pointing_at(
            CampaignMember.member_type, CampaignMember.member_id, {"lead": Lead, "contact": Contact,
                                                                   "account": Account}, user_ids)),
        ClassRows(_l("Mailing recipients"), CampaignMailingRecipient, CampaignMailingRecipient.mailing.in_(
            CampaignMailing.select(CampaignMailing.id).where(CampaignMailing.campaign.in_(campaigns))) | pointing_at(
            CampaignMailingRecipient.member_type, CampaignMailingRecipient.member_id,
            {"lead": Lead, "contact": Contact}, user_ids)),
        ClassRows(_l("Mailings"), CampaignMailing, CampaignMailing.campaign.in_(campaigns)),
        ClassRows(_l("Unsubscribes"), CampaignUnsubscribe, pointing_at(
            CampaignUnsubscribe.member_type, CampaignUnsubscribe.member_id, {"lead": Lead, "contact": Contact},
            user_ids)),
        ClassRows(_l("Campaign tasks"), CampaignTask,
                  CampaignTask.owner.in_(user_ids) | CampaignTask.campaign.in_(campaigns)),
        ClassRows(_l("Campaign web forms"), CampaignWebForm, CampaignWebForm.campaign.in_(campaigns)),
    ]
