"""Deadline reminders: when they fire (organisation time zone), exactly once under concurrent schedulers,
catch-up after downtime, nothing for closed tasks or closed campaigns, the owner's end-of-campaign warning."""
import datetime as dt

from core import scheduler
from core.models import Notification, Organisation
from plugins.campaigns import reminders
from tests.plugins.campaigns.conftest import make_campaign, make_task
from tests.concurrency import run_at_once

# Shanghai is UTC+8 all year. Due 2026-05-18 09:00 local = 2026-05-18 01:00 UTC.
DUE = dt.datetime(2026, 5, 18, 1, 0)


def utc_for_local(y, m, d, hh=0, mm=0):
    return dt.datetime(y, m, d, hh, mm) - dt.timedelta(hours=8)


def keys():
    return sorted(n.key for n in Notification.select().order_by(Notification.key))


def kinds_for(user):
    return sorted(n.kind for n in Notification.select().where(Notification.user == user.id))


def test_due_reminder_starts_exactly_n_local_days_before(app, school, frozen_clock):
    owner = school["owner"]
    campaign = make_campaign(owner, end_date=dt.date(2026, 6, 30))
    make_task(campaign, owner, DUE)
    frozen_clock(utc_for_local(2026, 5, 14, 23, 59))          # local 14th, 4 days before: nothing
    assert reminders.run() == 0
    frozen_clock(utc_for_local(2026, 5, 15, 0, 0))            # local 15th 00:00 (UTC still the 14th)
    assert reminders.run() == 1
    assert kinds_for(owner) == ["campaign_task_due"]
    assert reminders.run() == 0                                # a second run sends nothing new


def test_organisation_time_zone_decides_the_day(app, school, frozen_clock):
    Organisation.update(timezone="America/New_York").where(Organisation.id == 1).execute()
    from flask import g
    g.pop("org_profile", None)
    owner = school["owner"]
    make_task(make_campaign(owner, end_date=dt.date(2026, 6, 30)), owner, DUE)   # local NY: 17th 21:00
    frozen_clock(dt.datetime(2026, 5, 14, 3, 59))             # NY 13th 23:59: 4 days before the 17th
    assert reminders.run() == 0
    frozen_clock(dt.datetime(2026, 5, 14, 4, 0))              # NY 14th 00:00
    assert reminders.run() == 1


def test_reminder_days_per_campaign_and_zero_switches_off(app, school, frozen_clock):
    owner = school["owner"]
    frozen_clock(utc_for_local(2026, 5, 16, 12))               # two local days before DUE
    far = make_task(make_campaign(owner, "一天", reminder_days=1, end_date=dt.date(2026, 6, 30)), owner, DUE)
    off = make_task(make_campaign(owner, "关闭", reminder_days=0, end_date=dt.date(2026, 6, 30)), owner, DUE)
    Organisation.update(reminder_days=0).where(Organisation.id == 1).execute()
    from flask import g
    g.pop("org_profile", None)
    default = make_task(make_campaign(owner, "默认", end_date=dt.date(2026, 6, 30)), owner, DUE)
    assert reminders.run() == 0
    frozen_clock(utc_for_local(2026, 5, 17, 0))
    assert reminders.run() == 1
    assert keys() == [f"campaigns:task:{far.id}:due:202605180100"]
    assert off.id and default.id


def test_nothing_for_done_or_cancelled_tasks_or_closed_campaigns(app, school, frozen_clock):
    owner = school["owner"]
    frozen_clock(utc_for_local(2026, 5, 17, 9))
    live = make_campaign(owner, end_date=dt.date(2026, 5, 18))
    make_task(live, owner, DUE, status="done")
    make_task(live, owner, DUE, status="cancelled")
    for status in ("completed", "cancelled"):
        make_task(make_campaign(owner, status, status=status, end_date=dt.date(2026, 5, 18)), owner, DUE)
    assert reminders.run() == 0
    assert Notification.select().count() == 0


