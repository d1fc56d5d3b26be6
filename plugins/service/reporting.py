"""The service report (客户服务报表): per-month counts, handling rate, response and resolution times, by
channel, by complaint category and by assignee — for a month range or a fiscal year.

Every figure is one SQL query with GROUP BY over the rows ``core.access.visible`` leaves the viewer. Months
are the organisation's local months: their edges are computed in Python in the organisation's time zone,
converted to UTC, and the query buckets each row with a CASE over those UTC edges (portable across SQLite,
PostgreSQL and MariaDB, and exact across daylight-saving changes).
"""
import datetime as dt
from dataclasses import dataclass, field

from peewee import SQL, Case, fn

from core import access, charts, clock, fiscal
from core import positions as position_tree
from core.babel import gettext as _, lazy_gettext as _l
from core.fiscal import add_months
from core.models import Position, User
from plugins.service.models import CATEGORIES, CHANNELS, Complaint, Feedback
from plugins.service.services import RECORD_TYPES

MAX_MONTHS = 36
TYPES = (("feedback", Feedback), ("complaint", Complaint))


@dataclass
class Period:
    """Local months ``first`` .. ``last`` (both the 1st of a month, inclusive)."""
    first: dt.date
    last: dt.date
    fiscal_year: int = None

    @property
    def months(self):
        """The period's months up to today's: what is received and handled has happened, so no later month
        is counted or drawn (a period wholly in the future keeps its first month, as zeros)."""
        until = max(self.first, min(self.last, clock.today().replace(day=1)))
        out, m = [], self.first
        while m <= until:
            out.append(m)
            m = add_months(m, 1)
        return out

    def label(self):
        if self.fiscal_year is not None:
            return fiscal.year_label(self.fiscal_year)
        return f"{self.first:%Y-%m} – {self.last:%Y-%m}"


@dataclass
class Section:
    """One chart with the table behind it (and its CSV)."""
    id: str
    title: str
    columns: list                      # [(key, label, kind)]
    rows: list                         # [dict]
    chart: object = None               # Markup (inline SVG)
    totals: dict = field(default_factory=dict)
    note: str = ""


def fiscal_year_of(day, start_month=None):
    """The fiscal year (named by the calendar year it starts in) that contains ``day``."""
    return fiscal.year_of(day, start_month).year


def fiscal_period(year, start_month=None):
    year = fiscal.FiscalYear(year, start_month or fiscal.start_month())
    return Period(year.start, add_months(year.after, -1), fiscal_year=year.year)


def month_period(first, last):
    first, last = first.replace(day=1), last.replace(day=1)
    if last < first:
        first, last = last, first
    if len(Period(first, last).months) > MAX_MONTHS:
        last = add_months(first, MAX_MONTHS - 1)
    return Period(first, last)


def edges_utc(period, tz=None):
    """UTC instants of the local month starts: months + 1 edges."""
    tz = tz or clock.org_timezone()
    starts = period.months + [add_months(period.months[-1], 1)]
    return [clock.to_utc(dt.datetime(d.year, d.month, 1), tz) for d in starts]


def bucket(column, edges):
    """SQL: the index of the month ``column`` falls in (NULL outside the period)."""
    return Case(None, [((column >= edges[i]) & (column < edges[i + 1]), i) for i in range(len(edges) - 1)])


def _scoped(query, model, user, kind, owner_id=None, position_id=None):
    query = access.visible(query, user, RECORD_TYPES[kind])
    if owner_id:
        query = query.where(model.owner == owner_id)
    if position_id:
        pos = Position.get_or_none(Position.id == position_id)
        if pos is not None:
            query = query.where(model.owner.in_(position_tree.users_in(pos)))
    return query


def monthly(model, kind, column, user, edges, value=None, **scope):
    """{month index: (count, sum of ``value``)} of rows whose ``column`` falls in each month."""
    agg = [fn.COUNT(model.id).alias("n")] + ([fn.SUM(value).alias("total")] if value is not None else [])
    query = (model.select(bucket(column, edges).alias("bucket"), *agg)
             .where((column >= edges[0]) & (column < edges[-1])))
    if value is not None:
        query = query.where(value.is_null(False))
    query = _scoped(query, model, user, kind, **scope).group_by(SQL("bucket"))
    return {int(r["bucket"]): (int(r["n"]), float(r.get("total") or 0)) for r in query.dicts()
            if r["bucket"] is not None}


def grouped(model, kind, key, user, edges, column=None, **scope):
    """{key value: count} of rows received in the period, grouped by ``key`` (a column)."""
    column = column or model.received_at
    query = (model.select(key.alias("key"), fn.COUNT(model.id).alias("n"))
             .where((column >= edges[0]) & (column < edges[-1])))
    query = _scoped(query, model, user, kind, **scope).group_by(key)
    return {r["key"]: int(r["n"]) for r in query.dicts()}


