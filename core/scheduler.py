"""The job runner: ``zhixin scheduler`` runs every enabled plugin's jobs in one process (APScheduler 3,
BlockingScheduler in UTC). Jobs must still be idempotent in the database (``JobClaim.claim``)."""
import logging

from core import clock, notify
from core.db import db
from core.extension import Job
from core.models import Organisation

log = logging.getLogger(__name__)


def core_jobs():
    return [Job("core.deliver_email", notify.deliver_email, "interval", {"minutes": 1},
                "Send pending notification e-mails")]


def all_jobs(app):
    jobs = core_jobs() + app.extensions["zhixin_plugins"].gather("zhixin_jobs")
    return sorted(jobs, key=lambda j: j.id)


def run_job(app, job):
    """Run one job inside an app context with its own connection, on the organisation's clock."""
    with app.app_context(), db.connection_context():
        clock.set_offset(Organisation.get_profile().clock_offset())
        try:
            return job.func(app)
        except Exception:
            log.exception("job %s failed", job.id)
            raise


def run_once(app):
    """Run every job once, in id order (``zhixin scheduler --once``); returns {job id: result}."""
    results = {}
    for job in all_jobs(app):
        try:
            results[job.id] = run_job(app, job)
        except Exception as exc:  # one failing job must not stop the others
            results[job.id] = exc
    return results


def run_forever(app):
    from apscheduler.schedulers.blocking import BlockingScheduler
    scheduler = BlockingScheduler(timezone="UTC", job_defaults={"coalesce": True, "max_instances": 1,
                                                               "misfire_grace_time": 3600})
    for job in all_jobs(app):
        scheduler.add_job(run_job, job.trigger, args=(app, job), id=job.id, **job.trigger_args)
        log.info("scheduled %s (%s %s)", job.id, job.trigger, job.trigger_args)
    scheduler.start()
