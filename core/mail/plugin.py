"""The mail component's own hook implementations, registered as a core plugin (like core.builtin): its
tables, the e-mail panel (compose button and send log) on record detail pages, and its rows of a class."""
from flask import current_app, render_template
from flask_login import current_user
from markupsafe import Markup

from core import access, hookimpl
from core.babel import lazy_gettext as _l
from core.extension import ClassRows, Slot
from core.mail import inbound, outbox, smtp
from core.mail.models import MODELS, InboundMail, MailAttachment, MailMessage
from core.mail.views import STATUS_LABELS
from core.records import registry as records

COMPOSE_TYPES = ("contact", "lead", "account")   # the detail pages with a "Send e-mail" button
PANEL_ROWS = 5


@hookimpl
def zhixin_models():
    return list(MODELS)


@hookimpl
def zhixin_template_slot(slot, context):
    """On a record's detail page: "Send e-mail" (contacts, leads, accounts, for who may send) and its newest
    messages with their status, for who may read the record (the page itself checked that). Other record types
    show the panel only when their page asks for it (``mail_log=True`` in the slot's context: a plugin that
    files messages on its records, as the service plugin's replies), so no other page pays for the query."""
    record, type_name = context.get("record"), context.get("record_type")
    if slot != "record_detail" or record is None or not type_name or not current_user.is_authenticated:
        return None
    if type_name not in COMPOSE_TYPES and not context.get("mail_log"):
        return None
    try:
        rt = records.get(type_name)
    except KeyError:
        return None
    user = current_user._get_current_object()
    if not access.can(user, "read", record, rt.name):
        return None
    rows = list(outbox.messages_for(rt.name, record).limit(PANEL_ROWS + 1))
    replies = inbound.inbound_for(rt.name, record.id).count()
    composable = rt.name in COMPOSE_TYPES and outbox.may_send(user, rt.name, record)
    if not rows and not composable and not replies:
        return None
    return Slot(Markup(render_template(
        "core/mail/panel.html", rt=rt, record=record, messages=rows[:PANEL_ROWS], more=len(rows) > PANEL_ROWS,
        composable=composable, statuses=STATUS_LABELS, replies=replies, smtp_configured=smtp.configured(current_app.config))),
        order=60)


@hookimpl
def zhixin_class_rows(user_ids):
    """A class's messages: those its users sent, and those filed on records its users own."""
    owned = [(MailMessage.record_type == rt.name) & MailMessage.record_id.in_(
        rt.model.select(rt.model.id).where(rt.model.owner.in_(user_ids)))
        for rt in records.registry().values() if rt.owned]
    mine = MailMessage.sender.in_(user_ids)
    for expr in owned:
        mine = mine | expr
    messages = MailMessage.select(MailMessage.id).where(mine)
    replies = None
    for expr in [(InboundMail.record_type == rt.name) & InboundMail.record_id.in_(
            rt.model.select(rt.model.id).where(rt.model.owner.in_(user_ids)))
            for rt in records.registry().values() if rt.owned]:
        replies = expr if replies is None else replies | expr
    return [ClassRows(_l("E-mail replies"), InboundMail, replies if replies is not None else InboundMail.id < 0),
            ClassRows(_l("E-mail attachments"), MailAttachment, MailAttachment.message.in_(messages)),
            ClassRows(_l("E-mail messages"), MailMessage, mine)]


@hookimpl
def zhixin_record_merging(record_type, survivor, other, user):
    """The e-mails filed on the merged record (and their send log) pass to the survivor."""
    M = MailMessage
    moved = M.update(record_id=survivor.id).where((M.record_type == record_type) & (M.record_id == other.id)).execute()
    moved += InboundMail.update(record_id=survivor.id).where(
        (InboundMail.record_type == record_type) & (InboundMail.record_id == other.id)).execute()
    return {_l("E-mails"): moved}


@hookimpl
def zhixin_timeline_items(user, scope, before, limit):
    """The e-mails sent (or queued) from the account and its contacts, at the moment they were written; a
    message is as readable as the record it is filed on (the scope holds the readable ones)."""
    from flask import url_for

    from core.timeline import TimelineItem, page
    M = MailMessage
    query = M.select().where(scope.related(M.record_type, M.record_id))
    return [TimelineItem(m.created_at, "mail", m.id, m.subject, _l("E-mail"),
                         url_for("mail.log", type_name=m.record_type, record_id=m.record_id),
                         m.record_type, m.record_id, detail=STATUS_LABELS.get(m.status, m.status))
            for m in page(query, M.created_at, "mail", M.id, before, limit)] + [
        TimelineItem(r.received_at, "mail_reply", r.id, r.subject or r.from_address, _l("E-mail reply"),
                     url_for("mail.log", type_name=r.record_type, record_id=r.record_id), r.record_type,
                     r.record_id, detail=r.from_address)
        for r in page(InboundMail.select().where(scope.related(InboundMail.record_type, InboundMail.record_id)),
                      InboundMail.received_at, "mail_reply", InboundMail.id, before, limit)]
