"""Who sees which campaign and task, through HTTP, from every side and in each sharing mode."""
import datetime as dt

import pytest

from tests.plugins.campaigns.conftest import make_campaign, make_task, set_mode

NOW = dt.datetime(2026, 5, 15, 2, 0)
READERS_PRIVATE = {"owner", "superior", "class_lead", "admin"}
SIDES = ("owner", "peer", "superior", "class_lead", "subordinate", "outsider", "admin")


@pytest.fixture
def world(app, school, frozen_clock):
    frozen_clock(NOW)
    campaign = make_campaign(school["owner"], "华东展会")
    task = make_task(campaign, school["owner"], NOW + dt.timedelta(days=2), "布置展台")
    return campaign, task


@pytest.mark.parametrize("mode,readers,writers,deleters", [
    ("private", READERS_PRIVATE, READERS_PRIVATE, READERS_PRIVATE),
    ("read", set(SIDES), READERS_PRIVATE, READERS_PRIVATE),
    ("readwrite", set(SIDES), set(SIDES), READERS_PRIVATE),
    ("readwritedelete", set(SIDES), set(SIDES), set(SIDES)),
])
def test_campaign_and_its_tasks_follow_the_campaign_sharing_mode(app, world, clients, mode, readers, writers,
                                                                 deleters):
    campaign, task = world
    set_mode(mode)
    for side in SIDES:
        client = clients[side]
        detail = client.get(f"/campaigns/{campaign.id}")
        assert detail.status_code == (200 if side in readers else 404), (side, mode)
        listed = "华东展会" in client.get("/campaigns/").get_data(as_text=True)
        assert listed == (side in readers), (side, mode)
        tasks_page = client.get("/campaigns/tasks/?view=all").get_data(as_text=True)
        assert ("布置展台" in tasks_page) == (side in readers), (side, mode)
        edit = client.get(f"/campaigns/{campaign.id}/edit")
        assert edit.status_code == (200 if side in writers else 403 if side in readers else 404), (side, mode)
        task_post = client.post(f"/campaigns/tasks/{task.id}/complete", data={})
        assert task_post.status_code == (200 if side in writers else 403 if side in readers else 404), (side, mode)
        effect = client.get(f"/campaigns/{campaign.id}/effect")
        assert effect.status_code == (200 if side in readers else 404), (side, mode)
    for side in SIDES:  # delete last: only one may succeed, the refusals come first
        if side not in deleters:
            code = clients[side].post(f"/campaigns/{campaign.id}/delete").status_code
            assert code == (403 if side in readers else 404), (side, mode)


def test_assignee_always_sees_their_own_task_even_of_a_private_campaign(app, school, clients, world):
    campaign, _task = world
    set_mode("private")
    outsider_task = make_task(campaign, school["outsider"], NOW + dt.timedelta(days=1), "外班同学的任务")
    client = clients["outsider"]
    assert client.get(f"/campaigns/{campaign.id}").status_code == 404
    page = client.get("/campaigns/tasks/?view=mine").get_data(as_text=True)
    assert "外班同学的任务" in page and "布置展台" not in page
    assert client.get(f"/campaigns/tasks/{outsider_task.id}/edit").status_code == 200
    assert client.post(f"/campaigns/tasks/{outsider_task.id}/complete",
                       data={"completion_note": "完成"}).status_code == 302
    # the outsider's class lead sees it through the task's own rule (assignee's superior) …
    # … and the campaign owner through the campaign
    assert "外班同学的任务" in clients["owner"].get("/campaigns/tasks/?view=all").get_data(as_text=True)
    assert "外班同学的任务" not in clients["peer"].get("/campaigns/tasks/?view=all").get_data(as_text=True)


def test_subordinate_assignee_is_seen_by_superiors_but_not_by_a_peer_of_theirs(app, school, clients, world,
                                                                              make_user, positions, login):
    campaign, _task = world
    set_mode("private")
    make_task(campaign, school["subordinate"], NOW, "下属的任务")
    colleague = make_user("colleague", position=positions["sales_a"])
    client = login(app.test_client(), colleague)
    assert "下属的任务" not in client.get("/campaigns/tasks/?view=all").get_data(as_text=True)
    assert "下属的任务" in clients["subordinate"].get("/campaigns/tasks/?view=mine").get_data(as_text=True)
    assert "下属的任务" in clients["class_lead"].get("/campaigns/tasks/?view=all").get_data(as_text=True)


def test_members_are_added_only_from_records_the_user_can_see(app, school, clients, world):
    from core.models import Lead
    from plugins.campaigns.models import CampaignMember
    campaign, _task = world
    set_mode("private", family="lead")
    mine = Lead.create(last_name="自己的线索", owner=school["owner"])
    hidden = Lead.create(last_name="外班线索", owner=school["outsider"])
    page = clients["owner"].get(f"/campaigns/{campaign.id}/members/add?type=lead").get_data(as_text=True)
    assert "自己的线索" in page and "外班线索" not in page
    clients["owner"].post(f"/campaigns/{campaign.id}/members/add",
                          data={"type": "lead", "ids": [str(mine.id), str(hidden.id)]})
    assert [m.member_id for m in CampaignMember.select()] == [mine.id]
    assert clients["peer"].post(f"/campaigns/{campaign.id}/members/add",
                                data={"type": "lead", "ids": [str(mine.id)]}).status_code == 404
