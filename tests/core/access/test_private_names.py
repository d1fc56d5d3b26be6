"""One policy for the names of linked records a viewer may not read (core.names), from every side.

Opportunities are public read-only, accounts (and so contacts) private: everyone reads the opportunity,
but only the owner, the superiors and the administrator read its account and contact. The others see
"(private record)" — without the name and without a link — in the list, the detail page, the quick
search, the CSV export, the audit timeline and the reports.
"""
import datetime as dt

import pytest

from core.hierarchy.sharing import set_mode
from core.models import Account, Contact, Opportunity, User
from tests.core.access.helpers import SIDES, make_record

SECRET = "Secret4711"
PRIVATE = {"en": "(private record)", "zh": "（私有记录）"}


@pytest.fixture
def linked(school):
    owner = school["owner"]
    account = Account.create(name=f"Account {SECRET}", owner=owner.id, created_by=owner.id)
    contact = Contact.create(first_name="Zoe", last_name=f"Contact {SECRET}", account=account.id,
                             owner=owner.id, created_by=owner.id)
    opportunity = make_record("opportunity", owner, "Visible")
    Opportunity.update(account=account.id, contact=contact.id).where(Opportunity.id == opportunity.id).execute()
    set_mode("opportunity", "read")
    set_mode("account", "private")
    return {"account": account, "contact": contact, "opportunity": opportunity}


def reads_account(side):
    return side in {"owner", "superior", "class_lead", "admin"}


def pages(client, linked):
    opportunity = linked["opportunity"]
    return {
        "list": client.get("/records/opportunity/").get_data(as_text=True),
        "search": client.get("/records/opportunity/?q=Visible").get_data(as_text=True),
        "detail": client.get(f"/records/opportunity/{opportunity.id}").get_data(as_text=True),
        "export": client.get("/records/opportunity/export.csv").get_data(as_text=True),
    }


@pytest.mark.parametrize("language", ["en", "zh"])
def test_a_readable_opportunity_names_its_private_account_and_contact_only_to_who_may_read_them(
        school, clients, linked, language):
    User.update(language=language).execute()
    account_url = f"/records/account/{linked['account'].id}"
    wrong = []
    for side in SIDES:
        for where, text in pages(clients[side], linked).items():
            if "Opportunity Visible" not in text:
                wrong.append((side, where, "opportunity missing"))
            if (SECRET in text) != reads_account(side):
                wrong.append((side, where, "secret shown" if SECRET in text else "name missing"))
            if (PRIVATE[language] in text) == reads_account(side):
                wrong.append((side, where, "private label"))
            if where != "export" and (account_url in text) != reads_account(side):
                wrong.append((side, where, "account link"))
    assert wrong == []


def test_the_audit_timeline_does_not_name_a_private_account(school, clients, linked):
    opportunity, other = linked["opportunity"], make_record("account", school["owner"], "Other")
    owner_client = clients["owner"]
    page = owner_client.get(f"/records/opportunity/{opportunity.id}/edit").get_data(as_text=True)
    assert "Account Secret4711" in page
    set_mode("opportunity", "readwrite")
    form = {"name": "Opportunity Visible", "close_date": "2026-06-30", "stage": str(opportunity.stage_id),
            "type": "", "account": str(other.id), "contact": "", "amount": "100",
            "probability": str(opportunity.probability)}
    assert owner_client.post(f"/records/opportunity/{opportunity.id}/edit", data=form).status_code == 302
    for side in SIDES:
        text = clients[side].get(f"/records/opportunity/{opportunity.id}").get_data(as_text=True)
        assert (SECRET in text) == reads_account(side), side


def test_reports_use_the_same_label_for_a_private_account(app, school, linked):
    from plugins.reports.engine import visible_names
    account = linked["account"]
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert visible_names(school["peer"], "account", [account.id]) == {account.id: PRIVATE["en"]}
        assert visible_names(school["owner"], "account", [account.id]) == {account.id: account.name}


def test_service_and_calendar_pages_name_a_private_account_only_to_who_may_read_it(school, clients, linked):
    from plugins.calendar.models import CalendarEvent
    from plugins.service.models import Complaint
    owner, account = school["owner"], linked["account"]
    set_mode("service", "read")
    set_mode("calendar", "read")
    complaint = Complaint.create(subject="Broken pump", owner=owner.id, created_by=owner.id, account=account.id,
                                 status="assigned")
    event = CalendarEvent.create(subject="Visit", start=dt.datetime(2026, 3, 10, 1, 0), owner=owner.id,
                                 end=dt.datetime(2026, 3, 10, 2, 0), uid="visit@test", created_by=owner.id,
                                 related_type="account", related_id=account.id)
    wrong = []
    for side in SIDES:
        for url in (f"/service/complaint/{complaint.id}", f"/calendar/events/{event.id}"):
            text = clients[side].get(url).get_data(as_text=True)
            if (SECRET in text) != reads_account(side) or (PRIVATE["en"] in text) == reads_account(side):
                wrong.append((side, url))
    assert wrong == []


def test_a_campaign_names_a_private_member_only_to_who_may_read_it(school, clients, linked):
    from plugins.campaigns.models import Campaign, CampaignMember
    owner = school["owner"]
    set_mode("campaign", "read")
    campaign = Campaign.create(name="Spring fair", owner=owner.id, created_by=owner.id)
    CampaignMember.create(campaign=campaign.id, member_type="account", member_id=linked["account"].id)
    wrong = []
    for side in SIDES:
        text = clients[side].get(f"/campaigns/{campaign.id}").get_data(as_text=True)
        if (SECRET in text) != reads_account(side) or (PRIVATE["en"] in text) == reads_account(side):
            wrong.append(side)
    assert wrong == []
