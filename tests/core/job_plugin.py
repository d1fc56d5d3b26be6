"""An in-process test plugin with two jobs: a nightly one (cron) and one that fails while ``BROKEN`` says so."""
from core import hookimpl
from core.extension import Job

NAME = "jobtest"
VERSION = "0.1"
DESCRIPTION = "Jobs for the scheduler's tests"
REQUIRES = ()
HOOKS = __name__

BROKEN = {"now": False}


def flaky(app):
    if BROKEN["now"]:
        raise RuntimeError("the mail relay is down")
    return "done"


@hookimpl
def zhixin_jobs():
    return [Job("jobtest.nightly", lambda app: "night", "cron", {"hour": 2}),
            Job("jobtest.flaky", flaky, "interval", {"minutes": 10})]
