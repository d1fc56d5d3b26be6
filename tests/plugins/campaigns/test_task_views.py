"""The four task views: membership at the edges, filters, sorting, tab counts, overdue highlighting."""
import datetime as dt

from plugins.campaigns import tasks as views
from tests.plugins.campaigns.conftest import make_campaign, make_task, set_mode

NOW = dt.datetime(2026, 5, 15, 2, 0)          # 10:00 in Shanghai, local date 2026-05-15
TODAY = dt.date(2026, 5, 15)


def ids(view, user, **filters):
    return {t.id for t in views.tasks_in_view(view, user, filters or None, TODAY)}


def test_each_view_holds_the_right_tasks_at_the_edges(app, school, frozen_clock):
    frozen_clock(NOW)
    owner = school["owner"]
    running = make_campaign(owner, "进行中", end_date=TODAY)                       # ends today: not ended
    ended = make_campaign(owner, "昨天结束", end_date=TODAY - dt.timedelta(days=1))   # ended yesterday
    due_today = make_task(running, owner, NOW + dt.timedelta(hours=6), "今天到期")
    overdue = make_task(running, owner, NOW - dt.timedelta(hours=1), "已过期")
    done = make_task(running, owner, NOW, "已完成", status="done")
    cancelled = make_task(running, owner, NOW, "已取消", status="cancelled")
    in_progress = make_task(running, owner, NOW + dt.timedelta(days=3), "进行中", status="in_progress")
    of_ended = make_task(ended, owner, NOW - dt.timedelta(days=2), "结束活动的任务")
    others = make_task(running, school["subordinate"], NOW, "别人的任务")

    open_ids = {due_today.id, overdue.id, in_progress.id, of_ended.id, others.id}
    assert ids("open", owner) == open_ids
    assert ids("mine", owner) == open_ids - {others.id}
    assert ids("history", owner) == {done.id, cancelled.id, of_ended.id}
    assert ids("all", owner) == open_ids | {done.id, cancelled.id}
    assert views.counts(owner, today=TODAY) == {"mine": 4, "open": 5, "history": 3, "all": 7}
    assert not due_today.is_overdue(NOW) and overdue.is_overdue(NOW) and not done.is_overdue(NOW)


def test_campaign_ending_today_is_not_history_until_tomorrow(app, school, frozen_clock):
    frozen_clock(NOW)
    owner = school["owner"]
    task = make_task(make_campaign(owner, end_date=TODAY), owner, NOW)
    assert task.id not in ids("history", owner)
    tomorrow = TODAY + dt.timedelta(days=1)
    assert task.id in {t.id for t in views.tasks_in_view("history", owner, None, tomorrow)}


def test_filters_by_campaign_assignee_and_local_due_date(app, school, frozen_clock):
    frozen_clock(NOW)
    owner, sub = school["owner"], school["subordinate"]
    first, second = make_campaign(owner, "甲"), make_campaign(owner, "乙")
    # 2026-05-20 00:30 in Shanghai is 2026-05-19 16:30 UTC: it belongs to the local 20th
    late_evening = make_task(first, owner, dt.datetime(2026, 5, 19, 16, 30), "二十号凌晨")
    before = make_task(second, sub, dt.datetime(2026, 5, 19, 15, 59), "十九号深夜")
    assert ids("all", owner, campaign_id=first.id) == {late_evening.id}
    assert ids("all", owner, assignee_id=sub.id) == {before.id}
    day = dt.date(2026, 5, 20)
    assert ids("all", owner, date_from=day, date_to=day) == {late_evening.id}
    assert ids("all", owner, date_to=dt.date(2026, 5, 19)) == {before.id}


def test_tasks_page_shows_counts_sorting_and_overdue(app, school, clients, frozen_clock):
    frozen_clock(NOW)
    owner = school["owner"]
    campaign = make_campaign(owner)
    make_task(campaign, owner, NOW - dt.timedelta(days=1), "B 已过期")
    make_task(campaign, owner, NOW + dt.timedelta(days=1), "A 明天")
    make_task(campaign, owner, NOW, "C 完成", status="done")
    html = clients["owner"].get("/campaigns/tasks/?view=open&sort=subject").get_data(as_text=True)
    assert 'data-count="open">2<' in html and 'data-count="history">1<' in html and 'data-count="all">3<' in html
    assert html.index("A 明天") < html.index("B 已过期")
    assert html.count("data-overdue") == 1
    html = clients["owner"].get("/campaigns/tasks/?view=open&sort=-subject").get_data(as_text=True)
    assert html.index("B 已过期") < html.index("A 明天")
    assert clients["owner"].get("/campaigns/tasks/?view=nope").status_code == 404


def test_completing_a_task_needs_a_note_and_moves_it_to_history(app, school, clients, frozen_clock):
    frozen_clock(NOW)
    owner = school["owner"]
    task = make_task(make_campaign(owner), owner, NOW + dt.timedelta(days=1))
    client = clients["owner"]
    assert client.post(f"/campaigns/tasks/{task.id}/complete", data={"completion_note": " "}).status_code == 200
    assert task.id in ids("open", owner)
    response = client.post(f"/campaigns/tasks/{task.id}/complete", data={"completion_note": "已发出 120 封邀请"})
    assert response.status_code == 302
    assert task.id in ids("history", owner) and task.id not in ids("open", owner)
    from plugins.campaigns.models import CampaignTask
    stored = CampaignTask.get_by_id(task.id)
    assert stored.status == "done" and stored.completion_note == "已发出 120 封邀请" and stored.completed_at == NOW
    assert client.post(f"/campaigns/tasks/{task.id}/complete", data={"completion_note": "x"}).status_code == 409


def test_task_form_stores_local_time_as_utc_and_validates(app, school, clients, frozen_clock):
    frozen_clock(NOW)
    owner = school["owner"]
    campaign = make_campaign(owner)
    client = clients["owner"]
    data = {"subject": "准备资料", "campaign": campaign.id, "owner": owner.id, "due_at": "2026-05-20T09:30",
            "priority": "high", "status": "open", "description": "", "completion_note": ""}
    assert client.post("/campaigns/tasks/new", data=data).status_code == 302
    from plugins.campaigns.models import CampaignTask
    task = CampaignTask.get(CampaignTask.subject == "准备资料")
    assert task.due_at == dt.datetime(2026, 5, 20, 1, 30)
    bad = dict(data, subject="", status="done")
    html = client.post(f"/campaigns/tasks/{task.id}/edit", data=bad).get_data(as_text=True)
    assert "has-error" in html and "completion note" in html


def test_task_breadcrumb_links_the_campaign_only_for_a_viewer_who_may_open_it(app, school, clients,
                                                                               frozen_clock):
    frozen_clock(NOW)
    set_mode("private")
    campaign = make_campaign(school["owner"], "私有活动")
    task = make_task(campaign, school["peer"], NOW, "同事的任务")
    campaign_url = f'href="/campaigns/{campaign.id}"'
    peer_page = clients["peer"].get(f"/campaigns/tasks/{task.id}/edit")
    assert peer_page.status_code == 200
    assert clients["peer"].get(f"/campaigns/{campaign.id}").status_code == 404
    assert campaign_url not in peer_page.get_data(as_text=True)
    assert campaign_url in clients["owner"].get(f"/campaigns/tasks/{task.id}/edit").get_data(as_text=True)
