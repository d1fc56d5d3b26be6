"""The sales plugin's reports (报价、发票与收款报表) for the reports plugin's "sales" family (销售报表): invoiced
revenue by month, fiscal quarter, fiscal year, owner, team, product and product category; quote conversion;
receivables ageing; top customers.

Every figure is one SQL query with GROUP BY over the documents ``core.access.visible`` leaves the viewer (the
``sales`` sharing family); money is summed in exact cents (``core.db.hundredths``) and read back as Decimal.
Issue and due dates are local dates already (an invoice is issued "today" on the organisation's clock), so
months, quarters and fiscal years are the organisation's; quarters and fiscal years follow ``core.fiscal``.
The definitions are stated once here and on each report (``DESCRIPTIONS``), and in docs/sales.md.
"""
import datetime as _dt
from decimal import Decimal
from urllib.parse import urlencode

from flask import url_for
from flask_babel import LazyString
from peewee import JOIN, SQL, Case, fn

from core import access, charts, clock, fiscal, names
from core import positions as position_tree
from core.babel import gettext as _, lazy_gettext as _l
from core.db import hundredths
from core.models import Position, Product, ProductCategory, User
from core.reports import ReportColumn as C
from core.reports import ReportDefinition, ReportResult
from plugins.sales.models import INVOICE_STATUSES, QUOTE_STATUSES, UNPAID, Invoice, InvoiceLine, Quote

FAMILY = "sales"                                   # beside the won-revenue reports (docs/sales.md, "Reports")
ISSUED = ("issued", "partly_paid", "paid")          # invoiced revenue: never draft or void
SENT = ("sent", "accepted", "rejected", "expired")  # a quote the customer has seen
ZERO = Decimal(0)
HUNDRED = Decimal(100)
TOP_DEFAULT, TOP_MAX = 10, 100
# receivables ageing: (key, label, first, last day past the due date); "current" is not yet due
AGE_BANDS = (("current", _l("Current"), None, 0), ("d1_30", _l("1–30 days"), 1, 30),
             ("d31_60", _l("31–60 days"), 31, 60), ("d61_90", _l("61–90 days"), 61, 90),
             ("d90_plus", _l("Over 90 days"), 91, None))

REVENUE = _l("Invoiced revenue = the totals (tax included) of issued, partly paid and paid invoices, by issue "
             "date; drafts and void invoices never count.")


def _joined(*parts):
    """Sentences said once each (the revenue definition), joined in the reader's language when shown."""
    return LazyString(lambda: " ".join(str(part) for part in parts))


DESCRIPTIONS = {
    "bucket": REVENUE,
    "owner": REVENUE,
    "team": _joined(_l("By the team (position) of the invoice's owner."), REVENUE),
    "lines": _joined(_l("From the invoice lines (line totals, tax included). The document discount and shipping "
                        "are on no line: they are a row of their own, so the total is the invoiced revenue of the "
                        "other reports."), REVENUE),
    "conversion": _l("Of the quotes sent (one per quote number: its latest revision that was sent, accepted, "
                     "rejected or expired), how many were accepted. Conversion rate = accepted ÷ sent. Dated by "
                     "when the quote was created."),
    "ageing": _l("Balance due of issued and partly paid invoices by days past the due date, as of today: current "
                 "(not yet due), 1–30, 31–60, 61–90, over 90 days. The date range applies to the issue date."),
    "top": _joined(_l("Invoiced revenue per customer, the largest first (N of them), with the payments received "
                      "against those invoices and what is still due."), REVENUE),
}


# --- the viewer's documents ------------------------------------------------------------------------------

def _team(params):
    position = Position.get_or_none(Position.id == params.position_id)
    return position_tree.users_in(position) if position is not None else User.select(User.id).where(SQL("1 = 0"))


def _narrowed(query, model, params):
    """The owner or team of ``params``: it narrows what ``access.visible`` left, never widens it."""
    if params.owner_id:
        query = query.where(model.owner == params.owner_id)
    if params.position_id:
        query = query.where(model.owner.in_(_team(params)))
    return query


