"""The outbox (发件箱): :func:`queue` files a message on a record and leaves it for the scheduler's job
:func:`send_due`, which sends each message exactly once however many schedulers run — the lease approach of
core.notify.deliver_email: claim one message in a short transaction (status "sending", ``lease_until``,
``claim``), send it outside any transaction, then mark it sent only while the claim is still its own. A
message whose lease ran out unfinished (its sender died mid-send) is sent once more, marked resent; a second
interruption fails it. A refused or unreachable server: tried again after a back-off that doubles
(``RETRY_MINUTES``, 2×, 4× …), failed with the reason after ``MAX_ATTEMPTS``. Without ``SMTP_HOST`` nothing is
sent and nothing is lost: the messages stay queued."""
import datetime as dt
import logging
import mimetypes
import os
import secrets
import socket
import uuid
from email.utils import make_msgid

from flask import current_app
from peewee import JOIN

from core import access, clock
from core.babel import gettext as _
from core.db import db, transaction
from core.mail import smtp
from core.mail.models import MailAttachment, MailMessage, MailTemplate
from core.filestore import Reader
from core.models import Document, StoredFile, User
from core.records import registry as records

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
RETRY_MINUTES = 5          # the first back-off after a failed send; it doubles on every further failure
RESENT_HEADER = "X-Zhixin-Resent"
INTERRUPTED_TWICE = "Interrupted twice while sending; it may have been sent"
BATCH = 200


class MailError(Exception):
    """A message that cannot be queued; ``status`` is the HTTP answer (400, 403) and the text says why."""

    def __init__(self, message, status=400):
        super().__init__(message)
        self.status = status


def may_send(user, record_type, record):
    """Who may e-mail from a record: who may change it (write). Filing a message on a record adds to its
    history and speaks for it to the customer, which a read-only sharing mode does not allow."""
    return access.can(user, "write", record, record_type)


def attachable_documents(user, record_type, record):
    """The documents filed on ``record`` that ``user`` may read: what may go with a message."""
    rt = records.get(record_type)
    query = Document.select().where((Document.related_type == rt.name) & (Document.related_id == record.id)
                                    & (Document.stored_name != ""))
    return access.visible(query, user, "document").order_by(Document.title, Document.id)


def queue(record_type, record, to, subject, body, user, attachments=(), template=None, to_name="",
          reply_to=None):
    """Queue a message to the address ``to`` filed on ``record`` (of ``record_type``), sent as ``user``.

    ``attachments``: documents (or their ids) filed on the record that ``user`` may read; ``template``: the
    MailTemplate used (recorded only). Subject and body are sent as given (merge them first with
    core.mail.merge). Raises MailError (403 if ``user`` may not send from the record, 400 for bad input);
    part of the caller's transaction. Returns the MailMessage."""
    rt = records.get(record_type)
    if not may_send(user, rt.name, record):
        raise MailError(_("You may not send e-mail from this record."), 403)
    to = str(to or "").strip()
    if not smtp.valid_address(to):
        raise MailError(_("%(address)s is not an e-mail address.", address=smtp.header_value(to) or "—"))
    subject = smtp.header_value(subject, 300)
    if not subject:
        raise MailError(_("Write a subject."))
    if not str(body or "").strip():
        raise MailError(_("Write a message."))
    documents = _documents(user, rt.name, record, attachments)
    reply_to = user.email if reply_to is None else reply_to
    with db.atomic():
        message = MailMessage.create(
            record_type=rt.name, record_id=record.id, to_address=to, to_name=smtp.header_value(to_name),
            from_name=smtp.header_value(user.display_name), subject=subject, body=str(body),
            reply_to=reply_to if smtp.valid_address(reply_to) else "", sender=user.id,
            template=template.id if isinstance(template, MailTemplate) else template,
            message_id=_message_id(), status="queued", created_at=clock.utcnow(),
            reply_token=secrets.token_hex(16))
        for document in documents:
            MailAttachment.create(message=message, document=document, filename=document.filename or document.title)
    return message


def _documents(user, record_type, record, attachments):
    ids = {int(getattr(a, "id", a)) for a in attachments or ()}
    if not ids:
        return []
    found = list(attachable_documents(user, record_type, record).where(Document.id.in_(ids)))
    if len(found) != len(ids):
        raise MailError(_("An attachment is not a document of this record (or you may not read it)."))
    return found


def _message_id():
    domain = smtp.header_value(current_app.config["SMTP_FROM"]).rpartition("@")[2] or "localhost"
    return make_msgid(idstring=uuid.uuid4().hex[:12], domain=domain.strip("<> ") or "localhost")


def messages_for(record_type, record):
    """The send log of one record, newest first (the caller has checked that its user may read it)."""
    return MailMessage.select(MailMessage, User).join(User, on=(MailMessage.sender == User.id),
                                                      join_type=JOIN.LEFT_OUTER).where(
        (MailMessage.record_type == records.get(record_type).name) & (MailMessage.record_id == record.id)
    ).order_by(MailMessage.id.desc())


# --- the scheduler's job ----------------------------------------------------------------------------------

