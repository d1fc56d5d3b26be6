"""Effect follow-up against hand-computed figures; charts escape labels; CSV; new leads to chase."""
import datetime as dt
from decimal import Decimal

import pytest

from core.models import Contact, Lead, Opportunity, SalesStage
from plugins.campaigns import effect as effects, services
from plugins.campaigns.models import CampaignMember, CampaignSource
from tests.plugins.campaigns.conftest import make_campaign, set_mode


def stage(name):
    return SalesStage.get(SalesStage.name == name)


def opportunity(owner, amount, stage_name):
    return Opportunity.create(name=f"商机{amount}", owner=owner, amount=Decimal(amount), stage=stage(stage_name),
                              close_date=dt.date(2026, 6, 30))


@pytest.fixture
def measured(app, school):
    """10 members: 3 planned, 2 sent, 3 responded, 2 converted; 4 sourced leads (one the peer's);
    3 sourced opportunities: won 3000 + 4500, open 10000; actual cost 2000."""
    owner, peer = school["owner"], school["peer"]
    campaign = make_campaign(owner, "效果测算", actual_cost=Decimal("2000.00"))
    statuses = ["planned"] * 3 + ["sent"] * 2 + ["responded"] * 3 + ["converted"] * 2
    for i, status in enumerate(statuses):
        lead = Lead.create(last_name=f"成员{i}", owner=owner, email=f"m{i}@example.cn")
        CampaignMember.create(campaign=campaign, member_type="lead", member_id=lead.id, status=status)
    for i in range(4):
        lead = Lead.create(last_name=f"来源线索{i}", owner=peer if i == 3 else owner)
        services.set_source("lead", lead.id, campaign.id)
    for amount, stage_name in (("3000", "Closed Won"), ("4500", "Closed Won"), ("10000", "Proposal")):
        services.set_source("opportunity", opportunity(owner, amount, stage_name).id, campaign.id)
    services.set_source("opportunity", opportunity(owner, "99999", "Closed Won").id,
                        make_campaign(owner, "别的活动").id)
    return campaign


def test_figures_match_hand_computation(app, school, measured):
    set_mode("read", family="lead")
    eff = effects.compute(measured, school["owner"])
    assert eff.members == 10
    assert eff.by_status == {"planned": 3, "sent": 2, "responded": 3, "converted": 2}
    assert eff.response_rate == Decimal("0.5")
    assert eff.leads == 4 and eff.opportunities == 3 and eff.won_opportunities == 2
    assert eff.won_revenue == Decimal("7500.00")
    assert eff.cost_per_lead == Decimal("500.00")
    assert eff.roi == Decimal("2.7500")
    assert effects.percent(eff.roi) == "275.0 %"


def test_viewer_counts_only_the_leads_they_may_read(app, school, measured):
    set_mode("private", family="lead")
    eff = effects.compute(measured, school["owner"])
    assert eff.leads == 3
    assert eff.cost_per_lead == Decimal("666.67")


def test_roi_is_a_dash_without_cost_and_cost_per_lead_without_leads(app, school):
    campaign = make_campaign(school["owner"], "零成本", actual_cost=Decimal("0"))
    eff = effects.compute(campaign, school["owner"])
    assert eff.roi is None and eff.cost_per_lead is None and eff.response_rate is None
    assert effects.percent(eff.roi) == "—"


def test_effect_page_table_charts_and_csv(app, school, clients, measured):
    set_mode("read", family="lead")
    html = clients["owner"].get(f"/campaigns/{measured.id}/effect").get_data(as_text=True)
    assert 'data-figure="roi"' in html and "275.0 %" in html and "50.0 %" in html
    assert html.count("<figure class=\"chart\"><svg") == 2
    csv = clients["owner"].get(f"/campaigns/{measured.id}/effect?format=csv")
    assert csv.mimetype == "text/csv"
    text = csv.get_data(as_text=True)
    assert "ROI,275.0 %" in text and "Leads generated,4" in text


