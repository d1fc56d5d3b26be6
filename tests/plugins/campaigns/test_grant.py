"""Campaign tasks are granted by their campaign (``RelationGrant("campaign")`` on the record type): every
page of the platform — the campaign pages, the generic record list, detail and CSV, the report builder, the
drill-down and the calendar — shows each side exactly the same tasks, through core's one access rule."""
import datetime as dt

import pytest

from core import access
from core.models import User
from plugins.campaigns.models import CampaignTask
from plugins.reports import builder
from core.reports import ReportParams
from tests.plugins.campaigns.conftest import make_campaign, make_task, set_mode

NOW = dt.datetime(2026, 5, 15, 2, 0)
SIDES = ("owner", "peer", "superior", "class_lead", "subordinate", "outsider", "admin")
# the campaign is the owner's; "展台" is assigned to the owner, "外班" to the outsider of another class
EXPECTED_PRIVATE = {
    "owner": {"展台任务", "外班任务"},        # the campaign's owner: every task of it
    "peer": set(),                            # same position: only through the sharing mode
    "superior": {"展台任务", "外班任务"},     # above both assignees and the campaign owner
    "class_lead": {"展台任务", "外班任务"},   # above the campaign owner (not above the outsider)
    "subordinate": set(),
    "outsider": {"外班任务"},                 # the assignee: their own task, not the campaign
    "admin": {"展台任务", "外班任务"},
}
SUBJECTS = ("展台任务", "外班任务")


@pytest.fixture
def world(app, school, frozen_clock):
    frozen_clock(NOW)
    set_mode("private")
    campaign = make_campaign(school["owner"], "华东展会")
    mine = make_task(campaign, school["owner"], NOW + dt.timedelta(days=2), "展台任务")
    theirs = make_task(campaign, school["outsider"], NOW + dt.timedelta(days=3), "外班任务")
    return campaign, {"展台任务": mine, "外班任务": theirs}


def shown(text):
    return {s for s in SUBJECTS if s in text}


def test_every_page_shows_each_side_the_tasks_the_campaign_pages_show(app, world, clients):
    campaign, tasks = world
    for side in SIDES:
        client = clients[side]
        want = EXPECTED_PRIVATE[side]
        assert shown(client.get("/campaigns/tasks/?view=all").get_data(as_text=True)) == want, side
        assert shown(client.get("/records/campaign_task/").get_data(as_text=True)) == want, side
        assert shown(client.get("/records/campaign_task/export.csv").get_data(as_text=True)) == want, side
        assert shown(client.get("/reports/drill/campaign_task/").get_data(as_text=True)) == want, side
        calendar = client.get("/calendar/?view=month&date=2026-05-15&who=all").get_data(as_text=True)
        assert shown(calendar) == want, side
        for subject, task in tasks.items():
            code = client.get(f"/records/campaign_task/{task.id}").status_code
            assert code == (200 if subject in want else 404), (side, subject)


def test_the_report_builder_counts_the_tasks_the_campaign_pages_show(app, world, school):
    spec = builder.clean({"type": "campaign_task", "aggregates": [{"func": "count"}], "columns": ["subject"]})
    for side in SIDES:
        with app.test_request_context():
            user = User.get_by_id(school[side].id)
            rows = builder.run(spec, user, ReportParams()).rows
            subjects = {s for s in SUBJECTS if any(s in str(row) for row in rows)}
        assert subjects == EXPECTED_PRIVATE[side], side


def test_whoever_may_change_the_campaign_completes_its_tasks_and_the_assignee_their_own(app, world, clients):
    _campaign, tasks = world
    theirs = tasks["外班任务"]
    # the class lead is above the campaign owner, not above the outsider assignee: the campaign grants it
    assert clients["class_lead"].get(f"/campaigns/tasks/{theirs.id}/complete").status_code == 200
    assert clients["peer"].get(f"/campaigns/tasks/{theirs.id}/complete").status_code == 404
    response = clients["class_lead"].post(f"/campaigns/tasks/{theirs.id}/complete",
                                          data={"completion_note": "已完成"})
    assert response.status_code == 302
    assert CampaignTask.get_by_id(theirs.id).status == "done"
    mine = tasks["展台任务"]
    assert clients["outsider"].post(f"/campaigns/tasks/{mine.id}/delete").status_code == 404
    assert clients["class_lead"].post(f"/campaigns/tasks/{mine.id}/delete").status_code == 302
    assert not CampaignTask.select().where(CampaignTask.id == mine.id).exists()


def test_a_read_only_campaign_lets_everyone_read_its_tasks_but_change_only_their_own(app, world, clients):
    _campaign, tasks = world
    set_mode("read")
    theirs = tasks["外班任务"]
    assert shown(clients["peer"].get("/records/campaign_task/").get_data(as_text=True)) == set(SUBJECTS)
    assert clients["peer"].get(f"/campaigns/tasks/{theirs.id}/complete").status_code == 403
    assert clients["outsider"].get(f"/campaigns/tasks/{theirs.id}/complete").status_code == 200


def test_the_explainer_says_a_task_is_read_because_its_campaign_is(app, world, clients, school):
    _campaign, tasks = world
    theirs = tasks["外班任务"]
    page = clients["class_lead"].get(f"/admin/structure/explain/campaign_task/{theirs.id}").get_data(as_text=True)
    assert "Allowed because this user may read its campaign “华东展会”." in page
    assert "Allowed because this user may change its campaign “华东展会”." in page
    own = clients["outsider"].get(f"/admin/structure/explain/campaign_task/{theirs.id}").get_data(as_text=True)
    assert "This user owns the record." in own and "its campaign" not in own
    with app.test_request_context():
        steps = access.explain(User.get_by_id(school["class_lead"].id), theirs, "campaign_task")
    assert steps["reasons"] == {"read": "relation", "write": "relation", "delete": "relation"}


def test_the_explainer_names_the_campaign_in_chinese(app, world, school, login):
    _campaign, tasks = world
    lead = school["class_lead"]
    lead.language = "zh"
    lead.save()
    client = login(app.test_client(), lead)
    page = client.get(f"/admin/structure/explain/campaign_task/{tasks['外班任务'].id}").get_data(as_text=True)
    assert "允许：这位用户可以查看它所属的市场活动“华东展会”。" in page
