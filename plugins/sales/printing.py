"""Printable documents (打印): a quote, sales order or invoice as one standalone HTML page (``sales/print.html``)
that a browser prints and :mod:`plugins.sales.pdf` turns into a PDF, so there is one layout. What the page shows
is gathered here, in the viewer's language and the document's currency, the customer named only where the viewer
may read the account (core.names)."""
from dataclasses import dataclass, field

import peewee
from flask import render_template, url_for

from core import filestore, names, templating
from core.babel import lazy_gettext as _l
from core.models import Organisation, Product
from core.records import registry as records
from core.records.display import label as field_label
from plugins.sales import services
from plugins.sales.models import LINES
from plugins.sales.record_types import ROUNDING_RULE

TITLES = {"quote": _l("Quote"), "sales_order": _l("Sales order"), "invoice": _l("Invoice")}
STYLESHEET = "print.css"    # in the plugin's static folder


@dataclass
class Party:
    """The customer block: the account's name and address, the contact (what the viewer may read)."""
    name: str = ""
    lines: list = field(default_factory=list)      # address, region, phone, e-mail: those filled in
    contact: str = ""
    contact_lines: list = field(default_factory=list)


@dataclass
class Printable:
    """Everything the print template shows, already in the viewer's language and the document's currency."""
    kind: str
    document: object
    title: str
    status: str
    dates: list          # (label, formatted date)
    customer: Party
    lines: list          # dicts: product, description, quantity, unit_price, discount, tax_rate, line_total
    totals: list         # (label, formatted amount, is the grand total / balance)
    rounding: str
    org: object
    logo_url: str        # "" without a logo


def printable(kind, document, user):
    """The view of ``document`` (of ``kind``) for ``user``, who may read it (the caller checked)."""
    rt = records.get(kind)
    money = lambda value: templating.money(value, document.currency)  # noqa: E731
    status = services.status_label(kind, document.status)
    if kind == "invoice" and document.is_overdue():
        status = f"{status} · {_l('Overdue')}"
    totals = [(field_label(rt, name), money(getattr(document, name)), name == "total")
              for name in ("subtotal", "tax", "discount", "shipping", "total")]
    if kind == "invoice":
        totals += [(field_label(rt, "paid"), money(document.paid), False),
                   (field_label(rt, "balance_due"), money(document.balance_due), True)]
    org = Organisation.get_profile()
    return Printable(kind=kind, document=document, title=str(TITLES[kind]), status=status,
                     dates=_dates(kind, rt, document), customer=_customer(document, user),
                     lines=_lines(kind, document, money), totals=totals,
                     rounding=str(ROUNDING_RULE), org=org,
                     logo_url=url_for("admin.logo") if filestore.exists(org.logo) else "")


def _dates(kind, rt, document):
    date = templating.date_filter
    if kind == "quote":
        shown = [(_l("Date"), document.created_at), (field_label(rt, "valid_until"), document.valid_until)]
    elif kind == "sales_order":
        shown = [(_l("Order date"), document.created_at)]
    else:
        shown = [(field_label(rt, "issue_date"), document.issue_date), (field_label(rt, "due_date"), document.due_date)]
    return [(str(label), date(value, "long")) for label, value in shown if value]


def _customer(document, user):
    party = Party()
    account = document.account if document.account_id else None
    if account is not None:
        if names.may_name(account, user):
            party.name = account.name
            party.lines = [v for v in (account.billing_address, account.region, account.phone, account.email) if v]
        else:
            party.name = str(names.PRIVATE)
    contact = document.contact if document.contact_id else None
    if contact is not None:
        if names.may_name(contact, user):
            party.contact = contact.name
            party.contact_lines = [v for v in (contact.email, contact.phone) if v]
        else:
            party.contact = str(names.PRIVATE)
    return party


def _lines(kind, document, money):
    line = LINES[kind]
    rows = (line.select(line, Product).join_from(line, Product, peewee.JOIN.LEFT_OUTER)
            .where(line.document == document.id).order_by(line.position, line.id))
    return [{"product": str(ln.product) if ln.product_id else "", "description": ln.description,
             "quantity": templating.number(ln.quantity), "unit_price": money(ln.unit_price),
             "discount": (f"{templating.number(ln.discount_percent)} %" if ln.discount_percent
                          else money(ln.discount_amount) if ln.discount_amount else ""),
             "tax_rate": f"{templating.number(ln.tax_rate)} %", "line_total": money(ln.line_total)}
            for ln in rows]


def page(view, for_pdf=False):
    """The HTML of the print page (``for_pdf``: without the Print button and the script)."""
    return render_template("sales/print.html", view=view, doc=view.document, for_pdf=for_pdf,
                           stylesheet_url=url_for("sales.static", filename=STYLESHEET))


def file_name(document):
    """The PDF's file name: the document's number and revision (``Q-2026-0001-r2.pdf``, ``发票-2026-0007.pdf``;
    core.web.attachment puts it in the header, with an ASCII stand-in for old clients)."""
    stem = document.number + (f"-r{document.revision}" if getattr(document, "revision", 1) > 1 else "")
    return f"{stem}.pdf"