def test_chart_labels_from_user_data_are_escaped(app, school, clients):
    campaign = make_campaign(school["owner"], "<script>alert(1)</script>", actual_cost=Decimal("10"))
    html = clients["owner"].get(f"/campaigns/{campaign.id}/effect").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def test_responded_members_are_chased_and_converted_in_one_click(app, school, clients):
    owner = school["owner"]
    campaign = make_campaign(owner, "转化测试")
    contact = Contact.create(first_name="伟", last_name="张", email="zw@example.cn", owner=owner)
    member = CampaignMember.create(campaign=campaign, member_type="contact", member_id=contact.id,
                                   status="responded")
    CampaignMember.create(campaign=campaign, member_type="lead", status="sent",
                          member_id=Lead.create(last_name="未回应", owner=owner).id)
    html = clients["owner"].get(f"/campaigns/{campaign.id}/effect").get_data(as_text=True)
    assert "张伟" in html and "未回应" not in html.split('data-section="chase"')[1]
    response = clients["owner"].post(f"/campaigns/{campaign.id}/members/{member.id}/convert")
    assert response.status_code == 302
    lead = Lead.get(Lead.email == "zw@example.cn")
    assert lead.owner_id == owner.id and lead.source == "campaign" and lead.last_name == "张"
    assert CampaignSource.get(CampaignSource.record_id == lead.id).campaign_id == campaign.id
    stored = CampaignMember.get_by_id(member.id)
    assert stored.status == "converted" and stored.lead_id == lead.id
    assert effects.compute(campaign, owner).leads == 1
    # a second click does not make a second lead
    assert clients["owner"].post(f"/campaigns/{campaign.id}/members/{member.id}/convert").status_code == 409
    assert Lead.select().where(Lead.email == "zw@example.cn").count() == 1


def test_a_reader_without_write_cannot_convert(app, school, clients):
    set_mode("read")
    owner = school["owner"]
    campaign = make_campaign(owner)
    contact = Contact.create(last_name="李", owner=owner)
    member = CampaignMember.create(campaign=campaign, member_type="contact", member_id=contact.id,
                                   status="responded")
    assert clients["peer"].post(f"/campaigns/{campaign.id}/members/{member.id}/convert").status_code == 403
    assert clients["outsider"].post(f"/campaigns/{campaign.id}/members/{member.id}/convert").status_code == 403
    assert CampaignMember.get_by_id(member.id).status == "responded"


def test_adding_many_members_at_once_skips_those_already_in(app, school, clients):
    owner = school["owner"]
    campaign = make_campaign(owner)
    contacts = [Contact.create(last_name=f"联系人{i}", owner=owner) for i in range(3)]
    data = {"type": "contact", "ids": [str(c.id) for c in contacts[:2]]}
    clients["owner"].post(f"/campaigns/{campaign.id}/members/add", data=data)
    data = {"type": "contact", "ids": [str(c.id) for c in contacts]}
    clients["owner"].post(f"/campaigns/{campaign.id}/members/add", data=data)
    assert CampaignMember.select().where(CampaignMember.campaign == campaign.id).count() == 3
    member = CampaignMember.get(CampaignMember.member_id == contacts[0].id)
    clients["owner"].post(f"/campaigns/{campaign.id}/members/{member.id}/status", data={"status": "responded"})
    assert CampaignMember.get_by_id(member.id).status == "responded"
    assert clients["owner"].post(f"/campaigns/{campaign.id}/members/{member.id}/status",
                                 data={"status": "converted"}).status_code == 400


def test_members_list_is_paged_filtered_and_changes_are_audited(app, school, clients):
    from core.models import AuditEntry
    owner = school["owner"]
    campaign = make_campaign(owner, "大活动")
    for i in range(app.config["PAGE_SIZE"] + 3):
        lead = Lead.create(last_name=f"L{i:03d}", owner=owner)
        CampaignMember.create(campaign=campaign, member_type="lead", member_id=lead.id,
                              status="responded" if i == 0 else "sent")
    client = clients["owner"]
    first = client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    assert first.count("data-member=") == app.config["PAGE_SIZE"] and 'rel="next"' in first
    second = client.get(f"/campaigns/{campaign.id}?page=2").get_data(as_text=True)
    assert second.count("data-member=") == 3
    only = client.get(f"/campaigns/{campaign.id}?member_status=responded").get_data(as_text=True)
    assert only.count("data-member=") == 1 and "L000" in only
    member = CampaignMember.get(CampaignMember.status == "responded")
    client.post(f"/campaigns/{campaign.id}/members/{member.id}/status", data={"status": "sent"})
    entry = AuditEntry.select().where((AuditEntry.record_type == "campaign")
                                      & (AuditEntry.record_id == campaign.id)).order_by(AuditEntry.id.desc()).first()
    assert "responded" in entry.changes and "sent" in entry.changes


def test_planned_members_are_marked_sent_in_one_step(app, school, clients):
    set_mode("read")
    owner = school["owner"]
    campaign = make_campaign(owner)
    for i, status in enumerate(["planned", "planned", "responded"]):
        CampaignMember.create(campaign=campaign, member_type="lead", status=status,
                              member_id=Lead.create(last_name=f"M{i}", owner=owner).id)
    assert clients["peer"].post(f"/campaigns/{campaign.id}/members/mark-sent").status_code == 403
    assert clients["owner"].post(f"/campaigns/{campaign.id}/members/mark-sent").status_code == 302
    assert sorted(m.status for m in CampaignMember.select()) == ["responded", "sent", "sent"]
