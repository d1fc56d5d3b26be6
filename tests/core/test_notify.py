"""The notification centre: exactly-once keys, the bell, the notifications page, and e-mail delivery."""
import datetime as dt

import pytest

from core import notify
from core.models import Notification
from tests.core.english import make_app  # noqa: F401  (English default language)


@pytest.fixture
def app(make_app):
    app = make_app(plugins=[])
    with app.app_context():
        yield app


def test_a_key_makes_a_notification_exactly_once(app, make_user):
    user = make_user("alice")
    assert notify.send(user, "Reminder", key="task:1:due") is True
    assert notify.send(user, "Reminder", key="task:1:due") is False
    assert notify.send(user, "Free text") and notify.send(user.id, "Free text")
    assert Notification.select().count() == 3


def test_links_are_kept_on_this_site(app, make_user):
    user = make_user("alice")
    notify.send(user, "ok", link="/records/lead/1")
    notify.send(user, "bad", link="javascript:alert(1)")
    notify.send(user, "far", link="https://evil.example/")
    assert [n.link for n in Notification.select().order_by(Notification.id)] == ["/records/lead/1", "", ""]


def test_bell_page_and_marking_read(app, client, make_user, login):
    alice, bob = make_user("alice"), make_user("bob")
    first = Notification.get_by_id(Notification.insert(user=alice.id, title="First", created_at=dt.datetime(
        2026, 5, 1)).execute())
    notify.send(alice, "Second <b>bold</b>", body="details", link="/notifications")
    notify.send(bob, "For Bob")
    login(client, alice)
    html = client.get("/notifications").get_data(as_text=True)
    assert html.index("Second") < html.index("First")  # newest first
    assert "&lt;b&gt;bold&lt;/b&gt;" in html and "For Bob" not in html
    assert "data-unread>2<" in html
    assert client.post(f"/notifications/{first.id}/read").status_code == 302
    assert "data-unread>1<" in client.get("/").get_data(as_text=True)
    bobs = Notification.get(Notification.title == "For Bob")
    assert client.post(f"/notifications/{bobs.id}/read").status_code == 404  # not hers
    assert Notification.get_by_id(bobs.id).read_at is None
    response = client.post("/notifications/read-all", follow_redirects=True)
    assert "1 notifications marked as read." in response.get_data(as_text=True)
    assert "data-unread" not in client.get("/").get_data(as_text=True)
    assert notify.unread_count(bob) == 1


def test_empty_and_paginated_notifications(make_app, make_user, login):
    app = make_app(plugins=[], PAGE_SIZE=3)
    with app.app_context():
        alice = make_user("alice")
        client = login(app.test_client(), alice)
        assert "No notifications." in client.get("/notifications").get_data(as_text=True)
        for i in range(7):
            notify.send(alice, f"note {i}")
        page3 = client.get("/notifications?page=3").get_data(as_text=True)
        assert page3.count("data-notification=") == 1 and "7 in all" in page3
        assert client.get("/notifications?page=9").status_code == 404


def test_notifications_need_login(client):
    assert client.get("/notifications").status_code == 302


def test_pending_emails_are_sent_once_and_failures_retried(make_app, make_user):
    from aiosmtpd.controller import Controller

    class Inbox:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):
            self.messages.append(envelope)
            return "250 OK"

    import socket
    with socket.socket() as probe:  # a free port (aiosmtpd cannot start on port 0)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        app = make_app(plugins=[], SMTP_HOST="127.0.0.1", SMTP_PORT=port)
        with app.app_context():
            alice = make_user("alice", email="alice@example.cn")
            make_user("nomail")
            notify.send(alice, "Quarter closes", body="Submit your forecast", link="/forecast/")
            notify.send(1 + alice.id, "No address")
            assert notify.deliver_email(app) == 1
            assert notify.deliver_email(app) == 0  # never twice
            assert len(inbox.messages) == 1 and inbox.messages[0].rcpt_tos == ["alice@example.cn"]
            assert b"Submit your forecast" in inbox.messages[0].content
            assert not Notification.select().where(Notification.email_pending).exists()
    finally:
        controller.stop()
    broken = make_app(plugins=[], SMTP_HOST="127.0.0.1", SMTP_PORT=1)
    with broken.app_context():
        notify.send(alice, "Retry me")
        assert notify.deliver_email(broken) == 0
        note = Notification.get(Notification.title == "Retry me")
        assert note.email_pending and note.email_attempts == 1
