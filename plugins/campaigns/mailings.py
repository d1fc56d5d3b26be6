"""Campaign mailings (群发邮件): one message per contact or lead member of a campaign, merged from a template,
each with its own signed unsubscribe link, sent through core.mail's public API (queue, merge) and its outbox.

Exactly once per member: the job claims each (mailing, member) with a unique recipient row inserted in the
same transaction as the member's message, so two schedulers or a restart never queue a second one; the
outbox then sends each message once. An unsubscribed member, one without an address, and one the sender may
not e-mail (core.mail: write access) are recorded as skipped, never sent."""
from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from peewee import JOIN, fn

from core import access, clock, mail
from core.babel import gettext as _
from core.db import db, transaction
from core.models import Contact, Lead, User
from plugins.campaigns.models import (CampaignMailing, CampaignMailingRecipient, CampaignMember,
                                      CampaignUnsubscribe)

MAILED_TYPES = {"contact": Contact, "lead": Lead}
SALT = "campaigns.unsubscribe"


class MailingError(Exception):
    """A refused mailing operation; the message says why."""


def _signer():
    return URLSafeSerializer(current_app.secret_key, salt=SALT)


def token(member_type, member_id):
    return _signer().dumps([member_type, int(member_id)])


def member_of_token(text):
    """(member type, member id) of a signed unsubscribe token, or None when it is forged or damaged."""
    try:
        member_type, member_id = _signer().loads(text)
    except (BadSignature, ValueError, TypeError):
        return None
    return (member_type, member_id) if member_type in MAILED_TYPES and isinstance(member_id, int) else None


def unsubscribe(member_type, member_id):
    """Record the member's wish (once; asking again changes nothing)."""
    transaction(CampaignUnsubscribe.insert(member_type=member_type, member_id=member_id,
                                           at=clock.real_utcnow()).on_conflict_ignore().execute)


def create(campaign, user, subject, body):
    if not access.can(user, "write", campaign, "campaign"):
        raise MailingError(_("You may not send mailings for this campaign."))
    for text in (subject, body):
        try:
            mail.merge.check(text)
        except mail.MergeError as exc:
            raise MailingError(str(exc)) from None
    with db.atomic():
        return CampaignMailing.create(campaign=campaign.id, subject=subject.strip(), body=body, created_by=user.id,
                                      created_at=clock.real_utcnow())


def _text(mailing, member_type, record, sender, link):
    context = mail.merge.context_for(member_type, record, sender)
    body = mail.merge.render(mailing.body, context).rstrip()
    footer = _("To receive no more of these messages, open: %(link)s", link=link)
    return mail.merge.render(mailing.subject, context), f"{body}\n\n-- \n{footer}\n", context


def test_send(mailing, user, campaign):
    """The mailing as its first contact or lead member would get it, to ``user``'s own address, filed on the
    campaign; its unsubscribe link is a sample that unsubscribes nobody."""
    if not mail.valid_address(user.email):
        raise MailingError(_("Your account has no e-mail address to send the test to."))
    subject = mail.merge.render(mailing.subject, mail.merge.context_for("campaign", campaign, user))
    body = mail.merge.render(mailing.body, mail.merge.context_for("campaign", campaign, user))
    try:
        with db.atomic():
            return mail.queue("campaign", campaign, user.email, _("[Test] %(subject)s", subject=subject),
                              body + "\n\n-- \n" + _("(The unsubscribe link goes here.)") + "\n", user,
                              to_name=user.display_name)
    except mail.MailError as exc:
        raise MailingError(str(exc)) from None


def schedule(mailing, user, send_at, link_base):
    """Send ``mailing`` at ``send_at`` (real UTC; now for "send now"); only a draft may be scheduled."""
    changed = transaction(CampaignMailing.update(status="scheduled", send_at=send_at, link_base=link_base)
                          .where((CampaignMailing.id == mailing.id) & (CampaignMailing.status == "draft")).execute)
    if changed != 1:
        raise MailingError(_("This mailing has been scheduled or sent already."))


