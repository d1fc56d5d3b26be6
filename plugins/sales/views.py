"""Pages of the sales plugin beside core's generic record pages (list, detail, header form, CSV): a document's
lines, its status actions and conversions (each confirmed), payments on an invoice, its print page and PDF, and
the settings."""
import logging

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from core import access, clock
from core.babel import gettext as _
from core.records import RecordError
from core.records.specific import product_choices
from core.web import attachment, fail
from plugins.sales import actions, printing, services
from plugins.sales.forms import LinesForm, PaymentForm, SettingsForm
from plugins.sales.models import DOCUMENTS, SalesSettings

try:
    from plugins.sales import pdf as pdf_output
except OSError as missing:   # WeasyPrint without Pango: the print page works, the PDF says what to install
    pdf_output = None
    logging.getLogger(__name__).warning("sales: no PDF output, WeasyPrint cannot load a library: %s", missing)

bp = Blueprint("sales", __name__, url_prefix="/sales", template_folder="templates", static_folder="static",
               static_url_path="/static")
SPARE_ROWS = 3


def _user():
    return current_user._get_current_object()


def _kind_or_404(kind):
    if kind not in DOCUMENTS:
        abort(404)
    return kind


def detail_url(kind, document):
    return url_for("records.detail", type_name=kind, record_id=document.id)


# --- lines ----------------------------------------------------------------------------------------------

@bp.route("/<type_name>/<int:record_id>/lines", methods=["GET", "POST"])
@login_required
def lines(type_name, record_id):
    kind = _kind_or_404(type_name)
    user = _user()
    document = access.get_or_404(user, kind, record_id, "write")
    if document.status != services.EDITABLE[kind]:
        fail(409, services.locked_error(kind, document.status))
    stored = [services.line_values(r) for r in services.lines_of(kind, document)]
    form = LinesForm(data=None if request.method == "POST" else {"lines": stored + [{}] * SPARE_ROWS})
    form.bind([("", "—")] + product_choices())
    if form.validate_on_submit():
        rows = form.rows(services.default_price, SalesSettings.current().default_tax_rate)
        if rows is not None:
            try:
                services.set_lines(kind, document, rows, user)
            except RecordError as exc:
                flash(str(exc), "error")
            else:
                flash(_("Lines saved."), "success")
                return redirect(detail_url(kind, document))
    return render_template("sales/lines.html", kind=kind, document=document, form=form,
                           default_tax_rate=SalesSettings.current().default_tax_rate), \
        400 if form.is_submitted() else 200


# --- actions (status changes and conversions), each confirmed -----------------------------------------

def _status(to):
    return lambda kind, document, user: services.change_status(kind, document, to, user) or document


PERFORM = {
    ("quote", "send"): _status("sent"),
    ("quote", "accept"): _status("accepted"),
    ("quote", "reject"): _status("rejected"),
    ("quote", "revise"): lambda kind, doc, user: services.revise(doc, user),
    ("quote", "order"): lambda kind, doc, user: services.order_from_quote(doc, user),
    ("quote", "invoice"): lambda kind, doc, user: services.invoice_from(kind, doc, user),
    ("sales_order", "deliver"): _status("delivered"),
    ("sales_order", "cancel"): _status("cancelled"),
    ("sales_order", "invoice"): lambda kind, doc, user: services.invoice_from(kind, doc, user),
    ("invoice", "issue"): _status("issued"),
    ("invoice", "void"): _status("void"),
    ("opportunity", "quote"): lambda kind, doc, user: services.quote_from_opportunity(doc, user),
}
assert set(PERFORM) == set(actions.LABELS)


@bp.route("/<type_name>/<int:record_id>/do/<action>", methods=["GET", "POST"])
@login_required
def act(type_name, record_id, action):
    kind = type_name
    if (kind, action) not in PERFORM:
        abort(404)
    user = _user()
    document = access.get_or_404(user, kind, record_id, "write")
    label, perform = actions.LABELS[(kind, action)], PERFORM[(kind, action)]
    if request.method == "GET":
        return render_template("sales/confirm.html", kind=kind, document=document, label=label,
                               back=url_for("records.detail", type_name=kind, record_id=document.id))
    try:
        result = perform(kind, document, user)
    except RecordError as exc:
        fail(409, exc)
    except PermissionError:
        abort(403)
    flash(_("%(action)s: done.", action=label), "success")
    return redirect(detail_url(services.kind_of(result), result))


# --- print page and PDF: who may open the document's page, exactly (core's read check, 404 otherwise) --------

@bp.route("/<type_name>/<int:record_id>/print")
@login_required
def printable(type_name, record_id):
    kind = _kind_or_404(type_name)
    user = _user()
    document = access.get_or_404(user, kind, record_id)
    return printing.page(printing.printable(kind, document, user))


@bp.route("/<type_name>/<int:record_id>/pdf")
@login_required
def pdf(type_name, record_id):
    kind = _kind_or_404(type_name)
    user = _user()
    document = access.get_or_404(user, kind, record_id)
    if pdf_output is None:
        fail(503, _("PDF needs the Pango library on the server (Debian: libpango-1.0-0 libpangoft2-1.0-0 "
                    "libharfbuzz-subset0); the print page works without it."))
    body = pdf_output.render(printing.printable(kind, document, user))
    return Response(body, mimetype="application/pdf",
                    headers={"Content-Disposition": attachment(printing.file_name(document), fallback=kind)})


# --- payments -------------------------------------------------------------------------------------------

@bp.route("/invoice/<int:invoice_id>/payments", methods=["GET", "POST"])
@login_required
def payments(invoice_id):
    user = _user()
    invoice = access.get_or_404(user, "invoice", invoice_id, "write")
    form = PaymentForm(data=None if request.method == "POST" else {"paid_on": clock.today(),
                                                                   "amount": invoice.balance_due})
    if form.validate_on_submit():
        try:
            services.add_payment(invoice, user, form.paid_on.data, form.amount.data, form.method.data,
                                 (form.reference.data or "").strip())
        except RecordError as exc:
            form.amount.errors = list(form.amount.errors) + [str(exc)]
        else:
            flash(_("Payment recorded."), "success")
            return redirect(detail_url("invoice", invoice))
    return render_template("sales/payment.html", invoice=invoice, form=form), 400 if form.is_submitted() else 200


# --- settings -------------------------------------------------------------------------------------------

@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    if not _user().is_admin:
        abort(403)
    row = SalesSettings.current()
    form = SettingsForm(obj=row)
    if form.validate_on_submit():
        form.populate_obj(row)
        row.default_tax_rate = row.default_tax_rate or 0
        row.save()
        flash(_("Settings saved."), "success")
        return redirect(url_for("sales.settings"))
    return render_template("sales/settings.html", form=form), 400 if form.is_submitted() else 200
