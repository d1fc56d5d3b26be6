"""Reminder e-mails through a real local SMTP server (aiosmtpd): delivered once, and when the server is down
the notification stays and the mail is retried after a back-off."""
import datetime as dt
import email
import socket
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller

from core import notify, scheduler
from core.db import db
from core.models import Notification
from tests.plugins.campaigns.conftest import make_campaign, make_task

DUE = dt.datetime(2026, 5, 18, 1, 0)


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=default_policy))
        return "250 OK"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_port():
    return free_port()


def start_server(port):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, inbox


def run_all(app):
    results = scheduler.run_once(app)
    assert not [r for r in results.values() if isinstance(r, Exception)], results
    return results


def setup_task(app, school_users, frozen_clock):
    frozen_clock(dt.datetime(2026, 5, 16, 1, 0))
    owner = school_users
    with app.app_context(), db.connection_context():
        make_task(make_campaign(owner, "邮件活动", end_date=dt.date(2026, 6, 30)), owner, DUE, "寄出样品")


@pytest.fixture
def smtp_app(make_app, smtp_port, make_user):
    app = make_app(plugins=["campaigns"], SMTP_HOST="127.0.0.1", SMTP_PORT=smtp_port,
                   SMTP_FROM="crm@example.edu.cn")
    with app.app_context(), db.connection_context():
        owner = make_user("owner", email="owner@example.edu.cn", language="zh")
    return app, owner


def test_reminder_is_mailed_once(smtp_app, smtp_port, frozen_clock):
    app, owner = smtp_app
    setup_task(app, owner, frozen_clock)
    controller, inbox = start_server(smtp_port)
    try:
        results = run_all(app)
        assert results["campaigns.reminders"] == 1 and results["core.deliver_email"] == 1
        run_all(app)
    finally:
        controller.stop()
    assert len(inbox.messages) == 1
    message = inbox.messages[0]
    assert message["To"] == "owner@example.edu.cn"
    assert "寄出样品" in message["Subject"]
    with app.app_context(), db.connection_context():
        note = Notification.get()
        assert not note.email_pending and note.emailed_at is not None


def test_smtp_failure_keeps_the_notification_and_retries_later(smtp_app, smtp_port, frozen_clock):
    app, owner = smtp_app
    setup_task(app, owner, frozen_clock)
    results = run_all(app)                       # nothing listens on the port: the mail fails
    assert results["campaigns.reminders"] == 1 and results["core.deliver_email"] == 0
    with app.app_context(), db.connection_context():
        note = Notification.get()
        assert note.email_pending and note.email_attempts == 1 and note.read_at is None
    assert run_all(app)["core.deliver_email"] == 0   # backing off: not tried again at once
    frozen_clock(dt.datetime(2026, 5, 16, 1, notify.EMAIL_RETRY_MINUTES))
    controller, inbox = start_server(smtp_port)  # the server is back
    try:
        results = run_all(app)
    finally:
        controller.stop()
    assert results["campaigns.reminders"] == 0 and results["core.deliver_email"] == 1
    assert len(inbox.messages) == 1 and "寄出样品" in inbox.messages[0]["Subject"]
    with app.app_context(), db.connection_context():
        note = Notification.get()
        assert not note.email_pending and note.email_attempts == 2
        assert Notification.select().count() == 1