def progress(mailing):
    """{"members", "queued", "sent", "failed", "skipped", "bounced"} of a mailing."""
    R, M = CampaignMailingRecipient, mail.MailMessage
    rows = list(R.select(R.status, M.status, R.bounced, fn.COUNT(R.id))
                .join(M, JOIN.LEFT_OUTER, on=(R.message_id == M.id)).where(R.mailing == mailing.id)
                .group_by(R.status, M.status, R.bounced)
                .tuples())
    out = {"members": mailable_members(mailing.campaign_id).count(), "queued": 0, "sent": 0, "failed": 0,
           "skipped": 0, "bounced": 0}
    for status, message_status, bounced, count in rows:
        if status != "queued":
            out["skipped"] += count
        else:
            out["sent" if message_status == "sent" else "failed" if message_status == "failed" else "queued"] += count
        out["bounced"] += count if bounced else 0
    return out


def mailable_members(campaign_id):
    return CampaignMember.select().where((CampaignMember.campaign == campaign_id)
                                         & CampaignMember.member_type.in_(list(MAILED_TYPES)))


# --- the job --------------------------------------------------------------------------------------------

def run(app):
    """Queue the messages of every mailing that is due (the job ``campaigns.mailings``); returns how many."""
    now = clock.real_utcnow()
    due = list(CampaignMailing.select().where(CampaignMailing.status.in_(["scheduled", "sending"])
                                              & (CampaignMailing.send_at <= now)).order_by(CampaignMailing.id))
    return sum(_fan_out(mailing) for mailing in due)


def _fan_out(mailing):
    transaction(CampaignMailing.update(status="sending").where(
        (CampaignMailing.id == mailing.id) & (CampaignMailing.status == "scheduled")).execute)
    sender = User.get_or_none(User.id == mailing.created_by_id)
    done = {(r.member_type, r.member_id) for r in CampaignMailingRecipient.select(
        CampaignMailingRecipient.member_type, CampaignMailingRecipient.member_id).where(
        CampaignMailingRecipient.mailing == mailing.id)}
    members = [m for m in mailable_members(mailing.campaign_id).order_by(CampaignMember.id)
               if (m.member_type, m.member_id) not in done]
    queued = sum(transaction(_one, mailing, member, sender) for member in members)
    transaction(CampaignMailing.update(status="done", finished_at=clock.real_utcnow()).where(
        (CampaignMailing.id == mailing.id) & (CampaignMailing.status == "sending")).execute)
    return queued


def _one(mailing, member, sender):
    """Claim one member and queue its message, in one transaction; 1 if this call queued it."""
    model = MAILED_TYPES[member.member_type]
    record = model.get_or_none(model.id == member.member_id)
    address = (record.email or "").strip() if record is not None else ""
    status = "queued"
    if CampaignUnsubscribe.select().where((CampaignUnsubscribe.member_type == member.member_type)
                                          & (CampaignUnsubscribe.member_id == member.member_id)).exists():
        status = "unsubscribed"
    elif record is None or not mail.valid_address(address):
        status = "no_address"
    elif sender is None or not mail.may_send(sender, member.member_type, record):
        status = "no_access"
    claimed = CampaignMailingRecipient.insert(mailing=mailing.id, member_type=member.member_type,
                                              member_id=member.member_id, address=address, status=status
                                              ).on_conflict_ignore().as_rowcount().execute()
    if claimed != 1 or status != "queued":
        return 0
    link = mailing.link_base.replace("{token}", token(member.member_type, member.member_id))
    subject, body, context = _text(mailing, member.member_type, record, sender, link)
    mine = ((CampaignMailingRecipient.mailing == mailing.id)
            & (CampaignMailingRecipient.member_type == member.member_type)
            & (CampaignMailingRecipient.member_id == member.member_id))
    try:
        with db.atomic():
            message = mail.queue(member.member_type, record, address, subject, body, sender,
                                 to_name=context["recipient"]["name"])
    except mail.MailError:
        CampaignMailingRecipient.update(status="refused").where(mine).execute()
        return 0
    CampaignMailingRecipient.update(message_id=message.id).where(mine).execute()
    return 1
