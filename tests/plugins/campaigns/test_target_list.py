"""A campaign's target list beyond ticking rows: every record a search matches ("Add all"), and the records a
CSV file of e-mail addresses names — only those the user may read, through HTTP, in both languages."""
import io

import pytest

from core.models import Lead
from plugins.campaigns.models import CampaignMember
from tests.plugins.campaigns.conftest import make_campaign, set_mode


@pytest.fixture
def leads(app, school):
    set_mode("private", family="lead")
    mine = [Lead.create(last_name=f"Acme {i}", email=f"buyer{i}@acme.cn", owner=school["owner"]) for i in range(3)]
    other = Lead.create(last_name="Globex", email="x@globex.cn", owner=school["owner"])
    hidden = Lead.create(last_name="Acme hidden", email="hidden@acme.cn", owner=school["outsider"])
    return {"mine": mine, "other": other, "hidden": hidden}


def _members(campaign):
    return sorted(m.member_id for m in CampaignMember.select().where(CampaignMember.campaign == campaign.id))


def _csv(text, name="list.csv"):
    return {"type": "lead", "file": (io.BytesIO(text.encode("utf-8")), name)}


def test_add_all_adds_every_readable_match_of_the_search_and_nothing_else(school, clients, leads):
    campaign = make_campaign(school["owner"])
    response = clients["owner"].post(f"/campaigns/{campaign.id}/members/add?type=lead&q=Acme",
                                     data={"type": "lead", "q": "Acme", "all": "1"})
    assert response.status_code == 302
    assert _members(campaign) == sorted(r.id for r in leads["mine"])   # not Globex, not the other class's
    clients["owner"].post(f"/campaigns/{campaign.id}/members/add", data={"type": "lead", "all": "1"})
    assert _members(campaign) == sorted([r.id for r in leads["mine"]] + [leads["other"].id])


def test_a_csv_of_addresses_adds_the_readable_records_with_them(school, clients, leads):
    campaign = make_campaign(school["owner"])
    text = "Name,Email\nA,BUYER0@acme.cn\nB,buyer2@acme.cn\nC,hidden@acme.cn\nD,nobody@example.com\n"
    client = clients["owner"]
    response = client.post(f"/campaigns/{campaign.id}/members/import", data=_csv(text),
                           content_type="multipart/form-data", follow_redirects=True)
    assert _members(campaign) == sorted([leads["mine"][0].id, leads["mine"][2].id])
    # the other class's lead is "no record you can see", like an unknown address: its existence does not show
    assert "2 members added, 0 already members, 2 addresses match no record you can see." in \
        response.get_data(as_text=True)
    again = client.post(f"/campaigns/{campaign.id}/members/import", data=_csv("buyer0@acme.cn;buyer1@acme.cn\n"),
                        content_type="multipart/form-data", follow_redirects=True)
    assert "1 members added, 1 already members, 0 addresses" in again.get_data(as_text=True)
    assert len(_members(campaign)) == 3


@pytest.mark.parametrize("text", ["name,phone\nA,123\n", ""])
def test_a_file_without_addresses_is_refused_and_adds_nothing(school, clients, leads, text):
    campaign = make_campaign(school["owner"])
    response = clients["owner"].post(f"/campaigns/{campaign.id}/members/import", data=_csv(text),
                                     content_type="multipart/form-data", follow_redirects=True)
    assert "names no e-mail address" in response.get_data(as_text=True)
    assert _members(campaign) == []


def test_only_who_may_change_the_campaign_adds_members(school, clients, leads):
    campaign = make_campaign(school["owner"])
    for side in ("peer", "outsider", "subordinate"):
        assert clients[side].post(f"/campaigns/{campaign.id}/members/import", data=_csv("buyer0@acme.cn\n"),
                                  content_type="multipart/form-data").status_code in (403, 404), side
        assert clients[side].post(f"/campaigns/{campaign.id}/members/add",
                                  data={"type": "lead", "all": "1"}).status_code in (403, 404), side
    assert _members(campaign) == []
    clients["superior"].post(f"/campaigns/{campaign.id}/members/import", data=_csv("buyer1@acme.cn\n"),
                             content_type="multipart/form-data")
    assert _members(campaign) == [leads["mine"][1].id]   # a superior reads and changes the owner's records


def test_the_target_list_tools_read_in_chinese(app, school, login, leads):
    school["owner"].language = "zh"
    school["owner"].save()
    client = login(app.test_client(), school["owner"])
    campaign = make_campaign(school["owner"])
    page = client.get(f"/campaigns/{campaign.id}/members/add?type=lead").get_data(as_text=True)
    for english in ("Add all that match", "Add from a CSV file", "CSV file", "Add from file"):
        assert english not in page, english
    response = client.post(f"/campaigns/{campaign.id}/members/import", data=_csv("buyer0@acme.cn\n"),
                           content_type="multipart/form-data", follow_redirects=True)
    assert "match no record you can see" not in response.get_data(as_text=True)
    assert _members(campaign) == [leads["mine"][0].id]