def month_label(day):
    return f"{day:%Y-%m}"       # the same in both languages, and sorts


def monthly_section(user, period, edges, **scope):
    """Feedback and complaints received and handled per month, and the handling rate."""
    counts = {}
    for kind, model in TYPES:
        counts[f"{kind}_received"] = monthly(model, kind, model.received_at, user, edges, **scope)
        counts[f"{kind}_handled"] = monthly(model, kind, model.resolved_at, user, edges, **scope)
    rows = []
    for i, month in enumerate(period.months):
        row = {"month": month_label(month)}
        for key, by_month in counts.items():
            row[key] = by_month.get(i, (0, 0))[0]
        row["handling_rate"] = rate(row["feedback_handled"] + row["complaint_handled"],
                                    row["feedback_received"] + row["complaint_received"])
        rows.append(row)
    totals = {k: sum(r[k] for r in rows) for k in counts}
    totals["month"] = _("Total")
    totals["handling_rate"] = rate(totals["feedback_handled"] + totals["complaint_handled"],
                                   totals["feedback_received"] + totals["complaint_received"])
    columns = [("month", _("Month"), "text"), ("feedback_received", _("Feedback received"), "number"),
               ("complaint_received", _("Complaints received"), "number"),
               ("feedback_handled", _("Feedback handled"), "number"),
               ("complaint_handled", _("Complaints handled"), "number"),
               ("handling_rate", _("Handling rate"), "percent")]
    chart = charts.bar(_("Received and handled per month"), [r["month"] for r in rows],
                       [(label, [r[key] for r in rows]) for key, label, _k in columns[1:5]])
    return Section("monthly", _("Received and handled per month"), columns, rows, chart, totals,
                   note=_("Handled = resolved or closed in the month. Handling rate = handled ÷ received."))


def rate(part, whole):
    return round(100.0 * part / whole, 1) if whole else None


def times_section(user, period, edges, **scope):
    """Average first-response time (by month received) and resolution time (by month handled), in hours."""
    response, resolution = {}, {}
    for kind, model in TYPES:
        for target, column, value in ((response, model.received_at, model.first_response_minutes),
                                      (resolution, model.resolved_at, model.resolution_minutes)):
            for i, (n, total) in monthly(model, kind, column, user, edges, value=value, **scope).items():
                count, minutes = target.get(i, (0, 0.0))
                target[i] = (count + n, minutes + total)
    rows = []
    for i, month in enumerate(period.months):
        rows.append({"month": month_label(month), "avg_response_hours": average_hours(response.get(i)),
                     "responses": response.get(i, (0, 0))[0],
                     "avg_resolution_hours": average_hours(resolution.get(i)),
                     "resolutions": resolution.get(i, (0, 0))[0]})
    all_resp = (sum(v[0] for v in response.values()), sum(v[1] for v in response.values()))
    all_res = (sum(v[0] for v in resolution.values()), sum(v[1] for v in resolution.values()))
    totals = {"month": _("Whole period"), "avg_response_hours": average_hours(all_resp), "responses": all_resp[0],
              "avg_resolution_hours": average_hours(all_res), "resolutions": all_res[0]}
    columns = [("month", _("Month"), "text"), ("avg_response_hours", _("Average first response (hours)"), "number"),
               ("responses", _("Items responded to"), "number"),
               ("avg_resolution_hours", _("Average resolution (hours)"), "number"),
               ("resolutions", _("Items handled"), "number")]
    chart = charts.bar(_("Average first-response and resolution time (hours)"), [r["month"] for r in rows],
                       [(_("Average first response (hours)"), [r["avg_response_hours"] for r in rows]),
                        (_("Average resolution (hours)"), [r["avg_resolution_hours"] for r in rows])],
                       kind="line")
    return Section("times", _("Response and resolution times"), columns, rows, chart, totals,
                   note=_("First response: the first reply to the customer or the first move to in progress, "
                          "resolved or closed; averaged over items received in the month. Resolution time: "
                          "received → resolved or closed; averaged over items handled in the month."))


def average_hours(pair):
    if not pair or not pair[0]:
        return None
    return round(pair[1] / pair[0] / 60.0, 1)


def channel_section(user, period, edges, **scope):
    counts = {kind: grouped(model, kind, model.channel, user, edges, **scope) for kind, model in TYPES}
    keys = list(CHANNELS) + sorted({k for c in counts.values() for k in c if k not in CHANNELS})
    rows = [{"channel": str(CHANNELS.get(k, k)), "feedback": counts["feedback"].get(k, 0),
             "complaint": counts["complaint"].get(k, 0)} for k in keys]
    for r in rows:
        r["total"] = r["feedback"] + r["complaint"]
    columns = [("channel", _("Channel"), "text"), ("feedback", _("Feedback received"), "number"),
               ("complaint", _("Complaints received"), "number"), ("total", _("Total"), "number")]
    totals = {"channel": _("Total"), **{k: sum(r[k] for r in rows) for k in ("feedback", "complaint", "total")}}
    chart = charts.bar(_("Received by channel"), [r["channel"] for r in rows],
                       [(_("Feedback received"), [r["feedback"] for r in rows]),
                        (_("Complaints received"), [r["complaint"] for r in rows])], kind="stacked")
    return Section("channel", _("Received by channel"), columns, rows, chart, totals)