def _issue_dates(query, params):
    if params.date_from:
        query = query.where(Invoice.issue_date >= params.date_from)
    if params.date_to:
        query = query.where(Invoice.issue_date <= params.date_to)
    return query


def _invoices(user, params, *columns, query=None, statuses=ISSUED):
    """``columns`` over the invoices of ``statuses`` the viewer may read, issued in the range, of the owner or
    team chosen (``query``: a select of its own, e.g. over the invoice lines joined to their invoice)."""
    query = Invoice.select(*columns) if query is None else query
    query = access.visible(query, user, "invoice").where(Invoice.status.in_(statuses))
    return _narrowed(_issue_dates(query, params), Invoice, params)


def _cents(expr):
    return fn.SUM(hundredths(expr))


def _money(cents):
    """A SUM of hundredths (Decimal, int or None) as exact Decimal money."""
    if cents is None:
        return ZERO
    return (cents if isinstance(cents, Decimal) else Decimal(int(cents))) / HUNDRED


def _totals(columns, rows):
    return {c.key: sum((r.get(c.key) or 0 for r in rows), ZERO if c.kind == "money" else 0)
            for c in columns if c.total}


def _drill(record_type, filters):
    """The reports plugin's drill-down list (``/reports/drill/<type>/?f=field:op:value``, docs/reports.md):
    these reports are shown only by that plugin, so its endpoint is there."""
    query = urlencode([("f", f"{field}:{op}:{'' if value is None else value}") for field, op, value in filters])
    return url_for("reports.drill", type_name=record_type) + ("?" + query if query else "")


def _invoice_filters(params, statuses=ISSUED):
    out = [("status", "in", ",".join(statuses))]
    if params.date_from:
        out.append(("issue_date", "gte", params.date_from.isoformat()))
    if params.date_to:
        out.append(("issue_date", "lte", params.date_to.isoformat()))
    if params.owner_id:
        out.append(("owner", "eq", params.owner_id))
    if params.position_id:
        out.append(("owner", "team", params.position_id))
    return out


def _revenue_columns(first):
    return [first, C("count", _l("Invoices"), "count", True), C("amount", _l("Invoiced revenue"), "money", True)]


# --- invoiced revenue by month, fiscal quarter, fiscal year ----------------------------------------------

