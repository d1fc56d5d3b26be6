"""The notification centre (通知中心): in-app bell, optional e-mail. Plugins send through :func:`send`.

A ``key`` makes a notification exactly-once: the row is inserted with ON CONFLICT DO NOTHING on the unique
key, inside the caller's transaction, so two schedulers, a restart or a catch-up never send it twice.
"""
import datetime as dt
import logging
import os
import socket
import uuid

from flask import current_app

from core import clock, stamp
from core.db import transaction
from core.mail import smtp
from core.mail.smtp import HEADER_LIMIT, header_value  # noqa: F401  (re-exported)
from core.models import Notification, User
from core.plugins import plugin_of_path
from core.web import safe_next

log = logging.getLogger(__name__)
MAX_EMAIL_ATTEMPTS = 5
EMAIL_RETRY_MINUTES = 5    # the first back-off after a failed e-mail; it doubles on every further failure
RESENT_HEADER = "X-Zhixin-Resent"
INTERRUPTED_TWICE = "Interrupted twice while sending; it may have been sent"


def send(user, title, body="", link="", kind="info", key=None, plugin=None):
    """Notify ``user``. Returns True if a notification was created (False: ``key`` was already used, or the
    sending plugin is off for ``user``).

    ``plugin`` names the sending plugin; by default the plugin that ``link`` leads to. A notification of a
    plugin that is off for the user (disabled, or enabled for other classes only) is not sent: it would
    lead to a page answering 404."""
    user_id = user.id if hasattr(user, "id") else int(user)
    link = safe_next(str(link or ""), "")  # a path on this site only: never javascript: or another host
    plugins = current_app.extensions.get("zhixin_plugins")
    origin = plugin or (plugin_of_path(current_app, link) if plugins and link else None)
    if origin and not plugins.is_on(origin, user if hasattr(user, "id") else User.get_by_id(user_id)):
        return False
    wants_email = bool(current_app.config.get("SMTP_HOST"))
    query = Notification.insert(user=user_id, key=key, kind=kind, title=str(title)[:300], body=str(body),
                                link=link, created_at=clock.utcnow(), email_pending=wants_email)
    if key is None:
        query.execute()
        return True
    return query.on_conflict_ignore().as_rowcount().execute() == 1


def for_user(user):
    return Notification.select().where(Notification.user == user.id).order_by(
        Notification.created_at.desc(), Notification.id.desc())


def unread_count(user):
    """The user's unread notifications: as the session's query read them (core.sessions), unless this request
    wrote since (any write empties the request's memo)."""
    known = stamp.memo("unread")
    if user.id not in known:
        known[user.id] = Notification.select().where(
            (Notification.user == user.id) & Notification.read_at.is_null()).count()
    return known[user.id]


def mark_read(user, note_id):
    """Mark one of the user's own notifications read; False when it is not theirs (or does not exist)."""
    mine = (Notification.id == note_id) & (Notification.user == user.id)
    Notification.update(read_at=clock.utcnow()).where(mine & Notification.read_at.is_null()).execute()
    return Notification.select().where(mine).exists()


def mark_all_read(user):
    return Notification.update(read_at=clock.utcnow()).where(
        (Notification.user == user.id) & Notification.read_at.is_null()).execute()


def deliver_email(app):
    """Send the pending e-mails that are due, each exactly once however many schedulers run.

    A scheduler claims one message at a time with a lease (``email_lease_until``, ``EMAIL_LEASE_SECONDS``) under
    its own claim (``email_claim``: host, process, token), sends it outside any transaction and then marks it
    sent — only while the claim is still its own. A message under lease is skipped by every other scheduler.
    A lease that ran out unfinished means its sender died mid-send (the message may or may not have gone out):
    it is sent once more, marked resent (``email_resent`` and an ``X-Zhixin-Resent`` header); a second
    interruption gives it up. A message the server refuses keeps its error and is tried again after a back-off
    that doubles (``EMAIL_RETRY_MINUTES``, then 2×, 4× …); after ``MAX_EMAIL_ATTEMPTS`` it is marked failed.
    Never does one message hold back the others."""
    cfg = app.config
    if not cfg.get("SMTP_HOST"):
        return 0
    sender = f"{socket.gethostname()}:{os.getpid()}"
    return sum(_deliver(cfg, note, sender) for note in _due_emails(clock.real_utcnow()))


def _due_emails(now):
    """The pending messages due now and held by no one (read first, in full: no cursor stays open)."""
    due = Notification.email_retry_at.is_null() | (Notification.email_retry_at <= now)
    free = Notification.email_lease_until.is_null() | (Notification.email_lease_until <= now)
    return list(Notification.select(Notification, User).join(User)
                .where(Notification.email_pending & due & free).order_by(Notification.id).limit(200))


def _deliver(cfg, note, sender):
    """Claim, send and mark one message; 1 if this call sent it."""
    unchanged = (Notification.id == note.id) & (Notification.email_attempts == note.email_attempts) \
        & Notification.email_pending
    if not note.user.email:
        transaction(Notification.update(email_pending=False, email_lease_until=None).where(unchanged).execute)
        return 0
    interrupted = note.email_lease_until is not None   # its last sender never finished
    if interrupted and note.email_resent:
        transaction(Notification.update(email_pending=False, email_failed_at=clock.real_utcnow(),
                                        email_lease_until=None, email_error=INTERRUPTED_TWICE).where(unchanged).execute)
        return 0
    claim = f"{sender}:{uuid.uuid4().hex[:12]}"
    now = clock.real_utcnow()
    resend = interrupted or note.email_resent
    claimed = transaction(Notification.update(
        email_attempts=note.email_attempts + 1, email_claim=claim, email_resent=resend,
        email_lease_until=now + dt.timedelta(seconds=int(cfg["EMAIL_LEASE_SECONDS"]))).where(
        unchanged & (Notification.email_lease_until.is_null() | (Notification.email_lease_until <= now))).execute)
    if claimed != 1:
        return 0            # another scheduler claimed it first
    mine = (Notification.id == note.id) & (Notification.email_claim == claim)
    try:
        _smtp_send(cfg, note.user.email, note.title, note.body + ("\n\n" + note.link if note.link else ""),
                   resent=resend)
    except smtp.SEND_ERRORS as exc:
        transaction(_failed, note, mine, note.email_attempts + 1, exc)
        return 0
    transaction(Notification.update(email_pending=False, emailed_at=clock.real_utcnow(), email_retry_at=None,
                                    email_error="", email_lease_until=None).where(mine).execute)
    return 1


def _back_off(attempt):
    return dt.timedelta(minutes=EMAIL_RETRY_MINUTES * 2 ** (attempt - 1))


def _failed(note, mine, attempt, exc):
    log.warning("e-mail for notification %s failed (attempt %s): %s", note.id, attempt, exc)
    now = clock.real_utcnow()
    values = {"email_error": f"{type(exc).__name__}: {exc}"[:500], "email_lease_until": None,
              "email_retry_at": now + _back_off(attempt)}
    if attempt >= MAX_EMAIL_ATTEMPTS:
        values.update(email_pending=False, email_failed_at=now, email_retry_at=None)
    Notification.update(**values).where(mine).execute()


def _smtp_send(cfg, to, subject, body, resent=False):
    # the first try may have reached the recipient before its sender died
    headers = [(RESENT_HEADER, "interrupted delivery sent again; may be a duplicate")] if resent else []
    smtp.deliver(cfg, smtp.plain_message(cfg, to, subject, body, headers))
