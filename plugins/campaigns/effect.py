"""Effect follow-up (效果跟踪) of a campaign: the figures, computed in SQL as the viewer.

- members by response status: the campaign's member rows (part of the campaign the viewer can read);
- response rate = members responded or converted ÷ all members;
- leads generated = leads whose source campaign is this one, that the viewer may read;
- opportunities attributed = opportunities whose source campaign is this one (viewer may read);
  won revenue = the sum of their amounts in a won stage;
- cost per lead = actual cost ÷ leads generated ("—" when no leads);
- ROI = (won revenue − actual cost) ÷ actual cost ("—" when the actual cost is 0 or empty);
- mailed = recipients of its mailings whose message was sent; bounced = of those, marked bounced by hand.
"""
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from peewee import fn

from core import access
from core.mail import MailMessage
from core.models import Lead, Opportunity, SalesStage
from plugins.campaigns.models import (RESPONSE_STATUSES, CampaignMailing, CampaignMailingRecipient, CampaignMember,
                                      CampaignSource)

ZERO = Decimal("0.00")


@dataclass
class Effect:
    campaign: object
    members: int = 0
    by_status: dict = field(default_factory=dict)
    leads: int = 0
    opportunities: int = 0
    won_opportunities: int = 0
    won_revenue: Decimal = ZERO
    actual_cost: Decimal = ZERO
    mailed: int = 0       # mailing recipients whose message was sent
    bounced: int = 0      # of those, marked bounced by hand

    @property
    def responded(self):
        return self.by_status.get("responded", 0) + self.by_status.get("converted", 0)

    @property
    def response_rate(self):
        """A fraction (0..1), or None without members."""
        return None if not self.members else Decimal(self.responded) / Decimal(self.members)

    @property
    def cost_per_lead(self):
        if not self.leads:
            return None
        return (self.actual_cost / self.leads).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    @property
    def roi(self):
        """A fraction (1.5 = 150 %), or None when there is no actual cost. Not rounded here: the page and the
        report round it once, to the 0.1 % they show (rounding to 0.01 % first showed 165.6 % for 165.549 %)."""
        if not self.actual_cost:
            return None
        return (self.won_revenue - self.actual_cost) / self.actual_cost


def sourced(model, record_type, campaign_id, user):
    ids = CampaignSource.select(CampaignSource.record_id).where(
        (CampaignSource.record_type == record_type) & (CampaignSource.campaign == campaign_id))
    return access.visible(model.select().where(model.id.in_(ids)), user, record_type)


def compute(campaign, user):
    effect = Effect(campaign, actual_cost=campaign.actual_cost or ZERO)
    rows = (CampaignMember.select(CampaignMember.status, fn.COUNT(CampaignMember.id).alias("n"))
            .where(CampaignMember.campaign == campaign.id).group_by(CampaignMember.status).tuples())
    effect.by_status = {status: 0 for status in RESPONSE_STATUSES}
    for status, n in rows:
        effect.by_status[status] = effect.by_status.get(status, 0) + n
    effect.members = sum(effect.by_status.values())
    effect.leads = sourced(Lead, "lead", campaign.id, user).order_by().count()
    opps = sourced(Opportunity, "opportunity", campaign.id, user)
    effect.opportunities = opps.order_by().count()
    won = opps.join(SalesStage, on=(Opportunity.stage == SalesStage.id)).where(SalesStage.is_won)
    effect.won_opportunities = won.order_by().count()
    total = won.select(fn.SUM(Opportunity.amount)).order_by().scalar()
    effect.won_revenue = Decimal(total).quantize(Decimal("0.01")) if total is not None else ZERO
    sent = (CampaignMailingRecipient.select().join(CampaignMailing)
            .join(MailMessage, on=(CampaignMailingRecipient.message_id == MailMessage.id))
            .where((CampaignMailing.campaign == campaign.id) & (MailMessage.status == "sent")))
    effect.mailed = sent.count()
    effect.bounced = sent.where(CampaignMailingRecipient.bounced).count()
    return effect


def percent(fraction):
    """A fraction as a "12.5 %" string, or "—"."""
    if fraction is None:
        return "—"
    return f"{(Decimal(fraction) * 100).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)} %"
