"""Pages of campaign mailings: the campaign's mailings and a new one from a template, one mailing's progress
and recipients (test send, send now or at a time, bounced by hand), and the public unsubscribe page."""
import datetime as _dt

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from peewee import JOIN

from core import access, clock, mail
from core.babel import gettext as _
from core.db import transaction
from core.web import fail, paginate
from plugins.campaigns import mailings
from plugins.campaigns.models import CampaignMailing, CampaignMailingRecipient
from plugins.campaigns.views import bp

def _user():
    return current_user._get_current_object()


def _skip_labels():
    return {"unsubscribed": _("Unsubscribed"), "no_address": _("No e-mail address"),
            "no_access": _("You may not e-mail this member"), "refused": _("Refused")}


def _mailing(campaign_id, mailing_id, action="read"):
    campaign = access.get_or_404(_user(), "campaign", campaign_id, action)
    mailing = CampaignMailing.get_or_none((CampaignMailing.id == mailing_id)
                                          & (CampaignMailing.campaign == campaign.id))
    return campaign, mailing or fail(404, _("This mailing does not exist (any more)."))


@bp.route("/<int:campaign_id>/mailings", methods=["GET", "POST"])
@login_required
def mailing_list(campaign_id):
    user = _user()
    campaign = access.get_or_404(user, "campaign", campaign_id, "write" if request.method == "POST" else "read")
    templates = list(mail.MailTemplate.select().order_by(mail.MailTemplate.name, mail.MailTemplate.language))
    if request.method == "POST":
        template = mail.MailTemplate.get_or_none(mail.MailTemplate.id == request.form.get("template", type=int) or 0)
        if template is None:
            fail(400, _("Choose a template."))
        try:
            mailing = mailings.create(campaign, user, template.subject, template.body)
        except mailings.MailingError as exc:
            fail(400, str(exc))
        return redirect(url_for("campaigns.mailing_detail", campaign_id=campaign.id, mailing_id=mailing.id))
    rows = list(CampaignMailing.select().where(CampaignMailing.campaign == campaign.id).order_by(
        CampaignMailing.id.desc()))
    return render_template("campaigns/mailings.html", campaign=campaign, mailings=rows, templates=templates,
                           languages=mail.LANGUAGE_LABELS,
                           progress={m.id: mailings.progress(m) for m in rows},
                           can_write=access.can(user, "write", campaign))


@bp.route("/<int:campaign_id>/mailings/<int:mailing_id>")
@login_required
def mailing_detail(campaign_id, mailing_id):
    campaign, mailing = _mailing(campaign_id, mailing_id)
    page = paginate(CampaignMailingRecipient.select(CampaignMailingRecipient, mail.MailMessage).join(
        mail.MailMessage, JOIN.LEFT_OUTER, on=(CampaignMailingRecipient.message_id == mail.MailMessage.id),
        attr="message").where(CampaignMailingRecipient.mailing == mailing.id).order_by(CampaignMailingRecipient.id))
    return render_template("campaigns/mailing.html", campaign=campaign, mailing=mailing, page=page,
                           progress=mailings.progress(mailing), skipped=_skip_labels(),
                           statuses={"queued": _("Queued"), "sending": _("Sending"), "sent": _("Sent"),
                                     "failed": _("Failed")},
                           can_write=access.can(_user(), "write", campaign),
                           smtp_configured=mail.configured(current_app.config))


@bp.route("/<int:campaign_id>/mailings/<int:mailing_id>/test", methods=["POST"])
@login_required
def mailing_test(campaign_id, mailing_id):
    campaign, mailing = _mailing(campaign_id, mailing_id, "write")
    try:
        mailings.test_send(mailing, _user(), campaign)
    except mailings.MailingError as exc:
        fail(400, str(exc))
    flash(_("A test message to %(address)s is queued.", address=_user().email), "success")
    return redirect(url_for("campaigns.mailing_detail", campaign_id=campaign.id, mailing_id=mailing.id))


def _send_at():
    """Now, or the local date and time the form names (the organisation's zone), as real UTC."""
    text = (request.form.get("send_at") or "").strip()
    if not text:
        return clock.real_utcnow()
    try:
        local = _dt.datetime.strptime(text, "%Y-%m-%dT%H:%M")
    except ValueError:
        fail(400, _("Enter the date and time as 2026-06-01T09:00."))
    return clock.to_utc(local) - clock.offset()   # a time of the teaching clock, sent by the real one


@bp.route("/<int:campaign_id>/mailings/<int:mailing_id>/send", methods=["POST"])
@login_required
def mailing_send(campaign_id, mailing_id):
    campaign, mailing = _mailing(campaign_id, mailing_id, "write")
    link_base = url_for("campaigns.unsubscribe", token="TOKEN", _external=True).replace("TOKEN", "{token}")
    try:
        mailings.schedule(mailing, _user(), _send_at(), link_base)
    except mailings.MailingError as exc:
        fail(409, str(exc))
    flash(_("The mailing is scheduled: its messages are queued by the next run of the scheduler."), "success")
    return redirect(url_for("campaigns.mailing_detail", campaign_id=campaign.id, mailing_id=mailing.id))


@bp.route("/<int:campaign_id>/mailings/<int:mailing_id>/recipients/<int:recipient_id>/bounced", methods=["POST"])
@login_required
def mailing_bounced(campaign_id, mailing_id, recipient_id):
    campaign, mailing = _mailing(campaign_id, mailing_id, "write")
    mine = (CampaignMailingRecipient.id == recipient_id) & (CampaignMailingRecipient.mailing == mailing.id)
    if not transaction(CampaignMailingRecipient.update(bounced=request.form.get("bounced") == "1").where(mine).execute):
        fail(404, _("This recipient is not on this mailing."))
    return redirect(url_for("campaigns.mailing_detail", campaign_id=campaign.id, mailing_id=mailing.id))


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token):
    """Public (no login): the signed link of one recipient; a POST records the wish."""
    member = mailings.member_of_token(token)
    if member is None:
        fail(404, _("This unsubscribe link is not valid."))
    done = request.method == "POST"
    if done:
        mailings.unsubscribe(*member)
    return render_template("campaigns/unsubscribe.html", token=token, done=done)
