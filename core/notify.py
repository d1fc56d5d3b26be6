"""The notification centre (通知中心): in-app bell, optional e-mail. Plugins send through :func:`send`.

A ``key`` makes a notification exactly-once: the row is inserted with ON CONFLICT DO NOTHING on the unique
key, inside the caller's transaction, so two schedulers, a restart or a catch-up never send it twice.
"""
import datetime as dt
import logging
import smtplib
from email.message import EmailMessage

from flask import current_app

from core import clock
from core.models import Notification, User
from core.plugins import plugin_of_path
from core.web import safe_next

log = logging.getLogger(__name__)
MAX_EMAIL_ATTEMPTS = 5
EMAIL_RETRY_MINUTES = 5    # the first back-off after a failed e-mail; it doubles on every further failure
HEADER_LIMIT = 200          # characters of one header value (a subject, an address)


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
    """Send the pending e-mails that are due. Each message stands alone: one that fails is claimed, its error
    kept, and tried again after a back-off that doubles (``EMAIL_RETRY_MINUTES``, then 2×, 4× …); after
    ``MAX_EMAIL_ATTEMPTS`` it is marked failed. Never does one message hold back the others."""
    cfg = app.config
    if not cfg.get("SMTP_HOST"):
        return 0
    now = clock.real_utcnow()
    due = Notification.email_retry_at.is_null() | (Notification.email_retry_at <= now)
    pending = list(Notification.select(Notification, User).join(User)
                   .where(Notification.email_pending & due).order_by(Notification.id).limit(200))
    sent = 0
    for note in pending:
        if not note.user.email:
            Notification.update(email_pending=False).where(Notification.id == note.id).execute()
            continue
        # claim the row first (the next try is pushed back at once), so a second scheduler does not send it too
        attempt = note.email_attempts + 1
        claimed = Notification.update(email_attempts=attempt, email_retry_at=now + _back_off(attempt)).where(
            (Notification.id == note.id) & (Notification.email_attempts == note.email_attempts)
            & Notification.email_pending).execute()
        if claimed != 1:
            continue
        try:
            _smtp_send(cfg, note.user.email, note.title, note.body + ("\n\n" + note.link if note.link else ""))
        except (OSError, ValueError, smtplib.SMTPException) as exc:   # ValueError: a header the library refuses
            _failed(note, attempt, exc, now)
            continue
        Notification.update(email_pending=False, emailed_at=clock.real_utcnow(), email_retry_at=None,
                            email_error="").where(Notification.id == note.id).execute()
        sent += 1
    return sent


def _back_off(attempt):
    return dt.timedelta(minutes=EMAIL_RETRY_MINUTES * 2 ** (attempt - 1))


def _failed(note, attempt, exc, now):
    log.warning("e-mail for notification %s failed (attempt %s): %s", note.id, attempt, exc)
    values = {"email_error": f"{type(exc).__name__}: {exc}"[:500]}
    if attempt >= MAX_EMAIL_ATTEMPTS:
        values.update(email_pending=False, email_failed_at=now, email_retry_at=None)
    Notification.update(**values).where(Notification.id == note.id).execute()


def header_value(value, limit=HEADER_LIMIT):
    """A value fit for one e-mail header line: line breaks and other control characters become spaces,
    runs of white space one space, and at most ``limit`` characters (a title can never add a header)."""
    text = "".join(ch if ch.isprintable() else " " for ch in str(value or ""))
    return " ".join(text.split())[:limit]


def _smtp_send(cfg, to, subject, body):
    msg = EmailMessage()
    msg["From"] = header_value(cfg["SMTP_FROM"])
    msg["To"] = header_value(to)
    msg["Subject"] = header_value(subject)
    msg.set_content(body)
    with smtplib.SMTP(cfg["SMTP_HOST"], int(cfg["SMTP_PORT"]), timeout=10) as smtp:
        if str(cfg.get("SMTP_TLS")).lower() in ("1", "true", "yes"):
            smtp.starttls()
        if cfg.get("SMTP_USER"):
            smtp.login(cfg["SMTP_USER"], cfg["SMTP_PASSWORD"] or "")
        smtp.send_message(msg)