def test_campaign_end_reminds_assignees_and_the_owner_once(app, school, frozen_clock):
    owner, sub, peer = school["owner"], school["subordinate"], school["peer"]
    frozen_clock(utc_for_local(2026, 5, 28, 8))
    campaign = make_campaign(owner, "月底结束", end_date=dt.date(2026, 5, 31))
    make_task(campaign, sub, dt.datetime(2026, 6, 20), "甲")                    # due long after: no due reminder
    make_task(campaign, peer, dt.datetime(2026, 6, 21), "乙", status="in_progress")
    make_task(campaign, peer, dt.datetime(2026, 6, 22), "丙", status="done")
    assert reminders.run() == 3
    assert kinds_for(sub) == ["campaign_task_campaign_end"]
    assert kinds_for(peer) == ["campaign_task_campaign_end"]
    assert kinds_for(owner) == ["campaign_end"]
    note = Notification.get(Notification.user == owner.id)
    assert "2" in note.title and note.link == f"/campaigns/{campaign.id}"
    assert reminders.run() == 0
    frozen_clock(utc_for_local(2026, 6, 1, 8))               # after the end: no more end reminders
    assert reminders.run() == 0


def test_catch_up_after_downtime_sends_what_became_due_meanwhile(app, school, frozen_clock):
    owner = school["owner"]
    frozen_clock(utc_for_local(2026, 5, 1, 9))
    campaign = make_campaign(owner, end_date=dt.date(2026, 5, 20))
    first = make_task(campaign, owner, DUE, "第一")
    second = make_task(campaign, owner, DUE + dt.timedelta(days=1), "第二")
    assert reminders.run() == 0
    # the scheduler was down from the 1st until the 19th: every reminder that came due meanwhile is sent
    frozen_clock(utc_for_local(2026, 5, 19, 9))
    # two due reminders (the first task is overdue by now), two campaign-end ones, one to the owner
    assert reminders.run() == 5
    assert set(keys()) >= {f"campaigns:task:{first.id}:due:202605180100",
                           f"campaigns:task:{second.id}:due:202605190100"}


def test_moving_the_due_date_reminds_again(app, school, frozen_clock):
    owner = school["owner"]
    frozen_clock(utc_for_local(2026, 5, 16, 9))
    task = make_task(make_campaign(owner, end_date=dt.date(2026, 6, 30)), owner, DUE)
    assert reminders.run() == 1
    task.due_at = DUE + dt.timedelta(days=1)
    task.save()
    assert reminders.run() == 1
    assert reminders.run() == 0


def test_two_schedulers_at_once_send_each_reminder_exactly_once(app, school, frozen_clock, positions, make_user):
    frozen_clock(utc_for_local(2026, 5, 28, 8))
    owner = school["owner"]
    others = [make_user(f"student{i}", position=positions["sales_a"]) for i in range(4)]
    for c in range(3):
        campaign = make_campaign(owner, f"活动{c}", end_date=dt.date(2026, 5, 30))
        for i, user in enumerate(others):
            make_task(campaign, user, utc_for_local(2026, 5, 29, 10 + i), f"任务{c}-{i}")
    job = next(j for j in scheduler.all_jobs(app) if j.id == "campaigns.reminders")
    results = run_at_once(lambda: scheduler.run_job(app, job), 2)
    expected = 3 * 4 * 2 + 3          # per task: due + campaign end; per campaign: the owner
    assert sum(results) == expected
    assert Notification.select().count() == expected
    assert len(set(keys())) == expected


def test_scheduler_once_runs_the_reminder_job(app, school, frozen_clock):
    owner = school["owner"]
    frozen_clock(utc_for_local(2026, 5, 16, 9))
    make_task(make_campaign(owner, end_date=dt.date(2026, 6, 30)), owner, DUE)
    results = scheduler.run_once(app)
    assert results["campaigns.reminders"] == 1
    assert Notification.select().count() == 1


def test_zhixin_scheduler_once_cli_runs_the_job(make_app, tmp_path, monkeypatch, database_url):
    from click.testing import CliRunner
    from core.cli import main
    make_app(plugins=["campaigns"])
    monkeypatch.setenv("ZHIXIN_DATABASE_URL", database_url)
    monkeypatch.setenv("ZHIXIN_PLUGINS", "campaigns")
    monkeypatch.setenv("ZHIXIN_INSTANCE_PATH", str(tmp_path / "cli-instance"))
    result = CliRunner().invoke(main, ["scheduler", "--once"])
    assert result.exit_code == 0, result.output
    assert "campaigns.reminders: ok" in result.output
