"""The job runner: ``zhixin scheduler`` runs every enabled plugin's jobs in one process (APScheduler 3,
BlockingScheduler in UTC). Several schedulers may overlap (a deploy, a restart) and one may die mid-run, so
every job is exactly-once in the database itself: it reads first, then writes in short transactions that
claim each piece of work once (``JobClaim.claim``, a unique notification key, ``UPDATE … WHERE`` still
unclaimed) — see docs/scheduler.md.

Each run is recorded in ``JobRun`` (started, finished, last success, result) and logged to stderr with its
duration. A starting scheduler runs at once every job that is due by its last successful run — never run,
missed while no scheduler ran, or failed — instead of waiting a full interval first."""
import datetime as dt
import logging
import time

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from core import clock, mail, migrate, notify
from core.db import db, transaction
from core.extension import Job
from core.models import JobRun, Organisation

log = logging.getLogger(__name__)
UTC = dt.timezone.utc


def core_jobs():
    return [Job("core.deliver_email", notify.deliver_email, "interval", {"minutes": 1},
                "Send pending notification e-mails"),
            Job("core.mail_outbox", mail.send_due, "interval", {"minutes": 1},
                "Send the queued e-mail to customers (core.mail)"),
            Job("core.mail_inbound", mail.fetch, "interval", {"minutes": 5},
                "File the replies in the IMAP mailbox on their records (core.mail.inbound)"),
            Job("core.planner_statistics", migrate.planner_statistics, "interval", {"hours": 24},
                "Refresh SQLite's query planner statistics (ANALYZE)")]


def all_jobs(app):
    jobs = core_jobs() + app.extensions["zhixin_plugins"].gather("zhixin_jobs")
    return sorted(jobs, key=lambda j: j.id)


def run_job(app, job):
    """Run one job inside an app context with its own connection, on the organisation's clock; record the run
    in ``JobRun`` and log its duration and result."""
    with app.app_context(), db.connection_context():
        clock.set_offset(Organisation.get_profile().clock_offset())
        _record(job.id, started_at=clock.real_utcnow())
        began = time.monotonic()  # a duration for the log only; no decision depends on it
        try:
            result = job.func(app)
        except Exception as exc:
            log.exception("job %s failed after %.2fs", job.id, time.monotonic() - began)
            _record(job.id, finished_at=clock.real_utcnow(), result=f"failed: {type(exc).__name__}: {exc}"[:500])
            raise
        log.info("job %s ok after %.2fs: %r", job.id, time.monotonic() - began, result)
        finished = clock.real_utcnow()
        _record(job.id, finished_at=finished, ok_at=finished, result=repr(result)[:500])
        return result


def _record(job_id, **values):
    def write():
        JobRun.insert(job=job_id).on_conflict_ignore().execute()
        JobRun.update(**values).where(JobRun.job == job_id).execute()
    transaction(write)


def run_once(app):
    """Run every job once, in id order (``zhixin scheduler --once``); returns {job id: result}."""
    results = {}
    for job in all_jobs(app):
        try:
            results[job.id] = run_job(app, job)
        except Exception as exc:  # one failing job must not stop the others
            results[job.id] = exc
    return results


def trigger_of(app, job):
    """The APScheduler trigger of ``job`` (in UTC); ``SCHEDULER_INTERVAL_SECONDS`` replaces every interval."""
    if job.trigger == "interval":
        every = app.config.get("SCHEDULER_INTERVAL_SECONDS")
        return IntervalTrigger(**({"seconds": every} if every else job.trigger_args), timezone=UTC)
    if job.trigger == "cron":
        return CronTrigger(**job.trigger_args, timezone=UTC)
    raise ValueError(f"job {job.id}: unknown trigger {job.trigger!r} (interval or cron)")


def first_run(trigger, last_ok, now):
    """When a scheduler starting at ``now`` first runs a job whose last success was ``last_ok`` (aware UTC, or
    None): at once when it is due by then (never succeeded, or its next time after that success has passed),
    else at that next time."""
    if last_ok is None:
        return now
    due = last_ok + trigger.interval if isinstance(trigger, IntervalTrigger) else \
        trigger.get_next_fire_time(None, last_ok)
    return now if due is None or due <= now else due


def last_successes(app):
    """{job id: its last successful run, aware UTC} from ``JobRun``."""
    with app.app_context(), db.connection_context():
        return {run.job: run.ok_at.replace(tzinfo=UTC)
                for run in JobRun.select().where(JobRun.ok_at.is_null(False))}


def plan(app, now):
    """[(job, trigger, first run time)] of every job for a scheduler starting at ``now`` (aware UTC)."""
    last = last_successes(app)
    out = []
    for job in all_jobs(app):
        trigger = trigger_of(app, job)
        out.append((job, trigger, first_run(trigger, last.get(job.id), now)))
    return out


def run_forever(app):
    scheduler = BlockingScheduler(timezone="UTC", job_defaults={"coalesce": True, "max_instances": 1,
                                                               "misfire_grace_time": 3600})
    for job, trigger, first in plan(app, clock.real_utcnow().replace(tzinfo=UTC)):
        scheduler.add_job(run_job, trigger, args=(app, job), id=job.id, next_run_time=first)
        log.info("scheduled %s (%s), first run at %s", job.id, trigger, first.isoformat(timespec="seconds"))
    scheduler.start()
