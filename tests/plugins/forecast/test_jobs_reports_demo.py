"""The quarter-end snapshot job, the "Sales against quota" report and the demo quotas."""
import datetime as dt
import random
from decimal import Decimal

from core.models import JobClaim, Opportunity
from core.reports import ReportParams
from core import fiscal
from plugins.forecast import jobs, services
from plugins.forecast.models import Quota, Snapshot
from tests.plugins.forecast.conftest import stage

Q2 = fiscal.Quarter(2026, 2, 1)


def test_snapshot_once_per_quarter_and_idempotent(school, opp, frozen_clock):
    frozen_clock(dt.datetime(2026, 7, 1, 3, 0))           # Q2 has ended (Shanghai time)
    o = opp(school["alice"], "1000", "Closed Won")
    opp(school["alice"], "500", "Proposal", probability=60)
    services.set_quota(school["teacher"], school["bob"], Q2, Decimal("300"))
    assert jobs.run(None) == {"FY2026-Q2": 2}
    assert jobs.run(None) == {}                             # nothing due any more
    assert jobs.take_snapshot(Q2) == 0                      # a second scheduler cannot duplicate
    alice = Snapshot.get(Snapshot.user == school["alice"].id)
    assert (alice.closed, alice.expected, alice.best, alice.pipeline_count) == (
        Decimal("1000"), Decimal("1300"), Decimal("1500"), 1)
    assert alice.position_path == school["positions"]["sales_a"].path
    assert Snapshot.get(Snapshot.user == school["bob"].id).quota == Decimal("300")
    # later changes do not alter what was forecast then
    Opportunity.update(stage=stage("Closed Lost").id).where(Opportunity.id == o.id).execute()
    assert Snapshot.get(Snapshot.user == school["alice"].id).closed == Decimal("1000")


def test_missed_runs_catch_up(school, opp, frozen_clock):
    frozen_clock(dt.datetime(2026, 4, 2))
    assert jobs.run(None) == {"FY2026-Q1": 0}
    frozen_clock(dt.datetime(2026, 9, 15))                  # Q3 is not over: only Q2 is due
    opp(school["alice"], "10", "Closed Won", close_date=dt.date(2026, 8, 1))
    assert list(jobs.run(None)) == ["FY2026-Q2"]
    frozen_clock(dt.datetime(2027, 4, 15))                  # scheduler down for two quarters
    assert list(jobs.run(None)) == ["FY2026-Q3", "FY2026-Q4", "FY2027-Q1"]
    assert JobClaim.select().where(JobClaim.job == jobs.JOB_ID).count() == 5
    assert Snapshot.get(Snapshot.quarter_start == dt.date(2026, 7, 1)).closed == Decimal("10")


def test_snapshot_shown_on_my_forecast(school, opp, frozen_clock, fc_client, login):
    frozen_clock(dt.datetime(2026, 7, 2))
    opp(school["alice"], "1000", "Closed Won")
    jobs.run(None)
    login(fc_client, school["alice"])
    html = fc_client.get(f"/forecast/my?quarter={Q2.key}").get_data(as_text=True)
    assert "data-snapshot" in html


def test_snapshot_job_is_registered(fc_app):
    ids = [j.id for j in fc_app.extensions["zhixin_plugins"].gather("zhixin_jobs")]
    assert jobs.JOB_ID in ids


def test_sales_against_quota_report_respects_the_subtree(school, opp, frozen_clock):
    report = next(r for r in services_reports() if r.id == "forecast.sales_against_quota")
    assert report.family == "sales"
    opp(school["alice"], "400", "Closed Won")
    opp(school["carol"], "900", "Closed Won")
    services.set_quota(school["teacher"], school["alice"], Q2, Decimal("1000"))
    result = report.run(school["manager_a"], ReportParams(date_from=dt.date(2026, 4, 1)))
    assert [r["user"] for r in result.rows] == ["Alice"]
    assert result.rows[0]["attainment"] == Decimal("0.4")   # a fraction, as a report's percent column holds it
    teacher = report.run(school["teacher"], ReportParams(date_from=dt.date(2026, 4, 1)))
    assert {r["user"] for r in teacher.rows} == {"Alice", "Carol"}
    assert teacher.totals["closed"] == Decimal("1300")
    narrowed = report.run(school["teacher"], ReportParams(position_id=school["positions"]["class_b"].id))
    assert [r["user"] for r in narrowed.rows] == ["Carol"]
    peer = report.run(school["bob"], ReportParams())
    assert peer.rows == []


def services_reports():
    from flask import current_app
    return current_app.extensions["zhixin_plugins"].gather("zhixin_reports")


def test_demo_quotas(school, frozen_clock):
    from plugins.forecast import demo
    users = [school[n] for n in ("teacher", "lead_a", "manager_a", "alice", "bob", "outsider")]
    demo.load(users, random.Random(1))
    assert Quota.select().count() == 4 * 3                  # everyone below the teacher, three quarters
    assert services.quotas_for(None, fiscal.current_quarter())[school["alice"].id] > 0


def test_report_runs_inside_the_reports_plugin(make_app, make_user, login):
    """Through the reports plugin's own page (both plugins on): the report renders with its figures."""
    from core import positions as P
    app = make_app(plugins=["forecast", "reports"])
    with app.app_context():
        top = P.create("Teacher")
        sales = P.create("Sales", top)
        teacher = make_user("teacher", top, language="en")
        alice = make_user("alice", sales, full_name="Alice Report")
        services.set_quota(teacher, alice, fiscal.current_quarter(), Decimal("1000"))
        client = app.test_client()
        login(client, teacher)
        page = client.get("/reports/run/forecast.sales_against_quota")
        assert page.status_code == 200
        assert "Alice Report" in page.get_data(as_text=True)
        assert "forecast.sales_against_quota" in client.get("/reports/family/sales").get_data(as_text=True)
