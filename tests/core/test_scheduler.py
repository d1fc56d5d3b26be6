"""The scheduler: every run recorded (``JobRun``) and logged; a starting scheduler runs at once what is due by
each job's last success — never run, missed while no scheduler ran, or failed — and waits for the rest."""
import datetime as dt
import logging

import pytest

from core import scheduler
from core.models import JobRun
from tests.core import job_plugin

T = dt.datetime(2026, 5, 15, 3, 0)
UTC = dt.timezone.utc


@pytest.fixture
def app(make_app):
    app = make_app(plugins=["jobtest"], extra_plugins=[job_plugin])
    with app.app_context():
        yield app
    job_plugin.BROKEN["now"] = False


def aware(value):
    return value.replace(tzinfo=UTC)


def first_runs(app, now):
    return {job.id: first for job, _trigger, first in scheduler.plan(app, aware(now))}


def test_a_scheduler_started_for_the_first_time_runs_every_job_at_once(app, frozen_clock):
    assert set(first_runs(app, T).values()) == {aware(T)}


def test_a_restarted_scheduler_waits_only_for_jobs_that_ran_within_their_interval(app, frozen_clock):
    frozen_clock(T)
    results = scheduler.run_once(app)
    assert results["jobtest.flaky"] == "done" and results["jobtest.nightly"] == "night"
    expected = {job.id: aware(T + dt.timedelta(**job.trigger_args)) for job in scheduler.all_jobs(app)
                if job.trigger == "interval"}
    expected["jobtest.nightly"] = aware(dt.datetime.combine(T.date() + dt.timedelta(days=1), dt.time(2)))
    assert first_runs(app, T + dt.timedelta(seconds=30)) == expected
    next_day = T + dt.timedelta(days=1)           # every job missed at least once while no scheduler ran
    assert set(first_runs(app, next_day).values()) == {aware(next_day)}


def test_a_failed_run_is_recorded_logged_and_run_again_when_a_scheduler_starts(app, frozen_clock, caplog):
    frozen_clock(T)
    scheduler.run_once(app)
    job_plugin.BROKEN["now"] = True
    frozen_clock(T + dt.timedelta(minutes=10))
    with caplog.at_level(logging.INFO, logger="core.scheduler"):
        results = scheduler.run_once(app)
    assert isinstance(results["jobtest.flaky"], RuntimeError)
    run = JobRun.get(JobRun.job == "jobtest.flaky")
    assert run.ok_at == T and run.finished_at == T + dt.timedelta(minutes=10)
    assert run.result == "failed: RuntimeError: the mail relay is down"
    assert any(r.message.startswith("job jobtest.flaky failed after") for r in caplog.records)
    assert any(r.message.startswith("job jobtest.nightly ok after") and r.message.endswith("'night'")
               for r in caplog.records)
    assert first_runs(app, T + dt.timedelta(minutes=11))["jobtest.flaky"] == aware(T + dt.timedelta(minutes=11))
