"""E-mail to customers (客户邮件), a core platform service like the notification centre: messages filed on a
record (contact, lead, account, or any record type a plugin registers), composed from templates with merge
fields, sent by the scheduler's outbox exactly once, with a send log on the record. docs/mail.md.

A plugin sends through::

    from core import mail
    mail.queue(record_type, record, to, subject, body, user, attachments=(), template=None)

and merges a template first with ``mail.merge.render(text, mail.merge.context_for(record_type, record, user))``."""
from flask import Blueprint

from core.mail import merge  # noqa: F401  (public: core.mail.merge)
from core.mail.forms import LANGUAGE_LABELS
from core.mail.merge import MergeError
from core.mail import inbound  # noqa: F401  (public: core.mail.inbound)
from core.mail.inbound import fetch
from core.mail.models import InboundMail, MailAttachment, MailMessage, MailTemplate
from core.mail.outbox import MailError, attachable_documents, may_send, messages_for, queue, send_due
from core.mail.smtp import configured, valid_address

bp = Blueprint("mail", __name__, url_prefix="/mail")

__all__ = ["InboundMail", "fetch", "inbound", "LANGUAGE_LABELS", "MailAttachment", "MailError", "MailMessage", "MailTemplate", "MergeError", "attachable_documents",
           "bp", "configured", "may_send", "merge", "messages_for", "queue", "send_due", "valid_address"]
