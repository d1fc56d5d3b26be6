"""The notification centre (通知中心): in-app bell, optional e-mail. Plugins send through :func:`send`.

A ``key`` makes a notification exactly-once: the row is inserted with ON CONFLICT DO NOTHING on the unique
key, inside the caller's transaction, so two schedulers, a restart or a catch-up never send it twice.
"""
import logging
import smtplib
from email.message import EmailMessage

from flask import current_app

from core import clock
from core.db import db
from core.models import Notification, User
from core.plugins import plugin_of_path
from core.web import safe_next

log = logging.getLogger(__name__)
MAX_EMAIL_ATTEMPTS = 5


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
    return Notification.select().where((Notification.user == user.id) & Notification.read_at.is_null()).count()


def mark_read(user, note_id):
    """Mark one of the user's own notifications read; False when it is not theirs (or does not exist)."""
    mine = (Notification.id == note_id) & (Notification.user == user.id)
    Notification.update(read_at=clock.utcnow()).where(mine & Notification.read_at.is_null()).execute()
    return Notification.select().where(mine).exists()


def mark_all_read(user):
    return Notification.update(read_at=clock.utcnow()).where(
        (Notification.user == user.id) & Notification.read_at.is_null()).execute()


def deliver_email(app):
    """Send the pending e-mails. A failure leaves the notification and is retried on the next run."""
    cfg = app.config
    if not cfg.get("SMTP_HOST"):
        return 0
    sent = 0
    pending = (Notification.select(Notification, User).join(User)
               .where(Notification.email_pending & (Notification.email_attempts < MAX_EMAIL_ATTEMPTS))
               .order_by(Notification.id).limit(200))
    for note in pending:
        if not note.user.email:
            Notification.update(email_pending=False).where(Notification.id == note.id).execute()
            continue
        # claim the row first so a second scheduler does not send the same mail
        claimed = Notification.update(email_attempts=Notification.email_attempts + 1).where(
            (Notification.id == note.id) & (Notification.email_attempts == note.email_attempts)
            & Notification.email_pending).execute()
        if claimed != 1:
            continue
        try:
            _smtp_send(cfg, note.user.email, note.title, note.body + ("\n\n" + note.link if note.link else ""))
        except (OSError, smtplib.SMTPException) as exc:
            log.warning("e-mail for notification %s failed: %s", note.id, exc)
            continue
        with db.atomic():
            Notification.update(email_pending=False, emailed_at=clock.utcnow()).where(
                Notification.id == note.id).execute()
        sent += 1
    return sent


def _smtp_send(cfg, to, subject, body):
    msg = EmailMessage()
    msg["From"] = cfg["SMTP_FROM"]
    msg["To"] = to
    msg["Subject"] = subject
    msg.set_content(body)
    with smtplib.SMTP(cfg["SMTP_HOST"], int(cfg["SMTP_PORT"]), timeout=10) as smtp:
        if str(cfg.get("SMTP_TLS")).lower() in ("1", "true", "yes"):
            smtp.starttls()
        if cfg.get("SMTP_USER"):
            smtp.login(cfg["SMTP_USER"], cfg["SMTP_PASSWORD"] or "")
        smtp.send_message(msg)
