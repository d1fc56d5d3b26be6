"""Printable documents (打印 / PDF): a quote, sales order or invoice as one standalone HTML page
(``sales/print.html``) that a browser prints and WeasyPrint turns into a PDF, so there is one layout.

WeasyPrint is given a URL fetcher that answers exactly two addresses, the organisation's logo (from core's file
store) and the print stylesheet (from this plugin's static folder), and refuses every other one (a web address,
``file:``, ``data:``): nothing a user typed can make a PDF reach the network or the server's disk. The fonts come
from the system (fontconfig): the Chinese glyphs from ``fonts-wqy-microhei`` (docs/sales.md)."""
import os
import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

import peewee
import weasyprint
from flask import render_template, request, url_for
from flask_babel import lazy_gettext as _l

from core import filestore, names, templating
from core.models import Organisation, Product, StoredFile
from core.records import registry as records
from core.records.display import label as field_label
from plugins.sales import services
from plugins.sales.models import LINES
from plugins.sales.record_types import ROUNDING_RULE

TITLES = {"quote": _l("Quote"), "sales_order": _l("Sales order"), "invoice": _l("Invoice")}
STYLESHEET = "print.css"
STATIC_FOLDER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "static")


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


def file_name(kind, document):
    """An ASCII file name from the document's number (``Q-2026-0001-r2.pdf``); the prefixes are the school's
    own and may be Chinese, so each run of anything but letters, digits, ``.``, ``_`` and ``-`` becomes one ``_``
    (and none at either end)."""
    stem = document.number + (f"-r{document.revision}" if getattr(document, "revision", 1) > 1 else "")
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", stem).strip("._-") or kind
    return f"{stem}.pdf"


class Refused(ValueError):
    """A URL the print fetcher does not serve."""


class DocumentFetcher(weasyprint.urls.URLFetcher):
    """Serves the logo and the print stylesheet at their absolute URLs under ``base_url``, and nothing else.
    ``asked`` keeps every URL WeasyPrint asked for, ``refused`` those it did not get."""

    def __init__(self, base_url, logo_name=""):
        super().__init__(allowed_protocols=())
        self.base_url, self.asked, self.refused = base_url, [], []
        self.served = {urljoin(base_url, url_for("sales.static", filename=STYLESHEET)): self._stylesheet}
        if logo_name:
            self.served[urljoin(base_url, url_for("admin.logo"))] = lambda: self._logo(logo_name)

    def fetch(self, url, headers=None):
        self.asked.append(url)
        serve = self.served.get(url)
        if serve is None:
            self.refused.append(url)
            raise Refused(f"not served to the PDF renderer: {url[:200]}")
        body, content_type = serve()
        return weasyprint.urls.URLFetcherResponse(url, body, {"Content-Type": content_type})

    @staticmethod
    def _stylesheet():
        with open(os.path.join(STATIC_FOLDER, STYLESHEET), "rb") as fh:
            return fh.read(), "text/css; charset=utf-8"

    @staticmethod
    def _logo(name):
        stored = StoredFile.get_or_none(StoredFile.name == name)
        if stored is None:
            raise Refused("the logo is gone")
        return filestore.Reader(stored).readall(), stored.content_type or "application/octet-stream"


def pdf(view, fetcher=None):
    """The PDF bytes of ``view``, rendered from the print page's HTML with only the :class:`DocumentFetcher`."""
    base_url = request.host_url
    fetcher = fetcher or DocumentFetcher(base_url, view.org.logo if view.logo_url else "")
    html = weasyprint.HTML(string=page(view, for_pdf=True), base_url=base_url, url_fetcher=fetcher)
    return html.write_pdf()
