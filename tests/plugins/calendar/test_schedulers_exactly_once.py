"""Two real ``zhixin scheduler`` processes, one killed (SIGKILL) in the middle of sending an e-mail and
started again: every calendar reminder is made once and every notification e-mailed once, through a real
SMTP server. Nothing is timed: the test waits for conditions (generous deadlines) and the kill is made
deterministic by an SMTP server that holds the first message until its sender has been killed."""
import collections
import datetime as dt
import os
import re
import signal
import subprocess
import sys
import time

import pytest

from core import clock, notify
from core.models import Notification
from plugins.calendar.models import CalendarInvitee
from tests.plugins.calendar.conftest import make_event
from tests.smtp import Inbox, smtp_server

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
DEADLINE = 180  # seconds; only ever reached when something is wrong
LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ INFO core\.scheduler: job calendar\.reminders ok after "
                      r"[\d.]+s: \d+$", re.M)


def wait_for(condition, what):
    deadline = time.monotonic() + DEADLINE
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting: {what}")
        time.sleep(0.2)


@pytest.fixture
def start_scheduler(database_url, tmp_path):
    """``start_scheduler(port)`` starts ``zhixin scheduler`` (this worktree's code) on the test database."""
    started = []

    def start(port):
        env = dict(os.environ, PYTHONPATH=ROOT, ZHIXIN_DATABASE_URL=database_url, ZHIXIN_PLUGINS="calendar",
                   ZHIXIN_SMTP_HOST="127.0.0.1", ZHIXIN_SMTP_PORT=str(port), ZHIXIN_SECRET_KEY="test-secret",
                   ZHIXIN_INSTANCE_PATH=str(tmp_path / "instance"), ZHIXIN_EMAIL_LEASE_SECONDS="5",
                   ZHIXIN_SCHEDULER_INTERVAL_SECONDS="1")
        log = tmp_path / f"scheduler-{len(started)}.log"
        with open(log, "w") as err:
            proc = subprocess.Popen([sys.executable, "-m", "core.cli", "scheduler"], cwd=ROOT, env=env,
                                    stdout=subprocess.DEVNULL, stderr=err)
        proc.log_path = log
        started.append(proc)
        return proc
    yield start
    for proc in started:
        if proc.poll() is None:
            proc.kill()
        proc.wait()


def test_two_schedulers_one_killed_mid_send_deliver_each_reminder_and_email_once(
        make_app, make_user, start_scheduler):
    inbox = Inbox()
    inbox.hold_next()
    with smtp_server(inbox) as port:
        app = make_app(plugins=["calendar"], SMTP_HOST="127.0.0.1", SMTP_PORT=port)
        with app.app_context():
            now = clock.real_utcnow().replace(microsecond=0)
            alice = make_user("alice", email="alice@example.cn", language="en")
            bob = make_user("bob", email="bob@example.cn", language="en")
            soon = make_event(alice, "Planning", start=now + dt.timedelta(minutes=30), reminder_minutes=60)
            CalendarInvitee.create(event=soon.id, user=bob.id, answer="accepted")
            started = make_event(alice, "Standup", start=now - dt.timedelta(minutes=5), reminder_minutes=0)
            make_event(bob, "Later", start=now + dt.timedelta(hours=3), reminder_minutes=15)
            for i in range(3):
                notify.send(bob if i % 2 else alice, f"Notice {i}")
            expected_reminders = {(soon.id, alice.id), (soon.id, bob.id), (started.id, alice.id)}

            first, second = start_scheduler(port), start_scheduler(port)
            wait_for(inbox.held.is_set, "a scheduler sending the first e-mail")
            holder = Notification.get(Notification.title == inbox.held_subject).email_claim
            victim = {first.pid: first, second.pid: second}[int(holder.split(":")[1])]
            victim.send_signal(signal.SIGKILL)
            victim.wait()
            inbox.release()
            start_scheduler(port)  # the killed one, started again

            def reminders():
                return {(int(n.key.split(":")[1]), n.user_id)
                        for n in Notification.select().where(Notification.kind == "calendar_reminder")}

            def settled():
                return reminders() == expected_reminders and not Notification.select().where(
                    Notification.email_pending).exists()
            wait_for(settled, "every reminder made and every e-mail sent")
            notes = list(Notification.select())
            resent = Notification.get(Notification.title == inbox.held_subject)
        survivor = first if victim is second else second
        survivor.send_signal(signal.SIGTERM)
        survivor.wait()
    received = collections.Counter((m["To"], m["Subject"]) for m in inbox.messages)
    by_user = {alice.id: "alice@example.cn", bob.id: "bob@example.cn"}
    assert received == collections.Counter((by_user[n.user_id], n.title) for n in notes)  # each exactly once
    assert len(notes) == 6 and all(n.emailed_at for n in notes)
    assert resent.email_resent and resent.email_attempts == 2
    assert [m[notify.RESENT_HEADER] is not None for m in inbox.messages].count(True) == 1
    assert [m for m in inbox.messages if m["Subject"] == inbox.held_subject][0][notify.RESENT_HEADER]
    assert LOG_LINE.search(survivor.log_path.read_text())  # time, job, duration and result on stderr
