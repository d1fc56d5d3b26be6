"""Merging two accounts, contacts or leads through HTTP (core.records.merge): every related row of core and of
each bundled plugin (zhixin_record_merging) moves to the survivor, counted before and after; the chosen field
values; the audit entries; a failure anywhere rolls all of it back; who may merge, from every side and in every
sharing mode; the pages in Chinese."""
import datetime as dt
import json

import pytest

from core.models import Account, AuditEntry, Contact, Document, Lead
from plugins.calendar.models import CalendarEvent, CalendarInvitee, CalendarTask
from plugins.campaigns.models import Campaign, CampaignMember, CampaignSource
from plugins.sales.models import Invoice, Quote, SalesOrder
from plugins.service.models import Complaint, Feedback, ServiceCase
from tests.conftest import BUNDLED
from tests.core.records import refuse_plugin
from tests.core.access.helpers import MODE_ALLOWS, expected, sides_of
from tests.core.records.conftest import make_account, make_opportunity, set_sharing

START = dt.datetime(2026, 5, 20, 2, 0)


def _own(user):
    return {"owner": user.id, "created_by": user.id, "modified_by": user.id}


def _merge(client, type_name, survivor, other, **keep):
    data = {"other": str(other.id)}
    data.update({f"keep_{k}": v for k, v in keep.items()})
    return client.post(f"/records/{type_name}/{survivor.id}/merge", data=data)


def _count(model, **where):
    return model.select().where(*[getattr(model, k) == v for k, v in where.items()]).count()


def _related_rows(user, type_name, record, n):
    """``n`` rows of each plugin's that refer to ``record``."""
    campaign = Campaign.create(name=f"Campaign {record.id}-{n}", **_own(user))
    for i in range(n):
        CalendarEvent.create(subject=f"Meet {i}", start=START, end=START + dt.timedelta(hours=1),
                             related_type=type_name, related_id=record.id, **_own(user))
        CalendarTask.create(subject=f"Call {i}", due_date=START.date(), related_type=type_name, related_id=record.id,
                            **_own(user))
    CampaignMember.create(campaign=campaign, member_type=type_name, member_id=record.id)
    if type_name in ("account", "contact"):
        for i, model in enumerate((Quote, SalesOrder, Invoice)):
            for j in range(n):
                model.create(number=f"{model.__name__}-{record.id}-{j}", **{type_name: record.id}, **_own(user))
        for model in (Feedback, Complaint, ServiceCase):
            for j in range(n):
                model.create(subject=f"Issue {j}", **{type_name: record.id}, **_own(user))
    return campaign


def _plugin_counts(type_name, record):
    out = {"events": _count(CalendarEvent, related_type=type_name, related_id=record.id),
           "tasks": _count(CalendarTask, related_type=type_name, related_id=record.id),
           "members": _count(CampaignMember, member_type=type_name, member_id=record.id)}
    if type_name in ("account", "contact"):
        for model in (Quote, SalesOrder, Invoice, Feedback, Complaint, ServiceCase):
            out[model.__name__] = _count(model, **{type_name: record.id})
    return out


