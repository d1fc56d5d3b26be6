"""Ownership in plugins (issue 15 item 6): every assignment in the campaigns and service plugins goes
through core's "who may own" rule (core.access.may_assign_to: the owner, a superior or the administrator
hands a record to someone within their own reach) and offers core's owner choices — a student cannot hand
work to another class or to the administrator, by the form, the assign button or the assignment rule."""
import datetime as dt

import pytest

from core.records import service as record_service
from plugins.campaigns.models import Campaign, CampaignTask
from plugins.service import services
from plugins.service.models import Feedback, ServiceSettings


@pytest.fixture
def app(make_app):
    app = make_app(plugins=["campaigns", "service"])
    with app.test_request_context():
        yield app


@pytest.fixture
def people(make_school):
    return make_school(language="zh")


def as_user(app, login, user):
    return login(app.test_client(), user)


def feedback_of(owner, subject="包裹迟到"):
    item = Feedback(owner=owner.id, subject=subject)
    services.create("feedback", item, owner)
    return item


ITEM_FIELDS = {"subject": "退货", "description": "", "channel": "phone", "priority": "normal", "status": "new",
               "account": "", "contact": "", "satisfaction": "", "received_at": "", "resolution": "",
               "submitter_name": "", "submitter_email": "", "submitter_phone": ""}


@pytest.mark.parametrize("target", ["carol", "admin"])
def test_student_cannot_assign_her_service_item_to_another_class_or_the_administrator(app, people, login, target):
    item = feedback_of(people["alice"])
    client = as_user(app, login, people["alice"])
    page = client.get(f"/service/feedback/{item.id}").get_data(as_text=True)
    assert f'value="{people[target].id}"' not in page          # not offered …
    response = client.post(f"/service/feedback/{item.id}/assign", data={"owner": people[target].id})
    assert response.status_code in (400, 403)                   # … and refused when posted
    assert Feedback.get_by_id(item.id).owner_id == people["alice"].id


def test_superior_hands_an_item_to_someone_below_but_not_beyond(app, people, login):
    item = feedback_of(people["alice"])
    manager = as_user(app, login, people["manager_a"])
    assert manager.post(f"/service/feedback/{item.id}/assign", data={"owner": people["bob"].id}).status_code == 302
    assert Feedback.get_by_id(item.id).owner_id == people["bob"].id
    assert manager.post(f"/service/feedback/{item.id}/assign",
                        data={"owner": people["carol"].id}).status_code in (400, 403)
    assert Feedback.get_by_id(item.id).owner_id == people["bob"].id


@pytest.mark.parametrize("target", ["carol", "admin"])
def test_staff_entry_and_edit_cannot_name_an_owner_out_of_reach(app, people, login, target):
    client = as_user(app, login, people["alice"])
    response = client.post("/service/feedback/new", data=dict(ITEM_FIELDS, owner=people[target].id))
    assert response.status_code == 400 and "不是有效的选择" in response.get_data(as_text=True)
    assert not Feedback.select().where(Feedback.owner == people[target].id).exists()
    item = feedback_of(people["alice"])
    response = client.post(f"/service/feedback/{item.id}/edit", data=dict(ITEM_FIELDS, owner=people[target].id))
    assert response.status_code == 400 and "不是有效的选择" in response.get_data(as_text=True)
    assert Feedback.get_by_id(item.id).owner_id == people["alice"].id


def test_the_assignment_rule_never_hands_a_students_entry_to_another_class(app, people, login):
    ServiceSettings.update(assign_position=people["positions"]["sales_b"].id,
                           default_owner=people["admin"].id).where(ServiceSettings.id == 1).execute()
    client = as_user(app, login, people["alice"])
    assert client.post("/service/feedback/new", data=dict(ITEM_FIELDS, owner="")).status_code == 302
    assert Feedback.get().owner_id == people["alice"].id         # neither carol (the rule) nor the admin
    teacher = as_user(app, login, people["teacher"])
    assert teacher.post("/service/feedback/new", data=dict(ITEM_FIELDS, subject="投诉", owner="")).status_code == 302
    assert Feedback.get(Feedback.subject == "投诉").owner_id == people["carol"].id   # within the teacher's reach


def campaign_of(owner):
    campaign = Campaign(name="春季展会", owner=owner.id)
    record_service.save("campaign", campaign, owner)
    return campaign


CAMPAIGN_FIELDS = {"name": "春季展会", "type": "email", "status": "planned", "description": ""}


@pytest.mark.parametrize("target", ["carol", "admin"])
def test_campaigns_and_their_tasks_stay_within_the_assigners_reach(app, people, login, target):
    alice = people["alice"]
    campaign = campaign_of(alice)
    client = as_user(app, login, alice)
    response = client.post(f"/campaigns/{campaign.id}/edit", data=dict(CAMPAIGN_FIELDS, owner=people[target].id))
    assert response.status_code in (200, 400, 403) and Campaign.get_by_id(campaign.id).owner_id == alice.id
    due = (dt.datetime(2026, 6, 1, 9, 0)).strftime("%Y-%m-%dT%H:%M")
    task = {"subject": "寄样品", "campaign": campaign.id, "due_at": due, "priority": "normal", "status": "open",
            "description": "", "completion_note": ""}
    client.post("/campaigns/tasks/new", data=dict(task, owner=people[target].id))
    assert not CampaignTask.select().where(CampaignTask.owner == people[target].id).exists()
    assert client.post("/campaigns/tasks/new", data=dict(task, owner=alice.id)).status_code == 302
    mine = CampaignTask.get(CampaignTask.owner == alice.id)
    response = client.post(f"/campaigns/tasks/{mine.id}/edit", data=dict(task, owner=people[target].id))
    assert response.status_code in (200, 400, 403) and CampaignTask.get_by_id(mine.id).owner_id == alice.id
