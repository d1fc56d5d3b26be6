"""E-mail to customers (客户邮件): outgoing messages filed on a record, their attachments (links to the record's
documents) and the administrator's templates. See docs/mail.md."""
import peewee

from core import clock
from core.db import BaseModel
from core.models import Document, User

STATUSES = ("queued", "sending", "sent", "failed")


class MailTemplate(BaseModel):
    """A message template (邮件模板) in one language, with merge fields (core.mail.merge)."""
    name = peewee.CharField(max_length=100)
    language = peewee.CharField(max_length=10, default="zh")
    subject = peewee.CharField(max_length=300)
    body = peewee.TextField(default="")
    created_at = peewee.DateTimeField(default=clock.real_utcnow)
    modified_at = peewee.DateTimeField(default=clock.real_utcnow)

    class Meta:
        table_name = "mail_template"
        indexes = ((("name", "language"), True),)


class MailMessage(BaseModel):
    """One outgoing message, filed on the record it was sent from (``record_type``, ``record_id``).

    ``status``: queued (waiting for its next attempt, or for an SMTP server), sending (a scheduler holds it
    until ``lease_until``), sent, failed (``last_error`` says why). Times of the send state are real time."""
    record_type = peewee.CharField(max_length=64)
    record_id = peewee.IntegerField()
    to_address = peewee.CharField(max_length=254)
    to_name = peewee.CharField(max_length=200, default="")
    from_name = peewee.CharField(max_length=200, default="")
    reply_to = peewee.CharField(max_length=254, default="")
    subject = peewee.CharField(max_length=300)
    body = peewee.TextField(default="")
    template = peewee.ForeignKeyField(MailTemplate, null=True, on_delete="SET NULL", backref="+")
    sender = peewee.ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    message_id = peewee.CharField(max_length=191, unique=True)
    status = peewee.CharField(max_length=10, default="queued")
    attempts = peewee.IntegerField(default=0)
    next_attempt_at = peewee.DateTimeField(null=True)
    last_error = peewee.CharField(max_length=500, default="")
    created_at = peewee.DateTimeField(default=clock.utcnow)
    sent_at = peewee.DateTimeField(null=True)
    lease_until = peewee.DateTimeField(null=True)
    claim = peewee.CharField(max_length=100, default="")
    resent = peewee.BooleanField(default=False)
    # the unguessable part of its reply address (MAIL_REPLY_ADDRESS plus-addressed); None on older messages
    reply_token = peewee.CharField(max_length=32, null=True, unique=True)

    class Meta:
        table_name = "mail_message"
        indexes = ((("record_type", "record_id", "id"), False), (("status", "next_attempt_at"), False))


class MailAttachment(BaseModel):
    """A document of the message's record sent with it; its bytes are read from the file store when sent."""
    message = peewee.ForeignKeyField(MailMessage, backref="attachments", on_delete="CASCADE")
    document = peewee.ForeignKeyField(Document, null=True, on_delete="SET NULL", backref="+")
    filename = peewee.CharField(max_length=255)

    class Meta:
        table_name = "mail_attachment"


class InboundMail(BaseModel):
    """One message read from the reply mailbox (core.mail.inbound), stored exactly once by its Message-ID.

    Filed on the record it answers (``record_type``, ``record_id``; ``matched_by`` says how: token, thread,
    sender) or taken by a plugin (``taken_by``, e.g. the service plugin opening an item, which files it on
    that item), else unfiled (both empty), listed for the administrator. ``reply_to`` is the outgoing
    message it answers, when known. Attachments are dropped (their names are kept in ``dropped``)."""
    message_id = peewee.CharField(max_length=191, unique=True)
    from_address = peewee.CharField(max_length=254, default="")
    from_name = peewee.CharField(max_length=200, default="")
    subject = peewee.CharField(max_length=300, default="")
    body = peewee.TextField(default="")
    dropped = peewee.CharField(max_length=500, default="")
    sent_at = peewee.DateTimeField(null=True)
    received_at = peewee.DateTimeField(default=clock.real_utcnow)
    record_type = peewee.CharField(max_length=64, default="")
    record_id = peewee.IntegerField(null=True)
    matched_by = peewee.CharField(max_length=20, default="")
    taken_by = peewee.CharField(max_length=64, default="")
    reply_to = peewee.ForeignKeyField(MailMessage, null=True, on_delete="SET NULL", backref="+")

    class Meta:
        table_name = "mail_inbound"
        indexes = ((("record_type", "record_id", "id"), False),)


MODELS = [MailTemplate, MailMessage, MailAttachment, InboundMail]
