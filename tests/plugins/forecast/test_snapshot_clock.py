"""The quarter-end snapshot follows real time: a teaching clock moved past the quarter's end takes it ahead,
marked, and the real quarter end retakes it — one correct snapshot remains."""
import datetime as dt
from decimal import Decimal

from core import scheduler
from core.db import db
from core.models import JobClaim, Organisation, User
from plugins.forecast import jobs
from plugins.forecast.models import Snapshot
from tests.migrations import run_steps

Q2_END_SHANGHAI = dt.datetime(2026, 6, 30, 16, 0)  # 1 July 00:00 in the organisation's zone (Asia/Shanghai)


def run(app):
    """The snapshot job as the scheduler runs it (on the organisation's clock)."""
    return scheduler.run_job(app, next(j for j in scheduler.all_jobs(app) if j.id == jobs.JOB_ID))


def shift(days):
    Organisation.update(clock_offset_seconds=days * 86400).where(Organisation.id == 1).execute()


def test_a_forward_shift_takes_the_quarter_ahead_and_the_real_end_retakes_it(
        school, opp, frozen_clock, fc_app, fc_client, login):
    frozen_clock(dt.datetime(2026, 6, 10, 3, 0))               # real time: Q2 runs until 30 June
    opp(school["alice"], "1000", "Closed Won", close_date=dt.date(2026, 6, 1))
    shift(44)                                                 # the lab's today: 24 July, Q2 is over
    assert run(fc_app) == {"FY2026-Q1": 0, "FY2026-Q2 (ahead)": 1}
    ahead = Snapshot.get(Snapshot.user == school["alice"].id)
    assert ahead.shifted and ahead.closed == Decimal("1000")
    assert ahead.taken_at == dt.datetime(2026, 6, 10, 3, 0)   # stamped in real time
    User.update(language="zh").where(User.id == school["alice"].id).execute()
    login(fc_client, school["alice"])
    html = fc_client.get("/forecast/my?quarter=FY2026-Q2").get_data(as_text=True)
    assert "data-snapshot-shifted" in html and "季度真正结束时将重新生成" in html
    assert run(fc_app) == {}                             # taken ahead once only
    shift(0)
    opp(school["alice"], "500", "Closed Won", close_date=dt.date(2026, 6, 20))  # the quarter goes on
    frozen_clock(Q2_END_SHANGHAI)                             # the real end of Q2
    assert run(fc_app) == {"FY2026-Q2": 1}
    snapshot = Snapshot.get(Snapshot.user == school["alice"].id)
    assert Snapshot.select().count() == 1
    assert (snapshot.shifted, snapshot.closed) == (False, Decimal("1500"))
    assert "data-snapshot-shifted" not in fc_client.get("/forecast/my?quarter=FY2026-Q2").get_data(as_text=True)
    assert run(fc_app) == {}


def test_without_a_shift_nothing_is_taken_before_the_real_end(school, opp, frozen_clock, fc_app):
    frozen_clock(dt.datetime(2026, 6, 30, 15, 0))              # 23:00 in Shanghai: Q2 not over yet
    opp(school["alice"], "1000", "Closed Won", close_date=dt.date(2026, 6, 1))
    run(fc_app)
    assert not Snapshot.select().where(Snapshot.quarter_start == dt.date(2026, 4, 1)).exists()
    shift(-30)                                                # a backward shift takes nothing ahead either
    frozen_clock(Q2_END_SHANGHAI)
    assert run(fc_app) == {"FY2026-Q2": 1}
    assert JobClaim.select().where(JobClaim.job == jobs.AHEAD_JOB_ID).count() == 0


def test_the_migration_adds_the_mark_to_an_older_database(school, opp, frozen_clock, fc_app):
    run_steps("plugins.forecast.migrations.0002_snapshot_shifted", "down")
    assert "shifted" not in {c.name for c in db.get_columns("forecast_snapshot")}
    run_steps("plugins.forecast.migrations.0002_snapshot_shifted", "up")
    assert "shifted" in {c.name for c in db.get_columns("forecast_snapshot")}
    unique = [i.columns for i in db.get_indexes("forecast_snapshot") if i.unique]
    assert ["user_id", "quarter_start"] in unique
    frozen_clock(Q2_END_SHANGHAI)
    opp(school["alice"], "10", "Closed Won", close_date=dt.date(2026, 6, 1))
    assert run(fc_app)["FY2026-Q2"] == 1
