"""Saving an edit form unchanged changes nothing, and sharing never hands over ownership.

Each edit page is opened as a browser would, every field posted back exactly as shown (the selected option of
each select, the first one when none is selected), and the stored row compared before and after — as the
owner, the two superiors, a same-position peer writing through the sharing mode and the administrator. The
records link to a private account and contact the peer may not read.
"""
import datetime as dt
import re
from html.parser import HTMLParser

import pytest

from core.hierarchy.sharing import set_mode
from core.models import Account, Contact, Document, Opportunity
from tests.core.access.helpers import SIDES, make_record

EDITORS = ("owner", "superior", "class_lead", "peer", "admin")
STAMPS = {"modified_at", "modified_by"}


class _Forms(HTMLParser):
    """The POST forms of a page as {field: value}, as a browser would submit them."""

    def __init__(self):
        super().__init__()
        self.forms, self._form, self._select, self._textarea = [], None, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self._form = {}
            self.forms.append(self._form)
        if self._form is None or "disabled" in a:
            return
        if tag == "input" and a.get("name") and a.get("type") not in ("submit", "file", "button"):
            if a.get("type") in ("checkbox", "radio"):
                if "checked" in a:
                    self._form[a["name"]] = a.get("value", "y")
            else:
                self._form[a["name"]] = a.get("value", "")
        elif tag == "select" and a.get("name"):
            self._select = [a["name"], None, [], "multiple" in a]
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            if self._select[1] is None:
                self._select[1] = value
            if "selected" in a:
                self._select[2].append(value)
        elif tag == "textarea" and a.get("name"):
            self._textarea = a["name"]
            self._form[a["name"]] = ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select is not None:
            name, first, chosen, multiple = self._select
            if multiple:
                if chosen:
                    self._form[name] = chosen
            else:
                self._form[name] = chosen[-1] if chosen else (first or "")
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea is not None and self._form is not None:
            first = not self._form[self._textarea]      # a browser drops the newline after <textarea>
            self._form[self._textarea] += data.removeprefix("\r\n").removeprefix("\n") if first else data


