"""Views of single record types: lead conversion, opportunity lines and competitors, document download."""
import datetime as _dt

from flask import flash, redirect, render_template, request, url_for
from flask_login import login_required

from core import access, clock, filestore
from core.babel import gettext as _
from core.models import Competitor, OpportunityLine, Product
from core.records import RecordError, documents, leads, opportunities
from core.records.forms import CompetitorLinkForm, ConvertLeadForm, LineForm
from core.records.lookups import bind_lookups, stage_choices
from core.records.blueprint import _user, bp
from core.web import fail


# --- lead → convert -------------------------------------------------------------------------------------

@bp.route("/lead/<int:record_id>/convert", methods=["GET", "POST"])
@login_required
def convert_lead(record_id):
    user = _user()
    lead = access.get_or_404(user, "lead", record_id, "write")
    if lead.converted_at is not None:
        fail(409, _("This lead was converted already on %(date)s.", date=lead.converted_at.date()))
    form = ConvertLeadForm(data={
        "account_name": lead.company or lead.name, "opportunity_name": lead.company or lead.name,
        "close_date": clock.today() + _dt.timedelta(days=30), "create_opportunity": True})
    bind_lookups(form, user)
    form.stage.choices = stage_choices()
    if form.validate_on_submit():
        account = None
        if form.account.data:
            account = access.get_or_404(user, "account", form.account.data)
        opportunity = None
        if form.create_opportunity.data:
            opportunity = {"name": form.opportunity_name.data.strip(), "close_date": form.close_date.data,
                           "stage": form.stage.data, "amount": form.amount.data}
        try:
            _account, _contact, opp = leads.convert(lead, user, account, form.account_name.data or "", opportunity)
        except RecordError as exc:
            fail(409, str(exc))
        flash(_("The lead was converted."), "success")
        if opp is not None:
            return redirect(url_for("records.detail", type_name="opportunity", record_id=opp.id))
        return redirect(url_for("records.detail", type_name="lead", record_id=lead.id))
    return render_template("core/records/convert.html", lead=lead, form=form), 400 if form.is_submitted() else 200


# --- opportunity lines and competitors ------------------------------------------------------------------

def product_choices():
    return [(p.id, f"{p.name} ({p.code})") for p in
            Product.select().where(Product.active == True).order_by(Product.name)]  # noqa: E712


def _back(opp_id, anchor):
    return redirect(url_for("records.detail", type_name="opportunity", record_id=opp_id) + anchor)


def _picker_page(opp, title, template, form):
    """The add-line / link-competitor form on a page of its own: the detail page links to it and so reads
    no picker (all products, the visible competitors) on every view."""
    from core.records import registry as records
    return render_template("core/records/picker.html", rt=records.get("opportunity"), record=opp, title=title,
                           form_template=template, form=form)


@bp.route("/opportunity/<int:record_id>/lines", methods=["GET", "POST"])
@login_required
def add_line(record_id):
    user = _user()
    opp = access.get_or_404(user, "opportunity", record_id, "write")
    form = LineForm()
    form.product.choices = product_choices()
    if request.method == "GET":
        return _picker_page(opp, _("Add line"), "core/records/_line_form.html", form)
    if not form.validate_on_submit():
        for name, messages in form.errors.items():
            for message in messages:
                flash(f"{form[name].label.text}: {message}", "error")
        return _back(opp.id, "#lines")
    product = Product.get_by_id(form.product.data)
    opportunities.add_line(opp, product, form.quantity.data, form.unit_price.data, form.discount_percent.data, user)
    flash(_("Line added."), "success")
    return _back(opp.id, "#lines")


@bp.route("/opportunity/<int:record_id>/lines/<int:line_id>/delete", methods=["POST"])
@login_required
def remove_line(record_id, line_id):
    user = _user()
    opp = access.get_or_404(user, "opportunity", record_id, "write")
    line = OpportunityLine.get_or_none((OpportunityLine.id == line_id) & (OpportunityLine.opportunity == opp.id))
    if line is None:
        fail(404, _("There is no such line on this opportunity."))
    opportunities.remove_line(opp, line, user)
    flash(_("Line removed."), "success")
    return _back(opp.id, "#lines")