def test_merging_accounts_moves_the_rows_of_core_and_of_every_plugin_to_the_survivor(school, as_user):
    owner = school["owner"]
    keep = make_account(owner, name="华东机械", phone="021-1234 5678")
    drop = make_account(owner, name="华东机械有限公司", email="hd@x.cn", website="https://hd.cn")
    for record, n in ((keep, 1), (drop, 2)):
        Contact.create(last_name=f"联系人{record.id}", account=record, **_own(owner))
        make_opportunity(owner, name=f"项目{record.id}", account=record)
        make_account(owner, name=f"子公司{record.id}", parent=record)
        Lead.create(last_name=f"线索{record.id}", converted_account=record, **_own(owner))
        Document.create(title=f"合同{record.id}", related_type="account", related_id=record.id, **_own(owner))
        _related_rows(owner, "account", record, n)
    shared = Campaign.create(name="Both", **_own(owner))        # both are members: the survivor's stays
    CampaignMember.create(campaign=shared, member_type="account", member_id=keep.id)
    CampaignMember.create(campaign=shared, member_type="account", member_id=drop.id)
    before_keep, before_drop = _plugin_counts("account", keep), _plugin_counts("account", drop)
    assert before_drop["Quote"] == 2 and before_drop["members"] == 2 and before_drop["events"] == 2

    r = _merge(as_user(owner), "account", keep, drop, email="other")
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/records/account/{keep.id}")
    assert not Account.select().where(Account.id == drop.id).exists()
    after = _plugin_counts("account", keep)
    for key, count in before_keep.items():
        expect = count + before_drop[key] - (1 if key == "members" else 0)
        assert after[key] == expect, key
    assert _plugin_counts("account", drop) == {k: 0 for k in before_drop}
    assert _count(Contact, account=keep.id) == 2 and _count(Account, parent=keep.id) == 2
    assert _count(Lead, converted_account=keep.id) == 2
    assert _count(Document, related_type="account", related_id=keep.id) == 2
    from core.models import Opportunity
    assert _count(Opportunity, account=keep.id) == 2
    survivor = Account.get_by_id(keep.id)
    assert survivor.email == "hd@x.cn"                      # chosen from the other
    assert survivor.phone == "021-1234 5678"                # kept
    assert survivor.website == "https://hd.cn"              # an empty field filled from the other
    assert survivor.name == "华东机械"

    entries = {(e.record_id, e.action): json.loads(e.changes) for e in
               AuditEntry.select().where(AuditEntry.record_type == "account")}
    merged = entries[(keep.id, "merge")]
    assert merged["merged"] == [f"华东机械有限公司 (#{drop.id})", f"华东机械 (#{keep.id})"]
    assert "Contacts 1" in merged["moved"][1] and "Quotes 2" in merged["moved"][1]
    assert entries[(drop.id, "merge")] == merged and (drop.id, "delete") in entries
    assert entries[(keep.id, "update")]["email"] == ["", "hd@x.cn"]
    page = as_user(owner).get(f"/records/account/{keep.id}").get_data(as_text=True)
    assert "Merged two records" in page


def test_merging_contacts_moves_opportunities_reports_invitations_and_plugin_rows(school, as_user):
    owner = school["owner"]
    keep = Contact.create(last_name="王", first_name="芳", **_own(owner))
    drop = Contact.create(last_name="王", first_name="芳", mobile="13800138000", **_own(owner))
    _related_rows(owner, "contact", drop, 1)
    make_opportunity(owner, contact=drop)
    report = Contact.create(last_name="下属", reports_to=drop, **_own(owner))
    Lead.create(last_name="线索", converted_contact=drop, **_own(owner))
    both = CalendarEvent.create(subject="Both", start=START, end=START, **_own(owner))
    alone = CalendarEvent.create(subject="Alone", start=START, end=START, **_own(owner))
    CalendarInvitee.create(event=both, contact=keep)
    CalendarInvitee.create(event=both, contact=drop)
    CalendarInvitee.create(event=alone, contact=drop)
    assert _merge(as_user(owner), "contact", keep, drop).status_code == 302
    assert _plugin_counts("contact", keep) == {"events": 1, "tasks": 1, "members": 1, "Quote": 1, "SalesOrder": 1,
                                              "Invoice": 1, "Feedback": 1, "Complaint": 1, "ServiceCase": 1}
    from core.models import Opportunity
    assert _count(Opportunity, contact=keep.id) == 1 and Contact.get_by_id(report.id).reports_to_id == keep.id
    assert _count(Lead, converted_contact=keep.id) == 1
    assert sorted((i.event_id, i.contact_id) for i in CalendarInvitee.select()) == [(both.id, keep.id),
                                                                                   (alone.id, keep.id)]
    assert Contact.get_by_id(keep.id).mobile == "13800138000"


def test_merging_leads_moves_documents_tasks_members_and_the_source_campaign(school, as_user):
    owner = school["owner"]
    keep = Lead.create(last_name="李", company="新雅", **_own(owner))
    drop = Lead.create(last_name="李", company="新雅", email="li@xy.cn", **_own(owner))
    campaign = _related_rows(owner, "lead", drop, 2)
    CampaignSource.create(record_type="lead", record_id=drop.id, campaign=campaign)
    Document.create(title="名片", related_type="lead", related_id=drop.id, **_own(owner))
    assert _merge(as_user(owner), "lead", keep, drop).status_code == 302
    assert _plugin_counts("lead", keep) == {"events": 2, "tasks": 2, "members": 1}
    assert CampaignSource.get(CampaignSource.record_type == "lead").record_id == keep.id
    assert _count(Document, related_type="lead", related_id=keep.id) == 1
    assert Lead.get_by_id(keep.id).email == "li@xy.cn"


