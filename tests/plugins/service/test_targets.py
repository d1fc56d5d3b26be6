"""Response and resolution targets per priority; the breach job notifies the assignee's superiors exactly
once per breach, however often or concurrently it runs."""
import datetime as dt

from core.models import Notification
from core.scheduler import all_jobs, run_job
from plugins.service import services
from plugins.service.models import Complaint, Feedback, ServiceEvent, ServiceTarget
from tests.concurrency import run_at_once

T0 = dt.datetime(2026, 5, 15, 2, 0, 0)


def breach_notes():
    return list(Notification.select().where(Notification.kind == "service.breach").order_by(Notification.id))


def test_targets_follow_the_admins_values_per_priority(app, team, make_item, frozen_clock, client, login):
    frozen_clock(T0)
    login(client, team["admin"])
    form = {"assign_position": "None", "default_owner": "None", "public_form_enabled": "y", "public_limit": "5",
            "public_window_minutes": "60"}
    for p in ("low", "normal", "high", "urgent"):
        form[f"response_{p}"], form[f"resolution_{p}"] = "4", "48"
    form["response_urgent"], form["resolution_urgent"] = "0.5", "6"
    assert client.post("/service/settings", data=form).status_code == 302
    assert ServiceTarget.get(ServiceTarget.priority == "urgent").response_minutes == 30
    item = make_item("complaint", team["owner"], priority="urgent")
    assert item.response_due_at == T0 + dt.timedelta(minutes=30)
    assert item.resolution_due_at == T0 + dt.timedelta(hours=6)


def test_settings_refuse_nonsense_targets(app, team, client, login):
    login(client, team["admin"])
    form = {"assign_position": "None", "default_owner": "None", "public_limit": "5", "public_window_minutes": "60"}
    for p in ("low", "normal", "high", "urgent"):
        form[f"response_{p}"], form[f"resolution_{p}"] = "4", "48"
    form["response_low"], form["resolution_high"] = "-1", "1"
    assert client.post("/service/settings", data=form).status_code == 400
    assert ServiceTarget.get(ServiceTarget.priority == "low").response_minutes == 24 * 60


def test_breach_notifies_superiors_once_even_when_the_job_runs_twice(app, team, make_item, frozen_clock):
    frozen_clock(T0)
    item = make_item("feedback", team["owner"], priority="high")            # respond within 2 h
    frozen_clock(T0 + dt.timedelta(hours=3))
    assert services.check_breaches() == 2                    # both holders of Dept A, the position above
    assert services.check_breaches() == 0
    notes = breach_notes()
    assert sorted(n.user_id for n in notes) == sorted([team["boss"].id, team["deputy"].id])
    assert {n.link for n in notes} == {f"/service/feedback/{item.id}"}
    assert Feedback.get_by_id(item.id).response_breached_at is not None
    assert ServiceEvent.select().where(ServiceEvent.kind == "breach").count() == 1


def test_breach_is_notified_once_when_two_schedulers_run_at_the_same_time(app, team, make_item, frozen_clock):
    frozen_clock(T0)
    for n in range(5):
        make_item("complaint", team["owner"], subject=f"late {n}", priority="urgent")
    frozen_clock(T0 + dt.timedelta(hours=1))
    job = next(j for j in all_jobs(app) if j.id == "service.check_targets")
    results = run_at_once(lambda: run_job(app, job), 3)
    assert sum(results) == 10                                # 5 breaches × the two holders of Dept A
    assert len(breach_notes()) == 10
    assert len({n.key for n in breach_notes()}) == 10


def test_responded_and_handled_items_do_not_breach(app, team, make_item, frozen_clock, client, login):
    frozen_clock(T0)
    replied = make_item("feedback", team["owner"], priority="high", subject="replied")
    handled = make_item("feedback", team["owner"], priority="high", subject="handled")
    login(client, team["owner"])
    client.post(f"/service/feedback/{replied.id}/reply", data={"body": "We are on it.", "to_customer": "y"})
    client.post(f"/service/feedback/{handled.id}/status", data={"status": "resolved", "resolution": "Done"})
    frozen_clock(T0 + dt.timedelta(hours=3))
    assert services.check_breaches() == 0
    frozen_clock(T0 + dt.timedelta(days=3))              # resolution target of "high": 2 days
    assert services.check_breaches() == 2                # the replied one, to both holders of Dept A
    assert all("replied" in n.title for n in breach_notes()) and len(breach_notes()) == 2


def test_both_targets_breach_separately_and_go_to_the_parent_position(app, team, make_item, frozen_clock):
    frozen_clock(T0)
    make_item("complaint", team["boss"], priority="urgent")    # boss's parent position: class A (lead)
    frozen_clock(T0 + dt.timedelta(days=1))
    assert services.check_breaches() == 2
    assert {n.user_id for n in breach_notes()} == {team["lead"].id}
    assert {n.key.split(":")[4] for n in breach_notes()} == {"response", "resolution"}


def test_a_reopened_item_can_breach_again(app, team, make_item, frozen_clock):
    frozen_clock(T0)
    item = make_item("complaint", team["owner"], priority="urgent", status="in_progress")
    frozen_clock(T0 + dt.timedelta(hours=9))
    assert services.check_breaches() == 2                      # resolution (8 h), to both holders of Dept A
    services.change_status("complaint", item, team["owner"], "resolved")
    frozen_clock(T0 + dt.timedelta(hours=10))
    item = Complaint.get_by_id(item.id)
    services.change_status("complaint", item, team["owner"], "reopened")
    assert Complaint.get_by_id(item.id).resolved_at is None
    frozen_clock(T0 + dt.timedelta(hours=19))
    assert services.check_breaches() == 2
    assert len(breach_notes()) == 4


def test_an_assignee_without_superior_position_escalates_to_administrators(app, team, make_user, make_item,
                                                                            frozen_clock):
    frozen_clock(T0)
    loner = make_user("loner")
    make_item("feedback", loner, priority="urgent")
    frozen_clock(T0 + dt.timedelta(hours=1))
    services.check_breaches()
    assert {n.user_id for n in breach_notes()} == {team["admin"].id}


def test_overdue_items_are_marked_in_lists_and_filterable(app, team, make_item, frozen_clock, client, login):
    frozen_clock(T0)
    late = make_item("feedback", team["owner"], priority="urgent", subject="late one")
    make_item("feedback", team["owner"], priority="low", subject="fine one")
    frozen_clock(T0 + dt.timedelta(hours=1))
    login(client, team["owner"])
    html = client.get("/service/feedback/?tab=open").get_data(as_text=True)
    assert html.count("data-overdue") == 1
    html = client.get("/service/feedback/?tab=open&overdue=1").get_data(as_text=True)
    assert "late one" in html and "fine one" not in html
    assert f'data-item="feedback-{late.id}"' in html
    home = client.get("/").get_data(as_text=True)
    assert 'data-overdue-count>1<' in home and 'data-open-count>2<' in home
