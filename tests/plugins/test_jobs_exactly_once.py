"""Every bundled plugin's writing job, run by several schedulers at the same moment on the demo school: no run
fails on a busy database, each piece of work is claimed once (what the runs report adds up to the rows made),
and a later run finds nothing left to do."""
import collections

from core import scheduler
from core.demo import load_demo
from core.models import Notification
from plugins.forecast.models import Snapshot
from plugins.reports import builder, service as reports
from plugins.reports.models import SavedReport
from tests.concurrency import run_at_once

# job -> the notification kinds it makes
KINDS = {"campaigns.reminders": ("campaign_task_due", "campaign_task_campaign_end", "campaign_end"),
         "service.check_targets": ("service.breach",), "reports.deliver": ("report",),
         "calendar.reminders": ("calendar_reminder",)}


def test_every_bundled_job_run_by_three_schedulers_at_once_does_each_thing_once(make_app):
    app = make_app()
    load_demo(app, "Demo-pass-2026!", admin_password="Admin-pass-2026!", classes=1, departments=1,
              progress=lambda *_: None)
    with app.app_context():
        runs = run_at_once(lambda: scheduler.run_once(app), 3)
        failed = [(job, result) for run in runs for job, result in run.items() if isinstance(result, Exception)]
        assert failed == []
        made = collections.Counter(n.kind for n in Notification.select())
        for job, kinds in KINDS.items():
            assert sum(run[job] for run in runs) == sum(made[k] for k in kinds), job
        assert sum(sum(run["forecast.quarter_snapshot"].values()) for run in runs) == Snapshot.select().count()
        assert sum(made.values()) > 0 and Snapshot.select().count() > 0
        again = scheduler.run_once(app)
        assert [again[job] for job in KINDS] == [0] * len(KINDS) and again["forecast.quarter_snapshot"] == {}


def test_scheduled_reports_delivered_by_several_schedulers_at_once_reach_each_owner_once(app, make_school, login):
    users = [u for key, u in make_school().items() if key != "positions"]
    spec = builder.clean({"type": "account", "groups": [{"field": "industry"}],
                          "aggregates": [{"func": "count"}], "chart": "bar"})
    for user in users:
        for schedule in ("daily", "weekly", "monthly"):
            reports.save(SavedReport(), spec, user, f"Accounts {schedule}", schedule=schedule)
    job = [j for j in scheduler.all_jobs(app) if j.id == "reports.deliver"][0]
    assert sum(run_at_once(lambda: scheduler.run_job(app, job), 4)) == len(users) * 3
    html = login(app.test_client(), users[0]).get("/notifications").get_data(as_text=True)
    assert all(html.count(f"Report: Accounts {s}") == 1 for s in ("daily", "weekly", "monthly"))