def _bucket_key(unit, start_month):
    """The GROUP BY key of the issue date: yyyymm for a month, fiscal year × 10 + quarter for a quarter, the
    fiscal year (named by the calendar year it starts in) for a year — plain integer arithmetic and a CASE
    over the twelve months, the same on every database."""
    year, month = Invoice.issue_date.year, Invoice.issue_date.month
    if unit == "month":
        return year * 100 + month
    fiscal_year = year - Case(None, [(month < start_month, 1)], 0)
    if unit == "fiscal_year":
        return fiscal_year
    quarter = Case(month, [(m, ((m - start_month) % 12) // 3 + 1) for m in range(1, 13)])
    return fiscal_year * 10 + quarter


def _describe(unit, key, start_month):
    """(label, first day, first day after) of a bucket key."""
    key = int(key)
    if unit == "month":
        first = _dt.date(key // 100, key % 100, 1)
        return f"{first.year}-{first.month:02d}", first, fiscal.add_months(first, 1)
    if unit == "fiscal_year":
        year = fiscal.FiscalYear(key, start_month)
        return year.label, year.start, year.after
    quarter = fiscal.Quarter(key // 10, key % 10, start_month)
    return quarter.label, quarter.start, quarter.after


def _every_month(keys):
    """Every month from the first to the last found: a month without invoices is a zero, not a gap."""
    if not keys:
        return []
    first = _dt.date(min(keys) // 100, min(keys) % 100, 1)
    last = _dt.date(max(keys) // 100, max(keys) % 100, 1)
    return [m.year * 100 + m.month for m in charts.months(first, last)]


def _by_bucket(user, params, unit):
    start_month = fiscal.start_month()
    key = _bucket_key(unit, start_month)
    query = _invoices(user, params, key.alias("key"), fn.COUNT(Invoice.id).alias("n"),
                      _cents(Invoice.total).alias("cents"))
    found = {int(r.key): r for r in query.where(Invoice.issue_date.is_null(False)).group_by(SQL("1")).objects()}
    keys = _every_month(list(found)) if unit == "month" else sorted(found)
    rows = []
    for k in keys:
        label, first, after = _describe(unit, k, start_month)
        r = found.get(k)
        rows.append({"label": label, "count": r.n if r else 0, "amount": _money(r.cents if r else None),
                     "_first": first, "_after": after})
    first_label = {"month": _l("Month"), "quarter": _l("Fiscal quarter"), "fiscal_year": _l("Fiscal year")}[unit]
    cols = _revenue_columns(C("label", first_label))
    base = _invoice_filters(params)
    return ReportResult(cols, rows, chart={"kind": "line" if unit == "month" else "bar", "label": "label",
                                           "values": ["amount"]},
                        totals=_totals(cols, rows), note=REVENUE,
                        drilldown=lambda row: _drill("invoice", base + [
                            ("issue_date", "gte", row["_first"].isoformat()),
                            ("issue_date", "lt", row["_after"].isoformat())]))


def invoiced_by_month(user, params):
    return _by_bucket(user, params, "month")


def invoiced_by_quarter(user, params):
    return _by_bucket(user, params, "quarter")


def invoiced_by_fiscal_year(user, params):
    return _by_bucket(user, params, "fiscal_year")


# --- by owner, by team -----------------------------------------------------------------------------------

def _ordered(found):
    return sorted(found, key=lambda r: (-_money(r.cents), r.key is None, r.key or 0))


def invoiced_by_owner(user, params):
    query = _invoices(user, params, Invoice.owner.alias("key"), fn.COUNT(Invoice.id).alias("n"),
                      _cents(Invoice.total).alias("cents"))
    found = _ordered(query.group_by(Invoice.owner).objects())
    people = {u.id: u.display_name for u in User.select().where(User.id.in_([r.key for r in found] or [0]))}
    rows = [{"label": people.get(r.key, _("(no owner)")), "count": r.n, "amount": _money(r.cents), "_key": r.key}
            for r in found]
    cols = _revenue_columns(C("label", _l("Owner")))
    base = _invoice_filters(params)
    return ReportResult(cols, rows, chart={"kind": "hbar", "label": "label", "values": ["amount"]},
                        totals=_totals(cols, rows), note=REVENUE,
                        drilldown=lambda row: _drill("invoice", base + [("owner", "eq", row["_key"])])
                        if row["_key"] else None)


def invoiced_by_team(user, params):
    """Per position of the invoice's owner (the team the salesperson sits in)."""
    query = _invoices(user, params, query=Invoice.select(User.position.alias("key"), fn.COUNT(Invoice.id).alias("n"),
                                           _cents(Invoice.total).alias("cents"))
                      .join(User, JOIN.LEFT_OUTER, on=(Invoice.owner == User.id)))
    found = _ordered(query.group_by(User.position).objects())
    teams = {p.id: p.name for p in Position.select().where(Position.id.in_([r.key for r in found if r.key] or [0]))}
    rows = [{"label": teams.get(r.key, _("(no position)")), "count": r.n, "amount": _money(r.cents),
             "_key": r.key} for r in found]
    cols = _revenue_columns(C("label", _l("Team (position)")))
    base = _invoice_filters(params)
    return ReportResult(cols, rows, chart={"kind": "bar", "label": "label", "values": ["amount"]},
                        totals=_totals(cols, rows), note=DESCRIPTIONS["team"],
                        drilldown=lambda row: _drill("invoice", base + [("owner", "team", row["_key"])])
                        if row["_key"] else None)


# --- by product, by category (from the lines) ------------------------------------------------------------

def _by_lines(user, params, key, title, label_of, join_product=False):
    lines = InvoiceLine.select(key.alias("key"), fn.COUNT(fn.DISTINCT(Invoice.id)).alias("n"),
                               _cents(InvoiceLine.quantity).alias("quantity"),
                               _cents(InvoiceLine.line_total).alias("cents"))
    lines = lines.join(Invoice, on=(InvoiceLine.document == Invoice.id))
    if join_product:
        lines = lines.join(Product, JOIN.LEFT_OUTER, on=(InvoiceLine.product == Product.id))
    found = _ordered(_invoices(user, params, query=lines).group_by(key).objects())
    labels = label_of([r.key for r in found if r.key is not None])
    rows = [{"label": labels.get(r.key, "") if r.key is not None else None, "count": r.n,
             "quantity": _money(r.quantity), "amount": _money(r.cents)} for r in found]
    for row in rows:
        if row["label"] is None:
            row["label"] = _("(no product)") if not join_product else _("(no category)")
    # the document discount and shipping are on no line: one row, so that the total is the invoiced revenue
    extra = _invoices(user, params, fn.COUNT(Invoice.id).alias("n"),
                      _cents(Invoice.shipping - Invoice.discount).alias("cents")).objects().first()
    if extra is not None and extra.n:
        # shown as a row apart and left out of the chart (the table's "_subtotal" style), yet in the total
        rows.append({"label": _("Document discount and shipping"), "count": None, "quantity": None,
                     "amount": _money(extra.cents), "_subtotal": True})
    cols = [C("label", title), C("count", _l("Invoices"), "count"), C("quantity", _l("Quantity"), "number", True),
            C("amount", _l("Invoiced revenue"), "money", True)]
    chart_rows = [r for r in rows if not r.get("_subtotal")]
    return ReportResult(cols, rows, chart={"kind": "hbar" if not join_product else "pie", "label": "label",
                                           "values": ["amount"]} if chart_rows else None,
                        totals=_totals(cols, rows), note=DESCRIPTIONS["lines"])


def invoiced_by_product(user, params):
    def label_of(ids):
        return {p.id: p.name for p in Product.select(Product.id, Product.name).where(Product.id.in_(ids or [0]))}
    return _by_lines(user, params, InvoiceLine.product, _l("Product"), label_of)


def invoiced_by_category(user, params):
    def label_of(ids):
        return {c.id: c.name for c in ProductCategory.select().where(ProductCategory.id.in_(ids or [0]))}
    return _by_lines(user, params, Product.category, _l("Product category"), label_of, join_product=True)


# --- quote conversion ------------------------------------------------------------------------------------

def _counted_quotes(query):
    """Quotes sent, one per number: a revision counts unless a later revision of the same number was sent
    too (a new draft revision leaves the sent one counted until it is sent itself)."""
    later = Quote.alias("later")
    newer = later.select(SQL("1")).where((later.number == Quote.number) & (later.revision > Quote.revision)
                                         & later.status.in_(SENT))
    return query.where(Quote.status.in_(SENT) & ~fn.EXISTS(newer))


def _created_between(query, params):
    tz = clock.org_timezone()

    def utc(day):
        return clock.to_utc(_dt.datetime.combine(day, _dt.time()), tz)
    if params.date_from:
        query = query.where(Quote.created_at >= utc(params.date_from))
    if params.date_to:
        query = query.where(Quote.created_at < utc(params.date_to + _dt.timedelta(days=1)))
    return query


def _rate(part, whole):
    return Decimal(part) / Decimal(whole) if whole else None


def quote_conversion(user, params):
    def count(status):
        return fn.SUM(Case(None, [(Quote.status == status, 1)], 0))
    query = Quote.select(Quote.owner.alias("key"), fn.COUNT(Quote.id).alias("n"), count("accepted").alias("accepted"),
                         count("rejected").alias("rejected"), count("expired").alias("expired"))
    query = _narrowed(_created_between(_counted_quotes(access.visible(query, user, "quote")), params), Quote, params)
    found = list(query.group_by(Quote.owner).objects())
    people = {u.id: u.display_name for u in User.select().where(User.id.in_([r.key for r in found] or [0]))}
    rows = []
    for r in found:
        accepted, rejected, expired = int(r.accepted or 0), int(r.rejected or 0), int(r.expired or 0)
        rows.append({"label": people.get(r.key, _("(no owner)")), "sent": r.n, "accepted": accepted,
                     "rejected": rejected, "expired": expired, "open": r.n - accepted - rejected - expired,
                     "rate": _rate(accepted, r.n)})
    rows.sort(key=lambda row: (-row["sent"], str(row["label"])))
    cols = [C("label", _l("Owner")), C("sent", _l("Quotes sent"), "count", True),
            C("accepted", QUOTE_STATUSES["accepted"], "count", True),
            C("rejected", QUOTE_STATUSES["rejected"], "count", True),
            C("expired", QUOTE_STATUSES["expired"], "count", True),
            C("open", _l("Awaiting an answer"), "count", True), C("rate", _l("Conversion rate"), "percent")]
    sums = _totals(cols, rows)
    sums["rate"] = _rate(sums["accepted"], sums["sent"])
    return ReportResult(cols, rows, chart={"kind": "stacked", "label": "label",
                                           "values": ["accepted", "rejected", "expired", "open"]},
                        totals=sums, note=DESCRIPTIONS["conversion"])


# --- receivables ageing ----------------------------------------------------------------------------------

def _band_condition(first, last, today):
    """Days past due between ``first`` and ``last`` (None: open-ended); a missing due date is current."""
    cond = None
    if first is not None:          # at least ``first`` days past due: due on or before today − first
        cond = Invoice.due_date <= today - _dt.timedelta(days=first)
    if last is not None:           # at most ``last`` days past due: due on or after today − last
        upper = Invoice.due_date >= today - _dt.timedelta(days=last)
        cond = upper if cond is None else (cond & upper)
    if first is None:
        cond = cond | Invoice.due_date.is_null()
    return cond


def _account_names(user, ids):
    return names.names(user, "account", ids)


def receivables_ageing(user, params):
    today = clock.today()
    bands = [(key, _cents(Case(None, [(_band_condition(first, last, today), Invoice.balance_due)], 0)).alias(key))
             for key, _label, first, last in AGE_BANDS]
    query = _invoices(user, params, Invoice.account.alias("key"), fn.COUNT(Invoice.id).alias("n"),
                      _cents(Invoice.balance_due).alias("cents"), *[b for _k, b in bands], statuses=UNPAID)
    found = _ordered(query.group_by(Invoice.account).objects())
    customers = _account_names(user, [r.key for r in found])
    rows = []
    for r in found:
        row = {"label": customers.get(r.key) if r.key is not None else _("(no customer)"), "count": r.n,
               "_key": r.key}
        row.update({key: _money(getattr(r, key)) for key, *_rest in AGE_BANDS})
        row["amount"] = _money(r.cents)
        rows.append(row)
    cols = ([C("label", _l("Customer")), C("count", _l("Open invoices"), "count", True)]
            + [C(key, label, "money", True) for key, label, *_rest in AGE_BANDS]
            + [C("amount", _l("Balance due"), "money", True)])
    base = _invoice_filters(params, UNPAID)
    return ReportResult(cols, rows, chart={"kind": "stacked", "label": "label",
                                           "values": [key for key, *_rest in AGE_BANDS]},
                        totals=_totals(cols, rows),
                        note=_("As of %(today)s.", today=today.isoformat()) + " " + str(DESCRIPTIONS["ageing"]),
                        drilldown=lambda row: _drill("invoice", base + [
                            ("account", "eq", row["_key"]) if row["_key"] else ("account", "empty", "")]))


# --- top customers ---------------------------------------------------------------------------------------

def _top(params):
    try:
        return max(1, min(TOP_MAX, int(params.extra.get("top") or TOP_DEFAULT)))
    except (TypeError, ValueError):
        return TOP_DEFAULT


def top_customers(user, params):
    top = _top(params)
    revenue = _cents(Invoice.total)
    query = _invoices(user, params, Invoice.account.alias("key"), fn.COUNT(Invoice.id).alias("n"),
                      revenue.alias("cents"), _cents(Invoice.paid).alias("paid"),
                      _cents(Invoice.balance_due).alias("due"))
    found = list(query.group_by(Invoice.account).order_by(revenue.desc(), Invoice.account).limit(top).objects())
    customers = _account_names(user, [r.key for r in found])
    rows = [{"label": customers.get(r.key) if r.key is not None else _("(no customer)"), "count": r.n,
             "amount": _money(r.cents), "paid": _money(r.paid), "due": _money(r.due), "_key": r.key}
            for r in found]
    cols = [C("label", _l("Customer")), C("count", _l("Invoices"), "count", True),
            C("amount", _l("Invoiced revenue"), "money", True), C("paid", _l("Payments received"), "money", True),
            C("due", _l("Balance due"), "money", True)]
    base = _invoice_filters(params)
    return ReportResult(cols, rows, chart={"kind": "hbar", "label": "label", "values": ["amount", "paid"]},
                        totals=_totals(cols, rows),
                        note=_("The %(top)s customers with the most invoiced revenue; the totals are theirs.",
                               top=top) + " " + str(DESCRIPTIONS["top"]),
                        drilldown=lambda row: _drill("invoice", base + [
                            ("account", "eq", row["_key"]) if row["_key"] else ("account", "empty", "")]))


def report_definitions():
    R = ReportDefinition
    common = dict(plugin="sales")
    return [
        R("sales.invoiced_by_month", FAMILY, _l("Invoiced revenue by month"), invoiced_by_month,
          DESCRIPTIONS["bucket"], chart="line", order=110, **common),
        R("sales.invoiced_by_quarter", FAMILY, _l("Invoiced revenue by fiscal quarter"), invoiced_by_quarter,
          DESCRIPTIONS["bucket"], order=120, **common),
        R("sales.invoiced_by_fiscal_year", FAMILY, _l("Invoiced revenue by fiscal year"), invoiced_by_fiscal_year,
          DESCRIPTIONS["bucket"], order=130, **common),
        R("sales.invoiced_by_owner", FAMILY, _l("Invoiced revenue by owner"), invoiced_by_owner,
          DESCRIPTIONS["owner"], chart="hbar", order=140, **common),
        R("sales.invoiced_by_team", FAMILY, _l("Invoiced revenue by team"), invoiced_by_team,
          DESCRIPTIONS["team"], order=150, **common),
        R("sales.invoiced_by_product", FAMILY, _l("Invoiced revenue by product"), invoiced_by_product,
          DESCRIPTIONS["lines"], chart="hbar", order=160, **common),
        R("sales.invoiced_by_category", FAMILY, _l("Invoiced revenue by product category"), invoiced_by_category,
          DESCRIPTIONS["lines"], chart="pie", order=170, **common),
        R("sales.quote_conversion", FAMILY, _l("Quote conversion rate"), quote_conversion,
          DESCRIPTIONS["conversion"], chart="stacked", order=180, **common),
        R("sales.receivables_ageing", FAMILY, _l("Receivables ageing"), receivables_ageing,
          DESCRIPTIONS["ageing"], chart="stacked", order=190, **common),
        R("sales.top_customers", FAMILY, _l("Top customers"), top_customers, DESCRIPTIONS["top"],
          chart="hbar", order=200, inputs=("top",), **common),
    ]