def test_a_lead_source_campaign_of_the_survivor_stays(school, as_user):
    owner = school["owner"]
    keep, drop = (Lead.create(last_name=n, **_own(owner)) for n in ("甲", "乙"))
    mine, theirs = (Campaign.create(name=n, **_own(owner)) for n in ("Mine", "Theirs"))
    CampaignSource.create(record_type="lead", record_id=keep.id, campaign=mine)
    CampaignSource.create(record_type="lead", record_id=drop.id, campaign=theirs)
    assert _merge(as_user(owner), "lead", keep, drop).status_code == 302
    assert [(s.record_id, s.campaign_id) for s in CampaignSource.select()] == [(keep.id, mine.id)]


def test_the_merge_page_compares_and_asks_before_merging(school, as_user):
    owner = school["owner"]
    keep = make_account(owner, name="华东机械", email="a@hd.cn")
    drop = make_account(owner, name="华东 机械", phone="021-1")
    Contact.create(last_name="联系人", account=drop, **_own(owner))
    client = as_user(owner)
    detail = client.get(f"/records/account/{keep.id}").get_data(as_text=True)
    assert f"/records/account/{keep.id}/merge" in detail
    pick = client.get(f"/records/account/{keep.id}/merge").get_data(as_text=True)
    assert f"/records/account/{keep.id}/merge?other={drop.id}" in pick and "Same name" in pick
    page = client.get(f"/records/account/{keep.id}/merge?other={drop.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "data-confirm-merge" in html and "1 × Contacts" in html
    assert 'name="keep_phone" value="other" checked' in html and 'name="keep_email" value="survivor" checked' in html
    assert f"/records/account/{drop.id}/merge?other={keep.id}" in html     # keep the other instead
    assert Account.select().count() == 2                                  # a GET merges nothing


def test_only_accounts_contacts_and_leads_merge_and_never_with_themselves(school, as_user):
    owner = school["owner"]
    client = as_user(owner)
    a, b = make_opportunity(owner, name="一"), make_opportunity(owner, name="二")
    assert client.get(f"/records/opportunity/{a.id}/merge?other={b.id}").status_code == 404
    acc = make_account(owner)
    assert _merge(client, "account", acc, acc).status_code == 400
    assert client.post(f"/records/account/{acc.id}/merge", data={}).status_code == 400
    assert client.get(f"/records/account/{acc.id}/merge?other=999999").status_code == 404


# --- a failure anywhere rolls everything back ---------------------------------------------------------

@pytest.mark.parametrize("when", ["merging", "deleted"])
def test_a_refusal_anywhere_in_the_merge_writes_nothing(make_app, make_user, login, when):
    app = make_app(plugins=BUNDLED + ["refuse_merge"], extra_plugins=[refuse_plugin])
    with app.app_context():
        owner = make_user("alice")
        keep = make_account(owner, name="Keep")
        drop = make_account(owner, name="Drop", email="d@x.cn")
        Contact.create(last_name="C", account=drop, **_own(owner))
        _related_rows(owner, "account", drop, 1)
        counts, audits = _plugin_counts("account", drop), AuditEntry.select().count()
        refuse_plugin.WHEN["stage"] = when
        try:
            r = _merge(login(app.test_client(), owner), "account", keep, drop, email="other")
        finally:
            refuse_plugin.WHEN["stage"] = ""
        assert r.status_code == 409 and "refused" in r.get_data(as_text=True)
        assert Account.get_by_id(drop.id).name == "Drop" and Account.get_by_id(keep.id).email == ""
        assert _count(Contact, account=drop.id) == 1 and _plugin_counts("account", drop) == counts
        assert AuditEntry.select().count() == audits


# --- who may merge --------------------------------------------------------------------------------------

SIDES = ("owner", "superior", "class_lead", "peer", "subordinate", "outsider", "nobody", "admin")


@pytest.mark.parametrize("type_name", ["account", "lead"])
@pytest.mark.parametrize("mode", sorted(MODE_ALLOWS))
def test_merging_needs_write_on_the_survivor_and_delete_on_the_other(app, make_school, as_user, mode, type_name):
    school = make_school(language="en")
    sides = dict(sides_of(school), nobody=school["outsider"])
    set_sharing("account" if type_name == "account" else "lead", mode)
    owner = sides["owner"]
    model = Account if type_name == "account" else Lead
    for side in SIDES:
        rule = "peer" if side == "nobody" else side
        keep = model.create(**({"name": "K"} if model is Account else {"last_name": "K"}), **_own(owner))
        drop = model.create(**({"name": "D"} if model is Account else {"last_name": "D"}), **_own(owner))
        client = as_user(sides[side])
        page = client.get(f"/records/{type_name}/{keep.id}/merge?other={drop.id}")
        r = _merge(client, type_name, keep, drop)
        if not expected(rule, mode, "read"):
            want = 404
        elif not (expected(rule, mode, "write") and expected(rule, mode, "delete")):
            want = 403
        else:
            want = 302
        assert (page.status_code, r.status_code) == (200 if want == 302 else want, want), (side, mode)
        assert model.select().where(model.id == drop.id).exists() is (want != 302)


def test_a_readable_survivor_with_an_unreadable_other_is_404_and_the_other_way_round_too(school, as_user):
    set_sharing("account", "private")
    mine, theirs = make_account(school["owner"], name="Mine"), make_account(school["outsider"], name="Theirs")
    client = as_user(school["owner"])
    assert _merge(client, "account", mine, theirs).status_code == 404
    assert _merge(client, "account", theirs, mine).status_code == 404
    set_sharing("account", "readwrite")       # readable and changeable, not deletable
    assert _merge(client, "account", mine, theirs).status_code == 403
    assert _merge(client, "account", theirs, mine).status_code == 302     # theirs survives, mine goes
    assert not Account.select().where(Account.id == mine.id).exists()


def test_the_merge_pages_read_in_chinese(school, as_user):
    owner = school["owner"]
    keep, drop = make_account(owner, name="华东机械"), make_account(owner, name="华东机械")
    client = as_user(owner, language="zh-CN")
    pick = client.get(f"/records/account/{keep.id}/merge").get_data(as_text=True)
    page = client.get(f"/records/account/{keep.id}/merge?other={drop.id}").get_data(as_text=True)
    for zh in ("合并", "相同的名称"):
        assert zh in pick
    assert "合并" in page and "Merge" not in page.replace('data-confirm-merge', '') and "Keep" not in page
    r = client.post(f"/records/account/{keep.id}/merge", data={"other": str(drop.id)}, follow_redirects=True)
    html = r.get_data(as_text=True)
    assert "已合并到" in html and "合并了两条记录" in html and "merged into" not in html


def test_merging_contacts_moves_their_e_mails_mailing_recipients_and_unsubscribe(school, as_user):
    from core.mail import outbox
    from plugins.campaigns.models import CampaignMailing, CampaignMailingRecipient, CampaignUnsubscribe
    owner = school["owner"]
    keep = Contact.create(last_name="李", first_name="雷", email="li@example.com", **_own(owner))
    drop = Contact.create(last_name="李", first_name="雷", email="lei@example.com", **_own(owner))
    sent = outbox.queue("contact", drop, drop.email, "报价", "您好", owner)
    campaign = Campaign.create(name="Spring", **_own(owner))
    both, only_drop = (CampaignMailing.create(campaign=campaign, subject=s) for s in ("Both", "Only the other"))
    CampaignMailingRecipient.create(mailing=both, member_type="contact", member_id=keep.id, address=keep.email)
    CampaignMailingRecipient.create(mailing=both, member_type="contact", member_id=drop.id, address=drop.email)
    CampaignMailingRecipient.create(mailing=only_drop, member_type="contact", member_id=drop.id,
                                    address=drop.email, bounced=True)
    CampaignUnsubscribe.create(member_type="contact", member_id=drop.id)
    assert _merge(as_user(owner), "contact", keep, drop).status_code == 302
    assert type(sent).get_by_id(sent.id).record_id == keep.id  # the send log follows the survivor
    assert sorted((r.mailing_id, r.member_id, r.bounced) for r in CampaignMailingRecipient.select()) == [
        (both.id, keep.id, False), (only_drop.id, keep.id, True)]
    assert [(u.member_type, u.member_id) for u in CampaignUnsubscribe.select()] == [("contact", keep.id)]
