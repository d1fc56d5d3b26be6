"""Pages of e-mail to customers: compose a message from a record, the record's send log, and the
administrator's templates (list, create, edit, delete). Views parse and render; core.mail.outbox decides and
writes."""
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from peewee import IntegrityError
from wtforms.fields.choices import SelectChoice

from core import access, clock
from core.admin import admin_link, admin_required
from core.babel import gettext as _, lazy_gettext as _l
from core.db import db
from core.mail import bp, inbound, merge, outbox, smtp
from core.mail.forms import LANGUAGE_LABELS, ComposeForm, TemplateForm
from core.mail.models import MailTemplate
from core.models import Contact
from core.records import registry as records
from core.records.display import record_url
from core.web import fail, paginate, safe_next

admin_link("mail.templates", _l("E-mail templates"),
           _l("Messages to customers with merge fields, in Chinese and English."), order=80)
admin_link("mail.unfiled", _l("Unfiled replies"),
           _l("Replies from the IMAP mailbox that match no record and that no module took."), order=81)
REPLY_ROWS = 100
MATCH_LABELS = {"token": _l("its reply address"), "thread": _l("In-Reply-To / References"),
                "sender": _l("the sender's address"), "": _l("a module")}
STATUS_LABELS = {"queued": _l("Queued"), "sending": _l("Sending"), "sent": _l("Sent"), "failed": _l("Failed")}


def _user():
    return current_user._get_current_object()


def _type_or_404(type_name):
    """The record type, or 404 when there is none or its plugin is off for this user."""
    try:
        rt = records.get(type_name)
    except KeyError:
        fail(404, _("There is no such kind of record."))
    owner = current_app.extensions["zhixin_record_type_plugins"].get(rt.name)
    if owner and not current_app.extensions["zhixin_plugins"].is_on(owner, _user()):
        fail(404, _("There is no such kind of record."))
    return rt


def recipient_address(record, user):
    """The address a message from ``record`` goes to by default: its e-mail, a service item's submitter's,
    or its contact's (if ``user`` may read the contact)."""
    for attr in ("email", "submitter_email"):
        if getattr(record, attr, ""):
            return getattr(record, attr)
    if getattr(record, "contact_id", None):
        contact = access.visible(Contact.select(), user, "contact").where(Contact.id == record.contact_id).first()
        return contact.email if contact is not None else ""
    return ""


def _back(rt, record):
    return safe_next(request.values.get("next", ""), record_url(record) or url_for("main.home"))


@bp.route("/<type_name>/<int:record_id>/compose", methods=["GET", "POST"])
@login_required
def compose(type_name, record_id):
    rt = _type_or_404(type_name)
    user = _user()
    record = access.get_or_404(user, rt.name, record_id, "write")
    templates = list(MailTemplate.select().order_by(MailTemplate.name, MailTemplate.language))
    documents = list(outbox.attachable_documents(user, rt.name, record))
    form = ComposeForm()
    form.attachments.choices = [SelectChoice(d.id, d.title or d.filename) for d in documents]
    chosen = None
    if request.method == "GET":
        form.to.data = recipient_address(record, user)
        chosen = MailTemplate.get_or_none(MailTemplate.id == request.args.get("template", type=int) or 0)
        if chosen is not None:
            form.subject.data, form.body.data, form.template.data = chosen.subject, chosen.body, str(chosen.id)
    elif form.validate_on_submit():
        template = MailTemplate.get_or_none(MailTemplate.id == int(form.template.data)) \
            if (form.template.data or "").isdigit() else None
        context = merge.context_for(rt.name, record, user)
        try:
            with db.atomic():
                outbox.queue(rt.name, record, form.to.data, merge.render(form.subject.data, context),
                             merge.render(form.body.data, context), user, attachments=form.attachments.data,
                             template=template, to_name=context["recipient"]["name"])
        except merge.MergeError as exc:
            form.body.errors.append(str(exc))
        except outbox.MailError as exc:
            if exc.status != 400:
                fail(exc.status, str(exc))
            form.to.errors.append(str(exc))
        else:
            flash(_("Message queued: it goes out with the next run of the outbox.") if smtp.configured(
                current_app.config) else _("Message queued. No SMTP server is configured yet: it waits in the "
                                           "queue and goes out once one is."), "success")
            return redirect(_back(rt, record))
    return render_template("core/mail/compose.html", rt=rt, record=record, form=form, templates=templates,
                           chosen=chosen, smtp_configured=smtp.configured(current_app.config),
                           fields=merge.field_names(), languages=LANGUAGE_LABELS,
                           back=_back(rt, record)), 400 if form.errors else 200


