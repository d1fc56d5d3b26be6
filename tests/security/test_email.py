"""E-mail delivery (issue 15 item 8), through a real local SMTP sink (aiosmtpd): a line break in a title
(anyone can type one into the public form's subject) adds no header and stops no mail; a message the server
refuses is marked with its error and retried with a growing back-off, never holding back the others."""
import datetime as dt
import socket

import pytest
from aiosmtpd.controller import Controller

from core import clock, notify
from core.models import Notification
from tests.plugins.service.conftest import public_post, set_rule

START = dt.datetime(2026, 5, 15, 2, 0)


class Sink:
    """Keeps what it receives; refuses every recipient at ``refused.example``."""
    def __init__(self):
        self.messages = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.endswith("@refused.example"):
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def sink():
    with socket.socket() as probe:          # a free port (aiosmtpd cannot start on port 0)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = Sink()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield port, handler
    controller.stop()


@pytest.fixture
def app(make_app, sink, frozen_clock):
    frozen_clock(START)
    app = make_app(plugins=["service"], SERVICE_MIN_FILL_SECONDS=0, SMTP_HOST="127.0.0.1", SMTP_PORT=sink[0])
    with app.app_context():
        yield app


def submit(app, desk, **fields):
    """A customer posts the public form; the rule hands it to ``desk``, who is notified (and e-mailed)."""
    set_rule(default_owner=desk)
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = f"192.0.2.{desk.id}"
    assert public_post(client, **fields).status_code == 302


def test_a_line_break_in_a_public_subject_adds_no_header_and_stops_no_mail(app, sink, make_user):
    desk = make_user("desk", email="desk@example.edu.cn")
    submit(app, desk, subject="包裹迟到\r\nBcc: victim@example.com\r\n\r\n伪造正文")
    submit(app, desk, subject="发票有误")
    assert notify.deliver_email(app) == 2
    first, second = sink[1].messages
    headers = first.content.split(b"\r\n\r\n", 1)[0].decode()
    assert first.rcpt_tos == ["desk@example.edu.cn"] and "\nBcc:" not in headers
    subject = [line for line in headers.splitlines() if line.startswith("Subject:")]
    assert len(subject) == 1 and "\r" not in subject[0]
    assert b"Subject:" in second.content
    assert not Notification.select().where(Notification.email_pending).exists()


def test_a_refused_message_backs_off_and_is_marked_failed_without_holding_back_others(app, sink, make_user,
                                                                                       frozen_clock):
    gone, desk = make_user("gone", email="gone@refused.example"), make_user("desk", email="desk@example.edu.cn")
    submit(app, gone, subject="第一条")
    submit(app, desk, subject="第二条")
    assert notify.deliver_email(app) == 1 and [m.rcpt_tos for m in sink[1].messages] == [["desk@example.edu.cn"]]
    note = Notification.get(Notification.user == gone.id)
    assert note.email_pending and note.email_attempts == 1 and "550" in note.email_error
    assert note.email_retry_at == START + dt.timedelta(minutes=notify.EMAIL_RETRY_MINUTES)
    assert notify.deliver_email(app) == 0                                   # not again at once
    assert Notification.get_by_id(note.id).email_attempts == 1
    waited = dt.timedelta()
    for attempt in range(2, notify.MAX_EMAIL_ATTEMPTS + 1):
        waited += dt.timedelta(minutes=notify.EMAIL_RETRY_MINUTES * 2 ** (attempt - 2))
        frozen_clock(START + waited)
        notify.deliver_email(app)
        assert Notification.get_by_id(note.id).email_attempts == attempt   # each back-off twice the last
    note = Notification.get_by_id(note.id)
    assert not note.email_pending and note.email_failed_at == clock.real_utcnow() and "550" in note.email_error
    assert note.emailed_at is None and len(sink[1].messages) == 1


def test_header_values_are_one_short_line():
    assert notify.header_value("a\r\nBcc: x@example.com\x00\tb") == "a Bcc: x@example.com b"
    assert len(notify.header_value("长" * 500)) == notify.HEADER_LIMIT
