"""E-mail exactly once: a scheduler sends a notification e-mail under a lease; no other scheduler touches it
meanwhile, and one whose sender died mid-send is sent again once, marked, then given up."""
import datetime as dt
import threading

import pytest

from core import notify, scheduler
from core.db import db
from core.models import Notification
from tests.core.english import make_app  # noqa: F401  (English default language)
from tests.migrations import run_steps
from tests.smtp import Inbox, smtp_server

T = dt.datetime(2026, 5, 15, 2, 0)


@pytest.fixture
def inbox():
    return Inbox()


@pytest.fixture
def mail_app(make_app, inbox):
    with smtp_server(inbox) as port:
        app = make_app(plugins=[], SMTP_HOST="127.0.0.1", SMTP_PORT=port, EMAIL_LEASE_SECONDS=600)
        with app.app_context():
            yield app


def killed_mid_send(note, resent=False):
    """The row as a scheduler killed while sending it leaves it: claimed, its lease run out."""
    Notification.update(email_attempts=note.email_attempts + 1, email_claim="gone:1:feed", email_resent=resent,
                        email_lease_until=T - dt.timedelta(seconds=1)).where(Notification.id == note.id).execute()


def test_a_slow_send_is_never_taken_over_by_a_second_scheduler(mail_app, inbox, make_user, frozen_clock):
    frozen_clock(T)
    notify.send(make_user("alice", email="alice@example.cn"), "Quarter closes")
    inbox.hold_next()
    sending = threading.Thread(target=lambda: notify.deliver_email(mail_app))
    sending.start()
    assert inbox.held.wait(60)                   # the first scheduler is in the middle of sending it
    frozen_clock(T + dt.timedelta(minutes=9))    # a slow server: longer than any back-off, within the lease
    assert notify.deliver_email(mail_app) == 0   # the second scheduler leaves it alone
    inbox.release()
    sending.join(60)
    assert inbox.messages == []                  # the held message was refused (451) and none other was sent


def test_a_send_interrupted_by_a_crash_is_sent_again_once_marked(mail_app, inbox, make_user, frozen_clock):
    frozen_clock(T)
    alice = make_user("alice", email="alice@example.cn")
    notify.send(alice, "Interrupted once")
    notify.send(alice, "Interrupted twice")
    once, twice = Notification.select().order_by(Notification.id)
    killed_mid_send(once)
    killed_mid_send(twice, resent=True)          # already sent again once, and interrupted again
    assert notify.deliver_email(mail_app) == 1
    assert notify.deliver_email(mail_app) == 0
    [message] = inbox.messages
    assert message["Subject"] == "Interrupted once" and message[notify.RESENT_HEADER]
    once, twice = Notification.select().order_by(Notification.id)
    assert once.email_resent and once.emailed_at and not once.email_pending and once.email_lease_until is None
    assert twice.email_failed_at and not twice.email_pending and twice.email_error == notify.INTERRUPTED_TWICE


def test_a_first_send_carries_no_resent_mark(mail_app, inbox, make_user, frozen_clock):
    frozen_clock(T)
    notify.send(make_user("alice", email="alice@example.cn"), "Plain")
    assert notify.deliver_email(mail_app) == 1
    assert inbox.messages[0][notify.RESENT_HEADER] is None and not Notification.get().email_resent


def test_the_migration_gives_an_older_database_the_send_state_and_the_job_runs(mail_app, inbox, make_user,
                                                                               frozen_clock):
    run_steps("core.migrations.0009_jobs_exactly_once", "down")
    assert "job_run" not in db.get_tables()
    assert "email_lease_until" not in {c.name for c in db.get_columns("notification")}
    run_steps("core.migrations.0009_jobs_exactly_once", "up")
    assert "job_run" in db.get_tables()
    frozen_clock(T)
    notify.send(make_user("alice", email="alice@example.cn"), "After the upgrade")
    assert scheduler.run_once(mail_app)["core.deliver_email"] == 1
    assert [m["Subject"] for m in inbox.messages] == ["After the upgrade"]