def shown_form(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    parser = _Forms()
    parser.feed(response.get_data(as_text=True))
    return max(parser.forms, key=len)


def stored(record):
    row = type(record).get_by_id(record.id)
    return {k: v for k, v in row.__data__.items() if k not in STAMPS}


def errors_on(page):
    return re.findall(r'class="[^"]*error[^"]*"[^>]*>([^<]*)<', page)


def save_unchanged(client, url, record):
    before = stored(record)
    response = client.post(url, data=shown_form(client, url))
    assert response.status_code == 302, (url, response.status_code, errors_on(response.get_data(as_text=True)))
    return before, stored(record)


@pytest.fixture
def linked(school):
    owner = school["owner"]
    account = Account.create(name="Private Account", owner=owner.id, created_by=owner.id)
    contact = Contact.create(first_name="Zoe", last_name="Private", account=account.id, owner=owner.id,
                             created_by=owner.id)
    return account, contact


def core_records(school, linked):
    account, contact = linked
    owner = school["owner"]
    opportunity = make_record("opportunity", owner, "Linked")
    Opportunity.update(account=account.id, contact=contact.id, description="Line one\nLine two",
                       next_step="Call").where(Opportunity.id == opportunity.id).execute()
    document = make_record("document", owner, "Linked")
    Document.update(related_type="account", related_id=account.id).where(Document.id == document.id).execute()
    records = {t: make_record(t, owner, "Plain") for t in ("account", "contact", "lead", "competitor")}
    Contact.update(account=account.id).where(Contact.id == records["contact"].id).execute()
    return dict(records, opportunity=opportunity, document=document)


@pytest.mark.parametrize("side", EDITORS)
def test_saving_every_core_edit_form_unchanged_keeps_the_stored_row(school, clients, linked, side):
    for family in ("account", "lead", "opportunity", "document", "competitor"):
        set_mode(family, "readwrite")
    set_mode("account", "readwrite" if side != "peer" else "private")
    records = core_records(school, linked)
    if side == "peer":      # the peer writes the opportunity and the document, not the private account
        records = {t: records[t] for t in ("lead", "opportunity", "document", "competitor")}
    changed = {}
    for type_name, record in records.items():
        before, after = save_unchanged(clients[side], f"/records/{type_name}/{record.id}/edit", record)
        if before != after:
            changed[type_name] = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
    assert changed == {}


def test_a_peer_cannot_change_a_link_to_a_record_they_may_not_read(school, clients, linked):
    set_mode("opportunity", "readwrite")
    set_mode("account", "private")
    account, contact = linked
    opportunity = core_records(school, linked)["opportunity"]
    url = f"/records/opportunity/{opportunity.id}/edit"
    page = clients["peer"].get(url).get_data(as_text=True)
    assert "Private Account" not in page and "(private record)" in page
    form = dict(shown_form(clients["peer"], url), account="")
    assert clients["peer"].post(url, data=form).status_code == 400
    assert Opportunity.get_by_id(opportunity.id).account_id == account.id


def test_a_peer_cannot_relink_a_document_to_an_account_they_may_not_read(school, clients, linked):
    set_mode("document", "readwrite")
    set_mode("account", "private")
    document = make_record("document", school["peer"], "Peer's")
    url = f"/records/document/{document.id}/edit"
    form = dict(shown_form(clients["peer"], url), related_type="account", related_id=str(linked[0].id))
    assert clients["peer"].post(url, data=form).status_code == 400
    assert Document.get_by_id(document.id).related_id is None


@pytest.mark.parametrize("side", EDITORS)
def test_saving_a_campaign_and_its_task_unchanged_keeps_owner_and_campaign(app, school, clients, side):
    from plugins.campaigns.models import Campaign, CampaignTask
    owner = school["owner"]
    for family in ("campaign", "campaign_task"):
        set_mode(family, "readwrite")
    campaign = Campaign.create(name="Spring fair", owner=owner.id, created_by=owner.id,
                               start_date=dt.date(2026, 3, 1), end_date=dt.date(2026, 3, 31))
    task = CampaignTask.create(campaign=campaign.id, subject="Print flyers", owner=owner.id, created_by=owner.id,
                               due_at=dt.datetime(2026, 3, 10, 9, 0))
    for url, record in ((f"/campaigns/{campaign.id}/edit", campaign), (f"/campaigns/tasks/{task.id}/edit", task)):
        before, after = save_unchanged(clients[side], url, record)
        assert before == after, (side, url)


TAKEOVER = {"owner": False, "superior": True, "class_lead": True, "peer": False, "subordinate": False,
            "outsider": False, "admin": True}


@pytest.mark.parametrize("side", SIDES)
def test_only_the_owner_or_a_superior_reassigns_an_opportunity_even_when_it_is_public_readwrite(
        school, clients, side):
    set_mode("opportunity", "readwrite")
    opportunity = make_record("opportunity", school["owner"], "Colleague's")
    taker = school[side]
    clients[side].post("/records/opportunity/reassign", data={"ids": [str(opportunity.id)], "owner": str(taker.id)})
    now = Opportunity.get_by_id(opportunity.id).owner_id
    assert (now == taker.id) == (TAKEOVER[side] or side == "owner"), side
    if side in ("peer", "subordinate", "outsider"):
        assert clients[side].post(f"/records/opportunity/{opportunity.id}/delete").status_code == 403
        assert Opportunity.select().where(Opportunity.id == opportunity.id).exists()


@pytest.mark.parametrize("side", EDITORS)
def test_saving_a_service_item_unchanged_keeps_its_owner_and_private_links(school, clients, linked, side):
    from plugins.service.models import Complaint
    account, contact = linked
    owner = school["owner"]
    set_mode("service", "readwrite")
    set_mode("account", "readwrite" if side != "peer" else "private")
    complaint = Complaint.create(subject="Broken pump", owner=owner.id, created_by=owner.id, account=account.id,
                                 contact=contact.id, status="assigned")
    for url in (f"/service/complaint/{complaint.id}/edit", f"/records/complaint/{complaint.id}/edit"):
        before, after = save_unchanged(clients[side], url, complaint)
        assert {k: (v, after[k]) for k, v in before.items() if after[k] != v} == {}, url


@pytest.mark.parametrize("side", ("peer", "subordinate", "outsider"))
def test_a_sharing_mode_writer_cannot_take_a_service_item_over(school, clients, side):
    from plugins.service.models import Complaint
    set_mode("service", "readwrite")
    complaint = Complaint.create(subject="Broken pump", owner=school["owner"].id, created_by=school["owner"].id,
                                 status="assigned")
    taker = school[side]
    assert clients[side].post(f"/service/complaint/{complaint.id}/assign",
                              data={"owner": str(taker.id)}).status_code == 403
    form = dict(shown_form(clients[side], f"/service/complaint/{complaint.id}/edit"), owner=str(taker.id))
    assert clients[side].post(f"/service/complaint/{complaint.id}/edit", data=form).status_code == 403
    assert Complaint.get_by_id(complaint.id).owner_id == school["owner"].id


@pytest.mark.parametrize("side", EDITORS)
def test_saving_a_calendar_event_and_task_unchanged_keeps_owner_and_private_link(school, clients, linked, side):
    from plugins.calendar.models import CalendarEvent, CalendarTask
    account = linked[0]
    owner = school["owner"]
    set_mode("calendar", "readwrite")
    set_mode("account", "readwrite" if side != "peer" else "private")
    common = dict(owner=owner.id, created_by=owner.id, related_type="account", related_id=account.id)
    event = CalendarEvent.create(subject="Visit", start=dt.datetime(2026, 3, 10, 1, 0),
                                 end=dt.datetime(2026, 3, 10, 2, 0), uid="visit@test", **common)
    task = CalendarTask.create(subject="Call back", due_date=dt.date(2026, 3, 11), uid="call@test", **common)
    for url, record in ((f"/calendar/events/{event.id}/edit", event), (f"/calendar/tasks/{task.id}/edit", task)):
        before, after = save_unchanged(clients[side], url, record)
        assert {k: (v, after[k]) for k, v in before.items() if after[k] != v} == {}, (side, url)


def test_a_sharing_mode_writer_cannot_take_a_calendar_task_over(school, clients):
    from plugins.calendar.models import CalendarTask
    set_mode("calendar", "readwrite")
    owner = school["owner"]
    task = CalendarTask.create(subject="Call back", due_date=dt.date(2026, 3, 11), owner=owner.id,
                               created_by=owner.id, uid="call@test")
    url = f"/calendar/tasks/{task.id}/edit"
    form = dict(shown_form(clients["peer"], url), owner=str(school["peer"].id))
    page = clients["peer"].post(url, data=form).get_data(as_text=True)
    assert "Only the owner or a superior may give this record to someone else." in page
    assert CalendarTask.get_by_id(task.id).owner_id == owner.id