@bp.route("/<type_name>/<int:record_id>/log")
@login_required
def log(type_name, record_id):
    rt = _type_or_404(type_name)
    record = access.get_or_404(_user(), rt.name, record_id)
    page = paginate(outbox.messages_for(rt.name, record))
    replies = list(inbound.inbound_for(rt.name, record.id).limit(REPLY_ROWS + 1))
    return render_template("core/mail/log.html", rt=rt, record=record, page=page, statuses=STATUS_LABELS,
                           smtp_configured=smtp.configured(current_app.config), back=record_url(record),
                           replies=replies[:REPLY_ROWS], more_replies=len(replies) > REPLY_ROWS,
                           matches=MATCH_LABELS)


@bp.route("/unfiled")
@admin_required
def unfiled():
    """The administrator's list of replies nobody filed (no record matched, no module took them)."""
    page = paginate(inbound.unfiled())
    return render_template("core/mail/unfiled.html", page=page,
                           imap_configured=inbound.configured(current_app.config))


# --- templates (the administrator's) --------------------------------------------------------------------

@bp.route("/templates")
@admin_required
def templates():
    page = paginate(MailTemplate.select().order_by(MailTemplate.name, MailTemplate.language))
    return render_template("core/mail/templates.html", page=page, languages=LANGUAGE_LABELS)


def _store_template(form, template):
    template.name, template.language = form.name.data.strip(), form.language.data
    template.subject, template.body = form.subject.data.strip(), form.body.data
    template.modified_at = clock.real_utcnow()
    try:
        with db.atomic():
            template.save()
    except IntegrityError:
        form.name.errors.append(_("There is already a template %(name)s in this language.", name=template.name))
        return False
    return True


def _template_page(form, template):
    return render_template("core/mail/template_form.html", form=form, template=template,
                           fields=merge.field_names()), 400 if form.errors else 200


@bp.route("/templates/new", methods=["GET", "POST"])
@admin_required
def new_template():
    form = TemplateForm()
    if form.validate_on_submit() and _store_template(form, MailTemplate(created_at=clock.real_utcnow())):
        flash(_("Template %(name)s created.", name=form.name.data.strip()), "success")
        return redirect(url_for("mail.templates"))
    return _template_page(form, None)


def _template_or_404(template_id):
    return MailTemplate.get_or_none(MailTemplate.id == template_id) or \
        fail(404, _("This template does not exist (any more)."))


@bp.route("/templates/<int:template_id>/edit", methods=["GET", "POST"])
@admin_required
def edit_template(template_id):
    template = _template_or_404(template_id)
    form = TemplateForm(obj=template if request.method == "GET" else None)
    if form.validate_on_submit() and _store_template(form, template):
        flash(_("Template %(name)s saved.", name=template.name), "success")
        return redirect(url_for("mail.templates"))
    return _template_page(form, template)


@bp.route("/templates/<int:template_id>/delete", methods=["POST"])
@admin_required
def delete_template(template_id):
    template = _template_or_404(template_id)
    with db.atomic():
        template.delete_instance()   # the messages sent with it keep their text (their link is set to NULL)
    flash(_("Template %(name)s deleted.", name=template.name), "success")
    return redirect(url_for("mail.templates"))