def category_section(user, period, edges, **scope):
    received = grouped(Complaint, "complaint", Complaint.category, user, edges, **scope)
    handled = grouped(Complaint, "complaint", Complaint.category, user, edges, column=Complaint.resolved_at,
                      **scope)
    keys = list(CATEGORIES) + sorted({k for k in list(received) + list(handled) if k not in CATEGORIES})
    rows = [{"category": str(CATEGORIES.get(k, k)), "received": received.get(k, 0), "handled": handled.get(k, 0)}
            for k in keys]
    columns = [("category", _("Category"), "text"), ("received", _("Complaints received"), "number"),
               ("handled", _("Complaints handled"), "number")]
    totals = {"category": _("Total"), "received": sum(received.values()), "handled": sum(handled.values())}
    chart = charts.bar(_("Complaints by category"), [r["category"] for r in rows],
                       [(_("Complaints received"), [r["received"] for r in rows]),
                        (_("Complaints handled"), [r["handled"] for r in rows])], kind="hbar")
    return Section("category", _("Complaints by category"), columns, rows, chart, totals)


def assignee_section(user, period, edges, **scope):
    received, handled = {}, {}
    for kind, model in TYPES:
        for target, column in ((received, None), (handled, model.resolved_at)):
            for owner, n in grouped(model, kind, model.owner, user, edges, column=column, **scope).items():
                target[owner] = target.get(owner, 0) + n
    ids = sorted(set(received) | set(handled))
    names = {u.id: u.display_name for u in User.select().where(User.id.in_(ids))} if ids else {}
    rows = [{"assignee": names.get(i, f"#{i}"), "received": received.get(i, 0), "handled": handled.get(i, 0)}
            for i in ids]
    rows.sort(key=lambda r: (-r["received"], r["assignee"]))
    columns = [("assignee", _("Assigned to"), "text"), ("received", _("Received"), "number"),
               ("handled", _("Handled"), "number")]
    totals = {"assignee": _("Total"), "received": sum(received.values()), "handled": sum(handled.values())}
    chart = charts.bar(_("Feedback and complaints by assignee"), [r["assignee"] for r in rows],
                       [(_("Received"), [r["received"] for r in rows]), (_("Handled"), [r["handled"] for r in rows])],
                       kind="hbar")
    return Section("assignee", _("By assignee"), columns, rows, chart, totals)


SECTIONS = {"monthly": monthly_section, "times": times_section, "channel": channel_section,
            "category": category_section, "assignee": assignee_section}
SECTION_TITLES = {"monthly": _l("Received and handled per month"), "times": _l("Response and resolution times"),
                  "channel": _l("Received by channel"), "category": _l("Complaints by category"),
                  "assignee": _l("By assignee")}


def build(user, period, only=None, **scope):
    edges = edges_utc(period)
    return [SECTIONS[name](user, period, edges, **scope) for name in SECTIONS if only in (None, name)]


def period_from_args(args, today=None):
    """The period the viewer chose: ``?fy=2026`` or ``?from=2026-01&to=2026-06``; the current fiscal year
    otherwise. Returns (period, error message or None)."""
    today = today or clock.today()
    if args.get("from") or args.get("to"):
        try:
            first = dt.datetime.strptime(args.get("from") or args.get("to"), "%Y-%m").date()
            last = dt.datetime.strptime(args.get("to") or args.get("from"), "%Y-%m").date()
        except ValueError:
            return fiscal_period(fiscal_year_of(today)), _("Months are written as YYYY-MM, e.g. 2026-01.")
        return month_period(first, last), None
    if args.get("fy"):
        try:
            year = int(args["fy"])
            if not 1900 < year < 3000:
                raise ValueError
        except ValueError:
            return fiscal_period(fiscal_year_of(today)), _("Choose a fiscal year such as 2026.")
        return fiscal_period(year), None
    return fiscal_period(fiscal_year_of(today)), None


def csv_rows(section):
    """Header and rows of a section's table for CSV export (plain values; the CSV writer quotes)."""
    yield [str(label) for _k, label, _kind in section.columns]
    for row in section.rows + ([section.totals] if section.totals else []):
        yield ["" if row.get(k) is None else row.get(k) for k, _l2, _kind in section.columns]
