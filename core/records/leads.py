"""Lead conversion (线索转换): one transaction makes the account (or uses a visible one), the contact and
optionally an opportunity, and marks the lead converted with links to them. A second conversion is refused."""

from core import clock
from core.babel import gettext as _
from core.db import db
from core.models import Account, Contact, Lead, Opportunity, SalesStage
from core.records import RecordError, service


def convert(lead, user, account=None, account_name="", opportunity=None):
    """``account``: an existing Account the user may see, or None to create one named ``account_name``.
    ``opportunity``: None, or a dict with name, close_date, stage (id), amount. Returns (account, contact,
    opportunity or None). Raises RecordError when the lead is converted already."""
    with db.atomic():
        fresh = Lead.get_by_id(lead.id)
        before = service.field_values(fresh)
        now = clock.utcnow()
        # claim the lead first: of two simultaneous conversions only one updates the row
        claimed = (Lead.update(converted_at=now)
                   .where((Lead.id == lead.id) & Lead.converted_at.is_null()).execute())
        if not claimed:
            done = Lead.get_by_id(lead.id).converted_at
            raise RecordError(_("This lead was converted already on %(date)s.", date=done.date()))
        if account is None:
            account = Account(name=(account_name or lead.company or lead.name).strip(),
                              industry=lead.industry or "", phone=lead.phone or "",
                              annual_revenue=lead.annual_revenue, owner=fresh.owner_id,
                              description=lead.description or "")
            service.save("account", account, user)
        contact = Contact(first_name=lead.first_name, last_name=lead.last_name, account=account.id,
                          title=lead.title, phone=lead.phone, email=lead.email, lead_source=lead.source,
                          owner=fresh.owner_id)
        service.save("contact", contact, user)
        opp = None
        if opportunity:
            stage = opportunity.get("stage") or SalesStage.select().order_by(SalesStage.order).first().id
            opp = Opportunity(name=opportunity["name"], account=account.id, contact=contact.id,
                              amount=opportunity.get("amount"), close_date=opportunity["close_date"],
                              stage=stage, probability=None, lead_source=lead.source, owner=fresh.owner_id)
            service.save("opportunity", opp, user)
        fresh.status = "converted"
        fresh.converted_at = now
        fresh.converted_account = account.id
        fresh.converted_contact = contact.id
        fresh.converted_opportunity = opp.id if opp else None
        service.save("lead", fresh, user, before, check=False)
    return account, contact, opp
