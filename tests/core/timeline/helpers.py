"""One item of every timeline source around one account (written apart from core.timeline)."""
import datetime as dt

from core import clock
from core.mail.models import MailMessage
from core.models import Account, Contact, Document, Opportunity, OpportunityStageHistory, SalesStage
from plugins.calendar.models import CalendarEvent, CalendarTask
from plugins.campaigns.models import Campaign, CampaignMember
from plugins.sales.models import Invoice, Quote, SalesOrder
from plugins.service.models import Complaint, Feedback, ServiceCase

START = dt.datetime(2026, 3, 2, 1, 0)


def _stamp(owner):
    return {"owner": owner.id, "created_by": owner.id, "modified_by": owner.id}


def world(owner, account=None, at=START, tag=""):
    """An account (or ``account``) with a contact and an opportunity of ``owner``, and one item of every source
    about them, all owned by ``owner``, one minute apart from ``at``. Returns {kind: item id}."""
    times = iter(at + dt.timedelta(minutes=i) for i in range(100))

    def when():
        moment = next(times)
        clock.freeze(moment)
        return moment

    when()
    account = account or Account.create(name=f"Account{tag}", **_stamp(owner))
    items = {"account_created": account.id}
    when()
    contact = Contact.create(last_name=f"Contact{tag}", account=account.id, **_stamp(owner))
    items["contact_created"] = contact.id
    when()
    stage = SalesStage.select().order_by(SalesStage.order).first()
    opp = Opportunity.create(name=f"Opp{tag}", account=account.id, stage=stage, close_date=dt.date(2026, 6, 30),
                             **_stamp(owner))
    items["opportunity_created"] = opp.id
    items["stage_change"] = OpportunityStageHistory.create(opportunity=opp.id, stage=stage, changed_at=when()).id
    when()
    items["document"] = Document.create(title=f"Doc{tag}", related_type="contact", related_id=contact.id,
                                        **_stamp(owner)).id
    items["calendar_event"] = CalendarEvent.create(subject=f"Meeting{tag}", start=when(),
                                                   end=at + dt.timedelta(hours=5), related_type="opportunity",
                                                   related_id=opp.id, **_stamp(owner)).id
    when()
    items["calendar_task"] = CalendarTask.create(subject=f"Call back{tag}", due_date=dt.date(2026, 3, 3),
                                                 status="completed", related_type="account", related_id=account.id,
                                                 **_stamp(owner)).id
    for kind, model in (("feedback", Feedback), ("complaint", Complaint), ("case", ServiceCase)):
        items[f"service_{kind}"] = model.create(subject=f"{kind}{tag}", contact=contact.id, received_at=when(),
                                                **_stamp(owner)).id
    for kind, model in (("quote", Quote), ("sales_order", SalesOrder), ("invoice", Invoice)):
        when()
        items[f"sales_{kind}"] = model.create(number=f"{kind}{tag}-{account.id}", account=account.id,
                                              opportunity=opp.id, **_stamp(owner)).id
    items["mail"] = MailMessage.create(record_type="contact", record_id=contact.id, to_address="c@example.com",
                                       subject=f"Hello{tag}", sender=owner.id, created_at=when(),
                                       message_id=f"<{contact.id}.{tag}@timeline.test>").id
    campaign = Campaign.create(name=f"Campaign{tag}", **_stamp(owner))
    items["campaign_member"] = CampaignMember.create(campaign=campaign.id, member_type="contact",
                                                     member_id=contact.id, added_at=when()).id
    clock.freeze(None)
    return account, items


PLUGIN_OF = {"mail": "core", "calendar_event": "calendar", "calendar_task": "calendar", "service_feedback": "service",
             "service_complaint": "service", "service_case": "service", "sales_quote": "sales",
             "sales_sales_order": "sales", "sales_invoice": "sales", "campaign_member": "campaigns"}