def send_due(app):
    """Send the queued messages that are due; returns how many this call sent (the job ``core.mail_outbox``,
    ``zhixin mail send``)."""
    cfg = app.config
    if not smtp.configured(cfg):
        return 0
    sender = f"{socket.gethostname()}:{os.getpid()}"
    return sum(_deliver(cfg, message, sender) for message in _due(clock.real_utcnow()))


def _due(now):
    """Queued messages due now, and "sending" ones whose lease ran out (read in full first: no open cursor)."""
    queued = (MailMessage.status == "queued") & (MailMessage.next_attempt_at.is_null()
                                                 | (MailMessage.next_attempt_at <= now))
    abandoned = (MailMessage.status == "sending") & (MailMessage.lease_until <= now)
    return list(MailMessage.select().where(queued | abandoned).order_by(MailMessage.id).limit(BATCH))


def _deliver(cfg, message, sender):
    """Claim, send and mark one message; 1 if this call sent it."""
    unchanged = (MailMessage.id == message.id) & (MailMessage.attempts == message.attempts) \
        & (MailMessage.status == message.status)
    interrupted = message.status == "sending"      # its last sender never finished
    now = clock.real_utcnow()
    if interrupted and message.resent:
        transaction(MailMessage.update(status="failed", lease_until=None, last_error=INTERRUPTED_TWICE)
                    .where(unchanged & (MailMessage.lease_until <= now)).execute)
        return 0
    claim = f"{sender}:{uuid.uuid4().hex[:12]}"
    resend = interrupted or message.resent
    free = MailMessage.lease_until.is_null() | (MailMessage.lease_until <= now)
    claimed = transaction(MailMessage.update(
        status="sending", attempts=message.attempts + 1, claim=claim, resent=resend,
        lease_until=now + dt.timedelta(seconds=int(cfg["EMAIL_LEASE_SECONDS"]))).where(unchanged & free).execute)
    if claimed != 1:
        return 0            # another scheduler claimed it first
    mine = (MailMessage.id == message.id) & (MailMessage.claim == claim) & (MailMessage.status == "sending")
    try:
        smtp.deliver(cfg, _email(cfg, message, resend))
    except (*smtp.SEND_ERRORS, MissingFile) as exc:
        transaction(_failed, message, mine, message.attempts + 1, exc)
        return 0
    transaction(MailMessage.update(status="sent", sent_at=clock.real_utcnow(), next_attempt_at=None,
                                   last_error="", lease_until=None).where(mine).execute)
    return 1


def reply_address(cfg, message):
    """The message's own reply address, ``local+<token>@domain`` of ``MAIL_REPLY_ADDRESS`` (core.mail.inbound
    files what comes back to it), or "" when none is configured or the message has no token."""
    base = smtp.header_value(cfg.get("MAIL_REPLY_ADDRESS"), 254)
    if not message.reply_token or not smtp.valid_address(base):
        return ""
    local, domain = base.rsplit("@", 1)
    return f"{local.split('+')[0]}+{message.reply_token}@{domain}"


class MissingFile(Exception):
    """An attachment whose document or file is gone."""


def _email(cfg, message, resent):
    from_name = message.from_name
    headers = [(RESENT_HEADER, "interrupted delivery sent again; may be a duplicate")] if resent else []
    msg = smtp.plain_message(cfg, message.to_address, message.subject, message.body, headers)
    del msg["From"], msg["To"]
    origin = smtp.header_value(cfg["SMTP_FROM"])
    msg["From"] = smtp.address(origin, from_name) if smtp.valid_address(origin) else origin
    msg["To"] = smtp.address(message.to_address, message.to_name)
    reply_to = reply_address(cfg, message) or message.reply_to
    if reply_to:
        msg["Reply-To"] = smtp.address(reply_to, from_name)
    msg["Message-ID"] = message.message_id
    for attachment in MailAttachment.select().where(MailAttachment.message == message.id).order_by(MailAttachment.id):
        data, content_type = _attachment_bytes(attachment)
        maintype, _sep, subtype = content_type.partition("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype.split(";")[0].strip() or "octet-stream",
                           filename=smtp.header_value(attachment.filename, 255))
    return msg


def _attachment_bytes(attachment):
    document = Document.get_or_none(Document.id == attachment.document_id) if attachment.document_id else None
    stored = StoredFile.get_or_none(StoredFile.name == document.stored_name) if document is not None else None
    if stored is None:
        raise MissingFile(f"the attachment {attachment.filename} no longer exists")
    content_type = (document.content_type or stored.content_type or
                    mimetypes.guess_type(attachment.filename)[0] or "application/octet-stream")
    if "/" not in content_type:
        content_type = "application/octet-stream"
    return Reader(stored).readall(), content_type


def back_off(attempt):
    return dt.timedelta(minutes=RETRY_MINUTES * 2 ** (attempt - 1))


def _failed(message, mine, attempt, exc):
    log.warning("mail message %s failed (attempt %s): %s", message.id, attempt, exc)
    now = clock.real_utcnow()
    values = {"last_error": f"{type(exc).__name__}: {exc}"[:500], "lease_until": None, "status": "queued",
              "next_attempt_at": now + back_off(attempt)}
    if attempt >= MAX_ATTEMPTS or isinstance(exc, MissingFile):
        values.update(status="failed", next_attempt_at=None)
    MailMessage.update(**values).where(mine).execute()