@bp.route("/opportunity/<int:record_id>/competitors", methods=["GET", "POST"])
@login_required
def link_competitor(record_id):
    user = _user()
    opp = access.get_or_404(user, "opportunity", record_id, "write")
    form = CompetitorLinkForm()
    bind_lookups(form, user)
    if request.method == "GET":
        return _picker_page(opp, _("Link competitor"), "core/records/_competitor_form.html", form)
    if not form.validate_on_submit():  # a typed name that names none or several says so
        flash(form.competitor.problem or _("Choose a competitor you may see."), "error")
        return _back(opp.id, "#competitors")
    competitor = access.get_or_404(user, "competitor", form.competitor.data)
    if opportunities.link_competitor(opp, competitor, user):
        flash(_("Competitor linked."), "success")
    return _back(opp.id, "#competitors")


@bp.route("/opportunity/<int:record_id>/competitors/<int:competitor_id>/delete", methods=["POST"])
@login_required
def unlink_competitor(record_id, competitor_id):
    user = _user()
    opp = access.get_or_404(user, "opportunity", record_id, "write")
    competitor = Competitor.get_or_none(Competitor.id == competitor_id)
    if competitor is None or not opportunities.unlink_competitor(opp, competitor, user):
        fail(404, _("This competitor is not linked to the opportunity."))
    flash(_("Competitor unlinked."), "success")
    return _back(opp.id, "#competitors")


# --- documents ------------------------------------------------------------------------------------------

@bp.route("/document/<int:record_id>/download")
@login_required
def download(record_id):
    document = access.get_or_404(_user(), "document", record_id)
    response = filestore.response(document.stored_name, document.content_type,
                                  download_name=document.filename or "document")
    if response is None:
        fail(404, _("The file of this document is missing."))
    return response


def document_form_save(form, record, user):
    """Before a document is saved: check the linked record is one the user sees; store the uploaded file and
    delete the one it replaces. This runs inside the record service's transaction and the files are in the
    database, so a save that fails later keeps the old file and the new one is never stored."""
    upload = form.file.data
    if record.id is None and not (upload and upload.filename):
        raise RecordError(_("Choose a file to upload."))
    related_type, related_id = record.related_type or "", record.related_id
    if related_type and not related_id or related_id and not related_type:
        raise RecordError(_("Give both the type and the number of the linked record, or neither."))
    if related_type and not _link_unchanged(record):
        from core.records import registry
        rt = registry.get(related_type)
        target = access.visible(rt.model.select(), user, rt).where(rt.model.id == related_id).first()
        if target is None:
            raise RecordError(_("There is no %(type)s number %(id)s that you may see.", type=rt.label,
                                id=related_id))
    if upload and upload.filename:
        old = record.stored_name
        for key, value in documents.store(upload).items():
            setattr(record, key, value)
        if old:
            filestore.remove(old)


def _link_unchanged(record):
    """Is the document still linked to the record it was linked to? Such a link is kept as it is even when
    the editor may not read the linked record (saving a form unchanged changes nothing)."""
    if record.id is None:
        return False
    stored = type(record).get_or_none(type(record).id == record.id)
    return stored is not None and (stored.related_type or "", stored.related_id) == \
        (record.related_type or "", record.related_id)


def document_deleted(record):
    filestore.remove(record.stored_name)  # in the delete's transaction


def related_record(document):
    """The record a document is linked to, if the type is registered (the caller checks visibility)."""
    if not document.related_type or not document.related_id:
        return None, None
    from core.records import registry
    try:
        rt = registry.get(document.related_type)
    except KeyError:
        return None, None
    return rt, rt.model.get_or_none(rt.model.id == document.related_id)


def document_link(document, user):
    rt, target = related_record(document)
    if target is None or not access.can(user, "read", target, rt):
        return None
    return rt, target, url_for("records.detail", type_name=rt.name, record_id=target.id)


__all__ = ["document_deleted", "document_form_save", "document_link", "request"]
