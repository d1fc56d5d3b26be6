"""The standard reports of five families (客户联系人、销售机会、销售、线索、竞争对手报表).

Each ``run(user, params)`` aggregates in SQL (GROUP BY) over ``engine.scoped`` — the viewer's visible
records — and returns a ``ReportResult``. The service and campaign families come from their plugins.
"""
import datetime as _dt
import decimal
from collections import namedtuple

from peewee import JOIN, SQL, Case, Select, fn

from core import access, charts, clock, names
from core.babel import gettext as _, lazy_gettext as _l
from core.db import db, divided_half_up, hundredths, is_mysql, is_postgres, is_sqlite
from core.models import (Account, Competitor, Contact, Lead, Opportunity, OpportunityCompetitor, OpportunityLine,
                         OpportunityStageHistory, Position, Product, ProductCategory, SalesStage, User)
from core.records.display import stage_label
from core.records.forms import CHOICE_LABELS
from core.reports import ReportColumn as C
from core.reports import ReportDefinition, ReportResult
from plugins.reports import dates
from plugins.reports.engine import (FIRST_COLUMN, drill_filters, drill_url, from_cents, group_key, money_sum, narrow,
                                    number, ratio, scoped, totals, user_names, visible_names)
from plugins.reports.fields import date_bucket, fields_of

D0 = decimal.Decimal(0)
CENT = decimal.Decimal("0.01")
ROUND_HALF_UP = decimal.ROUND_HALF_UP


Stage = namedtuple("Stage", "id name is_won is_lost")


def _stages():
    """The sales stages in their order (id, name, is_won, is_lost), read once per request."""
    from flask import g, has_request_context
    if has_request_context() and "report_stages" in g:
        return g.report_stages
    stages = [Stage(*row) for row in SalesStage.select(SalesStage.id, SalesStage.name, SalesStage.is_won,
                                                        SalesStage.is_lost).order_by(SalesStage.order).tuples()]
    if has_request_context():
        g.report_stages = stages
    return stages


def _stage_ids(won=None, lost=None, open_=None):
    out = []
    for stage in _stages():
        if won is not None and bool(stage.is_won) != won:
            continue
        if lost is not None and bool(stage.is_lost) != lost:
            continue
        if open_ and (stage.is_won or stage.is_lost):
            continue
        out.append(stage.id)
    return out


def _ids(ids):
    return ",".join(str(i) for i in ids) or "0"


def _label(value, choices=None):
    if value in (None, ""):
        return _("(none)")
    return str(choices.get(value, value)) if choices else str(value)


def _counted(model, record_type, user, params, date_field, column, title, choices=None):
    """Count of records grouped by one plain column, with drill-down to the records."""
    query = scoped(model, user, record_type, params, date_field,
                   model.select(column.alias("key"), fn.COUNT(model.id).alias("n")))
    rows = [{"label": _label(r.key, choices), "count": r.n, "_key": r.key}
            for r in query.group_by(column).order_by(fn.COUNT(model.id).desc(), column).objects()]
    cols = [C("label", title), C("count", _l("Count"), "count", total=True)]
    base = drill_filters(params, date_field)

    def drill(row):
        cond = (column.name, "eq", row["_key"]) if row["_key"] not in (None, "") else (column.name, "empty", "")
        return drill_url(record_type, base + [cond])
    return ReportResult(cols, rows, chart={"kind": "bar", "label": "label", "values": ["count"]},
                        totals=totals(cols, rows), drilldown=drill)


def _every_month(found):
    """The month keys (yyyymm) from the first to the last of ``found``'s, none left out (a month without
    records is a zero, not a gap in the chart), then the NULL key if found has one."""
    keys = sorted(k for k in found if k is not None)
    if not keys:
        return list(found)
    first, last = dates.describe("month", keys[0])[1], dates.describe("month", keys[-1])[1]
    return [m.year * 100 + m.month for m in charts.months(first, last)] + ([None] if None in found else [])


def _per_month(model, record_type, user, params, column_name, title):
    field = getattr(model, column_name)
    key = date_bucket(fields_of(model)[column_name], "month")
    query = scoped(model, user, record_type, params, column_name,
                   model.select(key.alias("g0"), fn.COUNT(model.id).alias("n")))
    # records created after the (teaching) clock's now have not happened yet
    query = query.where(field <= clock.utcnow())
    found = {r.g0: r.n for r in query.group_by(FIRST_COLUMN).objects()}
    rows = []
    for month in _every_month(found):
        label, start, end = dates.describe("month", month)
        rows.append({"label": label, "count": found[month] if month in found else 0, "_start": start,
                     "_end": end})
    cols = [C("label", _l("Month")), C("count", title, "count", total=True)]
    base = drill_filters(params, column_name)

    def drill(row):
        return drill_url(record_type, base + [(column_name, "gte", row["_start"]),
                                              (column_name, "lt", row["_end"])])
    return ReportResult(cols, rows, chart={"kind": "line", "label": "label", "values": ["count"]},
                        totals=totals(cols, rows), drilldown=drill)


# --- customers & contacts (客户联系人报表) ------------------------------------------------------------------

def accounts_by_industry(user, params):
    return _counted(Account, "account", user, params, "created_at", Account.industry, _l("Industry"),
                    CHOICE_LABELS["industry"])


def accounts_by_type(user, params):
    return _counted(Account, "account", user, params, "created_at", Account.type, _l("Type"),
                    CHOICE_LABELS["account_type"])


def accounts_by_region(user, params):
    return _counted(Account, "account", user, params, "created_at", Account.region, _l("Region"))


def new_accounts_per_month(user, params):
    return _per_month(Account, "account", user, params, "created_at", _l("New accounts"))


def new_contacts_per_month(user, params):
    return _per_month(Contact, "contact", user, params, "created_at", _l("New contacts"))


def contacts_per_account(user, params):
    """Visible contacts counted per visible account (an account the viewer cannot read is not named)."""
    accounts = access.visible(Account.select(Account.id), user, "account")
    query = scoped(Contact, user, "contact", params, "created_at",
                   Contact.select(Contact.account.alias("key"), fn.COUNT(Contact.id).alias("n")))
    query = (query.where(Contact.account.in_(accounts)).group_by(Contact.account)
             .order_by(fn.COUNT(Contact.id).desc(), Contact.account).limit(200))
    found = list(query.objects())
    names = visible_names(user, "account", [r.key for r in found])
    rows = [{"label": names.get(r.key), "count": r.n, "_key": r.key} for r in found]
    cols = [C("label", _l("Account")), C("count", _l("Number of contacts"), "count", total=True)]
    base = drill_filters(params, "created_at")
    return ReportResult(cols, rows, chart={"kind": "hbar", "label": "label", "values": ["count"]},
                        totals=totals(cols, rows),
                        drilldown=lambda row: drill_url("contact", base + [("account", "eq", row["_key"])]),
                        note=_("The 200 accounts with the most contacts."))


def accounts_without_activity(user, params):
    """Accounts neither changed themselves nor through a visible contact or opportunity in N days."""
    try:
        days = max(1, min(3650, int(params.extra.get("days") or 30)))
    except (TypeError, ValueError):
        days = 30
    cutoff = clock.utcnow() - _dt.timedelta(days=days)
    # NOT EXISTS probes each quiet account through the foreign-key index instead of building the
    # (large) list of busy accounts first
    busy_opps = access.visible(Opportunity.select(SQL("1")).where(
        (Opportunity.account == Account.id) & (Opportunity.modified_at >= cutoff)), user, "opportunity")
    busy_contacts = access.visible(Contact.select(SQL("1")).where(
        (Contact.account == Account.id) & (Contact.modified_at >= cutoff)), user, "contact")
    # the oldest first, at most 500: a page, read in the (modified_at, id, owner) index's order
    query = scoped(Account, user, "account", params, "created_at",
                   Account.select(Account.id, Account.name, Account.owner, Account.modified_at), plan="page")
    query = query.where((Account.modified_at < cutoff) & ~fn.EXISTS(busy_opps)
                        & ~fn.EXISTS(busy_contacts)).order_by(Account.modified_at, Account.id).limit(500)
    found = list(query)
    owners = user_names(a.owner_id for a in found)
    zone = clock.org_timezone()
    rows = [{"label": a.name, "owner": owners.get(a.owner_id, ""),
             "modified": clock.to_local(a.modified_at, zone).date(), "_id": a.id} for a in found]
    cols = [C("label", _l("Account")), C("owner", _l("Owner")), C("modified", _l("Last changed"), "date")]
    return ReportResult(cols, rows, totals={"label": len(rows)},
                        drilldown=lambda row: drill_url("account", [("id", "eq", row["_id"])]),
                        note=_("No change to the account, its contacts or opportunities in %(days)s days "
                               "(at most 500 accounts, oldest first).", days=days))


# --- opportunities (销售机会报表) ---------------------------------------------------------------------------

def _weighted():
    """Σ weighted amount in cents: each opportunity's amount × probability ÷ 100 rounded to the cent, as the
    forecast counts it (``plugins.forecast.figures``), so rows, totals and the forecast agree to the cent."""
    return fn.SUM(divided_half_up(hundredths(Opportunity.amount) * Opportunity.probability, 100))


def pipeline_by_stage(user, params):
    open_ids = _stage_ids(open_=True)
    query = scoped(Opportunity, user, "opportunity", params, "close_date",
                   Opportunity.select(group_key(Opportunity.stage).alias("key"), fn.COUNT(Opportunity.id).alias("n"),
                                      money_sum(Opportunity.amount).alias("amount"), _weighted().alias("weighted")))
    found = {r.key: r for r in query.where(Opportunity.stage.in_(open_ids)).group_by(FIRST_COLUMN).objects()}
    rows = []
    for stage in (s for s in _stages() if s.id in open_ids):
        r = found.get(stage.id)
        rows.append({"label": stage_label(stage.name), "count": r.n if r else 0,
                     "amount": from_cents(r.amount if r else 0),
                     "weighted": from_cents(r.weighted if r else 0),
                     "_key": stage.id})
    cols = [C("label", _l("Stage")), C("count", _l("Opportunities"), "count", True),
            C("amount", _l("Amount"), "money", True), C("weighted", _l("Weighted amount"), "money", True)]
    base = drill_filters(params, "close_date")
    return ReportResult(cols, rows, chart={"kind": "funnel", "label": "label", "values": ["amount"]},
                        totals=totals(cols, rows),
                        drilldown=lambda row: drill_url("opportunity", base + [("stage", "eq", row["_key"])]))


def _opportunities_by_bucket(user, params, unit, stage_ids, value_title, chart="bar", happened=False):
    """Opportunities of ``stage_ids`` per close-date bucket; a month is never left out. ``happened`` (won
    revenue): a close date after today has not happened, so it is not counted."""
    key = dates.bucket(Opportunity.close_date, unit)
    query = scoped(Opportunity, user, "opportunity", params, "close_date",
                   Opportunity.select(key.alias("g0"), fn.COUNT(Opportunity.id).alias("n"),
                                      money_sum(Opportunity.amount).alias("amount")))
    query = query.where(Opportunity.stage.in_(stage_ids))
    if happened:
        query = query.where(Opportunity.close_date <= clock.today())
    found = {r.g0: r for r in query.group_by(FIRST_COLUMN).objects()}
    keys = _every_month(found) if unit == "month" else sorted(found, key=lambda k: (k is None, k or 0))
    rows = []
    for bucket in keys:
        r = found.get(bucket)
        label, start, end = dates.describe(unit, bucket)
        rows.append({"label": label, "count": r.n if r else 0, "amount": from_cents(r.amount if r else 0),
                     "_start": start, "_end": end})
    cols = [C("label", dates.unit_labels()[unit]), C("count", _l("Opportunities"), "count", True),
            C("amount", value_title, "money", True)]
    base = drill_filters(params, "close_date") + [("stage", "in", _ids(stage_ids))]
    return ReportResult(cols, rows, chart={"kind": chart, "label": "label", "values": ["amount"]},
                        totals=totals(cols, rows),
                        drilldown=lambda row: drill_url("opportunity", base + [
                            ("close_date", "gte", row["_start"]), ("close_date", "lt", row["_end"])]))


def pipeline_by_close_month(user, params):
    return _opportunities_by_bucket(user, params, "month", _stage_ids(open_=True), _l("Open amount"))


def _owner_label(user_id, full_name, username):
    """As engine.user_names names an owner: full name, else user name; '' for no such user."""
    return (full_name or username) if user_id is not None else ""


def _by_owner_named(grouped, columns, order):
    """The rows of ``grouped`` (an aggregate whose ``key`` is an owner id, with the given ``columns``) and
    each owner's name, LEFT JOINed onto the groups in the same statement: a second query naming ~1,000
    owners cost as much as the aggregate. Rows come as plain tuples: SUM/COUNT/AVG are never coerced by
    Peewee anyway, and the key is an integer id. ``order(agg)`` gives the ORDER BY over the groups."""
    agg = grouped.alias("agg")
    query = (Select([agg], [getattr(agg.c, c) for c in columns] + [User.id, User.full_name, User.username])
             .join(User, JOIN.LEFT_OUTER, on=(agg.c.key == User.id)).order_by(*order(agg)))
    return [(*row[:-3], _owner_label(*row[-3:])) for row in db.execute(query).fetchall()]


def _by_owner(user, params, stage_ids, value_title):
    query = scoped(Opportunity, user, "opportunity", params, "close_date",
                   Opportunity.select(group_key(Opportunity.owner).alias("key"), fn.COUNT(Opportunity.id).alias("n"),
                                      money_sum(Opportunity.amount).alias("amount")), plan="by_owner")
    found = _by_owner_named(query.where(Opportunity.stage.in_(stage_ids)).group_by(FIRST_COLUMN),
                            ("key", "n", "amount"), lambda agg: (agg.c.amount.desc(), agg.c.key))
    rows = [{"label": label, "count": n, "amount": from_cents(amount), "_key": key} for key, n, amount, label in found]
    cols = [C("label", _l("Owner")), C("count", _l("Opportunities"), "count", True),
            C("amount", value_title, "money", True)]
    base = drill_filters(params, "close_date") + [("stage", "in", _ids(stage_ids))]
    return ReportResult(cols, rows, chart={"kind": "hbar", "label": "label", "values": ["amount"]},
                        totals=totals(cols, rows),
                        drilldown=lambda row: drill_url("opportunity", base + [("owner", "eq", row["_key"])]))


def pipeline_by_owner(user, params):
    return _by_owner(user, params, _stage_ids(open_=True), _l("Open amount"))


def win_loss(user, params):
    won, lost = _stage_ids(won=True), _stage_ids(lost=True)
    is_won = fn.SUM(Case(None, [(Opportunity.stage.in_(won), 1)], 0))
    won_amount = money_sum(Case(None, [(Opportunity.stage.in_(won), Opportunity.amount)], 0))
    query = scoped(Opportunity, user, "opportunity", params, "close_date",
                   Opportunity.select(group_key(Opportunity.owner).alias("key"), fn.COUNT(Opportunity.id).alias("n"),
                                      is_won.alias("won"), won_amount.alias("won_amount"),
                                      money_sum(Opportunity.amount).alias("amount")), plan="by_owner")
    found = _by_owner_named(query.where(Opportunity.stage.in_(won + lost)).group_by(FIRST_COLUMN),
                            ("key", "n", "won", "won_amount", "amount"), lambda agg: (agg.c.key,))
    rows = []
    for key, n, won_n, won_amount, amount, label in found:
        n_won = int(won_n or 0)
        rows.append({"label": label, "won": n_won, "lost": n - n_won,
                     "rate": ratio(n_won, n), "won_amount": from_cents(won_amount),
                     "lost_amount": from_cents(amount) - from_cents(won_amount), "_key": key})
    cols = [C("label", _l("Owner")), C("won", _l("Won"), "count", True), C("lost", _l("Lost"), "count", True),
            C("rate", _l("Win rate"), "percent"), C("won_amount", _l("Won amount"), "money", True),
            C("lost_amount", _l("Lost amount"), "money", True)]
    sums = totals(cols, rows)
    sums["rate"] = ratio(sums["won"], sums["won"] + sums["lost"])
    base = drill_filters(params, "close_date") + [("stage", "in", _ids(won + lost))]
    return ReportResult(cols, rows, chart={"kind": "stacked", "label": "label", "values": ["won", "lost"]},
                        totals=sums,
                        drilldown=lambda row: drill_url("opportunity", base + [("owner", "eq", row["_key"])]),
                        note=_("Win rate = won ÷ (won + lost), over opportunities closed in the period."))


def average_deal_size(user, params):
    """Average amount of closed-won opportunities, per fiscal quarter of the close date; the totals row
    is the average over all of them (computed in SQL, not an average of averages)."""
    won = _stage_ids(won=True)
    key = dates.bucket(Opportunity.close_date, "quarter")

    def base_query(*cols):
        return scoped(Opportunity, user, "opportunity", params, "close_date",
                      Opportunity.select(*cols)).where(Opportunity.stage.in_(won))
    aggregates = (fn.COUNT(Opportunity.id).alias("n"), money_sum(Opportunity.amount).alias("amount"),
                  fn.AVG(hundredths(Opportunity.amount)).alias("average"))
    if is_postgres():
        # one scan: the quarters and, as the ROLLUP's grand-total row (GROUPING = 1, sorted last), the
        # overall count, sum and AVG — the same SQL aggregates as the second query below
        is_total = fn.GROUPING(key)
        found = list(base_query(key.alias("g0"), is_total.alias("is_total"), *aggregates)
                     .group_by(fn.ROLLUP(key)).order_by(is_total, key).objects())
        overall = found.pop() if found and found[-1].is_total else None
    else:
        found = list(base_query(key.alias("g0"), *aggregates).group_by(FIRST_COLUMN).order_by(FIRST_COLUMN)
                     .objects())
        overall = base_query(*aggregates).objects().first()
    rows = []
    for r in found:
        label, start, end = dates.describe("quarter", r.g0)
        rows.append({"label": label, "count": r.n, "amount": from_cents(r.amount),
                     "average": from_cents(r.average).quantize(CENT, ROUND_HALF_UP), "_start": start, "_end": end})
    cols = [C("label", _l("Fiscal quarter")), C("count", _l("Deals won"), "count", True),
            C("amount", _l("Won amount"), "money", True), C("average", _l("Average deal size"), "money")]
    sums = {"count": overall.n if overall else 0, "amount": from_cents(overall.amount if overall else 0),
            "average": from_cents(overall.average if overall else 0).quantize(CENT, ROUND_HALF_UP)}
    base = drill_filters(params, "close_date") + [("stage", "in", _ids(won))]
    return ReportResult(cols, rows, chart={"kind": "bar", "label": "label", "values": ["average"]}, totals=sums,
                        drilldown=lambda row: drill_url("opportunity", base + [
                            ("close_date", "gte", row["_start"]), ("close_date", "lt", row["_end"])]))


def _days_between(later, earlier):
    if is_sqlite():
        return fn.julianday(later) - fn.julianday(earlier)
    if is_mysql():
        return fn.TIMESTAMPDIFF(SQL_SECOND, earlier, later) / 86400.0
    return fn.date_part("epoch", later - earlier) / 86400.0


def average_days_in_stage(user, params):
    """From stage history: a stay in a stage lasts from entering it to entering the next stage of the
    same opportunity (the next history row, found with the window function LEAD); the average is over
    completed stays of visible opportunities. The date range applies to the day the stage was entered."""
    H = OpportunityStageHistory
    left = fn.LEAD(H.changed_at).over(partition_by=[H.opportunity], order_by=[H.changed_at, H.id])
    stays = (H.select(H.stage.alias("stage"), H.changed_at.alias("entered"), left.alias("left_at"))
             .join(Opportunity, on=(H.opportunity == Opportunity.id)))
    stays = narrow(access.visible(stays, user, "opportunity"), Opportunity, params, None)
    sub = stays.alias("stays")
    days = _days_between(sub.c.left_at, sub.c.entered)
    query = (SalesStage.select(sub.c.stage.alias("key"), fn.COUNT(SQL_STAR).alias("n"), fn.AVG(days).alias("avg"))
             .from_(sub).where(sub.c.left_at.is_null(False)).group_by(sub.c.stage))
    if params and (params.date_from or params.date_to):
        low, high = dates.date_bounds(True, params.date_from,
                                      params.date_to + _dt.timedelta(days=1) if params.date_to else None)
        if low:
            query = query.where(sub.c.entered >= low)
        if high:
            query = query.where(sub.c.entered < high)
    found = {r.key: r for r in query.objects()}
    rows = []
    for stage in _stages():
        r = found.get(stage.id)
        if r is None and (stage.is_won or stage.is_lost):
            continue
        rows.append({"label": stage_label(stage.name), "count": r.n if r else 0,
                     "days": number(r.avg).quantize(decimal.Decimal("0.1")) if r and r.avg is not None else None})
    cols = [C("label", _l("Stage")), C("count", _l("Completed stays"), "count", True),
            C("days", _l("Average days"), "number")]
    return ReportResult(cols, rows, chart={"kind": "hbar", "label": "label", "values": ["days"]},
                        totals=totals(cols, rows),
                        note=_("A stay lasts from entering a stage to entering the next one; stays not yet "
                               "left are not counted. The date range applies to the day the stage was entered."))


def _as_date(value):
    """A DateField read as a tuple: SQLite hands back the text."""
    return value if isinstance(value, _dt.date) or value is None else _dt.date.fromisoformat(str(value)[:10])


def closing_this_quarter(user, params):
    """Open opportunities closing this fiscal quarter. The 500 are picked first (close-date index); the
    owner's name and the account's name (only when the viewer may read the account) join onto those rows
    in the same statement: two more round trips with 500 ids each cost more than the list itself."""
    start, end = dates.period("this_quarter")
    open_ids = _stage_ids(open_=True)
    soon = scoped(Opportunity, user, "opportunity", params, "close_date",
                  Opportunity.select(Opportunity.id, Opportunity.name, Opportunity.account, Opportunity.stage,
                                     Opportunity.close_date, Opportunity.amount, Opportunity.owner))
    soon = (soon.where(Opportunity.stage.in_(open_ids) & (Opportunity.close_date >= start)
                       & (Opportunity.close_date < end))
            .order_by(Opportunity.close_date, Opportunity.id).limit(500).alias("soon"))
    # the account's name when the viewer may read it ('' for a readable account without one), else NULL:
    # one primary-key probe per listed row
    account_name = access.visible(Account.select(fn.COALESCE(Account.name, "")).where(
        Account.id == soon.c.account_id), user, "account")
    query = (Select([soon], [soon.c.id, soon.c.name, soon.c.account_id, soon.c.stage_id, soon.c.close_date,
                             soon.c.amount, soon.c.owner_id, account_name, User.id, User.full_name,
                             User.username])
             .join(User, JOIN.LEFT_OUTER, on=(soon.c.owner_id == User.id))
             .order_by(soon.c.close_date, soon.c.id))
    hidden = str(names.PRIVATE)
    stages = {stage.id: stage_label(stage.name) for stage in _stages()}
    rows = []
    for (oid, name, account_id, stage_id, close_date, amount, owner_id, account_name, user_id, full_name,
         username) in db.execute(query).fetchall():
        if account_id is None:
            account = ""
        elif account_name is None:
            account = hidden
        else:
            account = str(account_name) or f"#{account_id}"
        rows.append({"label": name, "account": account, "stage": stages.get(stage_id, ""),
                     "close_date": _as_date(close_date), "amount": number(Opportunity.amount.python_value(amount)),
                     "owner": (full_name or username) if user_id is not None else "", "_id": oid})
    cols = [C("label", _l("Opportunity")), C("account", _l("Account")), C("stage", _l("Stage")),
            C("close_date", _l("Close date"), "date"), C("amount", _l("Amount"), "money", True),
            C("owner", _l("Owner"))]
    return ReportResult(cols, rows, totals=totals(cols, rows),
                        drilldown=lambda row: drill_url("opportunity", [("id", "eq", row["_id"])]),
                        note=_("Open opportunities expected to close between %(start)s and %(end)s "
                               "(this fiscal quarter).", start=start.isoformat(),
                               end=(end - _dt.timedelta(days=1)).isoformat()))


# --- sales (销售报表): closed-won revenue ------------------------------------------------------------------

def won_by_month(user, params):
    return _opportunities_by_bucket(user, params, "month", _stage_ids(won=True), _l("Won revenue"), "line",
                                    happened=True)


def won_by_quarter(user, params):
    return _opportunities_by_bucket(user, params, "quarter", _stage_ids(won=True), _l("Won revenue"),
                                    happened=True)


def won_by_fiscal_year(user, params):
    return _opportunities_by_bucket(user, params, "fiscal_year", _stage_ids(won=True), _l("Won revenue"),
                                    happened=True)


def won_by_owner(user, params):
    return _by_owner(user, params, _stage_ids(won=True), _l("Won revenue"))


def won_by_team(user, params):
    """Won revenue per owner's position (the team the salesperson sits in)."""
    won = _stage_ids(won=True)
    query = scoped(Opportunity, user, "opportunity", params, "close_date",
                   Opportunity.select(User.position.alias("key"), fn.COUNT(Opportunity.id).alias("n"),
                                      money_sum(Opportunity.amount).alias("amount"))
                   .join(User, on=(Opportunity.owner == User.id)))
    # the position's name joins onto the groups in the same statement (plain tuples: the aggregates are
    # not coerced by Peewee anyway)
    agg = query.where(Opportunity.stage.in_(won)).group_by(User.position).alias("agg")
    named = (Select([agg], [agg.c.key, agg.c.n, agg.c.amount, Position.id, Position.name])
             .join(Position, JOIN.LEFT_OUTER, on=(agg.c.key == Position.id))
             .order_by(agg.c.amount.desc(), agg.c.key))
    no_position = _("(no position)")
    rows = [{"label": name if position_id is not None else no_position, "count": n, "amount": from_cents(amount),
             "_key": key} for key, n, amount, position_id, name in db.execute(named).fetchall()]
    cols = [C("label", _l("Team (position)")), C("count", _l("Deals won"), "count", True),
            C("amount", _l("Won revenue"), "money", True)]
    base = drill_filters(params, "close_date") + [("stage", "in", _ids(won))]
    return ReportResult(cols, rows, chart={"kind": "bar", "label": "label", "values": ["amount"]},
                        totals=totals(cols, rows),
                        drilldown=lambda row: drill_url("opportunity", base + [("owner", "team", row["_key"])])
                        if row["_key"] else None)


def _line_total():
    """quantity × unit price × (100 − discount %) in hundredths⁴ (read with ``from_cents(…, 4)``)."""
    return (hundredths(OpportunityLine.quantity) * hundredths(OpportunityLine.unit_price)
            * (10000 - hundredths(OpportunityLine.discount_percent)))


def _won_lines(user, params, key, *joins):
    won = _stage_ids(won=True)
    query = (OpportunityLine.select(key.alias("key"), fn.COUNT(fn.DISTINCT(Opportunity.id)).alias("n"),
                                    fn.SUM(hundredths(OpportunityLine.quantity)).alias("quantity"),
                                    fn.SUM(_line_total()).alias("amount"))
             .join(Opportunity, on=(OpportunityLine.opportunity == Opportunity.id)))
    for join in joins:
        query = join(query)
    # owner by owner: each reached owner's won opportunities from the (owner, stage, …) index, then their
    # lines (the NOT IN form for the teacher scanned every line in product order: 270 ms against 55 at 400k)
    query = scoped(Opportunity, user, "opportunity", params, "close_date", query, plan="by_owner")
    return list(query.where(Opportunity.stage.in_(won)).group_by(key)
                .order_by(fn.SUM(_line_total()).desc(), key).objects())


def won_by_product(user, params):
    found = _won_lines(user, params, OpportunityLine.product)
    names = {p.id: p.name for p in Product.select().where(Product.id.in_([r.key for r in found]))}
    rows = [{"label": names.get(r.key, ""), "count": r.n, "quantity": from_cents(r.quantity),
             "amount": from_cents(r.amount, 4).quantize(CENT, ROUND_HALF_UP)} for r in found]
    cols = [C("label", _l("Product")), C("count", _l("Deals won"), "count"),
            C("quantity", _l("Quantity"), "number", True), C("amount", _l("Won revenue"), "money", True)]
    return ReportResult(cols, rows, chart={"kind": "hbar", "label": "label", "values": ["amount"]},
                        totals=totals(cols, rows),
                        note=_("From the product lines of won opportunities: quantity × unit price × "
                               "(1 − discount)."))


def won_by_category(user, params):
    found = _won_lines(user, params, Product.category,
                       lambda q: q.join(Product, on=(OpportunityLine.product == Product.id)))
    names = {c.id: c.name for c in ProductCategory.select().where(ProductCategory.id.in_(
        [r.key for r in found if r.key]))}
    rows = [{"label": names.get(r.key, _("(no category)")), "count": r.n, "quantity": from_cents(r.quantity),
             "amount": from_cents(r.amount, 4).quantize(CENT, ROUND_HALF_UP)} for r in found]
    cols = [C("label", _l("Product category")), C("count", _l("Deals won"), "count"),
            C("quantity", _l("Quantity"), "number", True), C("amount", _l("Won revenue"), "money", True)]
    return ReportResult(cols, rows, chart={"kind": "pie", "label": "label", "values": ["amount"]},
                        totals=totals(cols, rows),
                        note=_("From the product lines of won opportunities, by the product's own category."))


# --- leads (线索报表) --------------------------------------------------------------------------------------

def leads_by_source(user, params):
    return _counted(Lead, "lead", user, params, "created_at", Lead.source, _l("Source"), CHOICE_LABELS["lead_source"])


def leads_by_status(user, params):
    return _counted(Lead, "lead", user, params, "created_at", Lead.status, _l("Status"), CHOICE_LABELS["lead_status"])


def leads_by_rating(user, params):
    return _counted(Lead, "lead", user, params, "created_at", Lead.rating, _l("Rating"), CHOICE_LABELS["lead_rating"])


def _converted():
    return (Lead.status == "converted") | Lead.converted_at.is_null(False)


def lead_conversion_by_source(user, params):
    converted = fn.SUM(Case(None, [(_converted(), 1)], 0))
    query = scoped(Lead, user, "lead", params, "created_at",
                   Lead.select(Lead.source.alias("key"), fn.COUNT(Lead.id).alias("n"), converted.alias("conv")))
    rows = [{"label": _label(r.key, CHOICE_LABELS["lead_source"]), "count": r.n, "converted": int(r.conv or 0),
             "rate": ratio(r.conv or 0, r.n), "_key": r.key}
            for r in query.group_by(Lead.source).order_by(fn.COUNT(Lead.id).desc(), Lead.source).objects()]
    cols = [C("label", _l("Source")), C("count", _l("Leads"), "count", True),
            C("converted", _l("Converted"), "count", True), C("rate", _l("Conversion rate"), "percent")]
    sums = totals(cols, rows)
    sums["rate"] = ratio(sums["converted"], sums["count"])
    base = drill_filters(params, "created_at")
    return ReportResult(cols, rows, chart={"kind": "bar", "label": "label", "values": ["rate"]}, totals=sums,
                        drilldown=lambda row: drill_url("lead", base + [
                            ("source", "eq", row["_key"]) if row["_key"] else ("source", "empty", "")]),
                        note=_("Conversion rate = converted leads ÷ all leads of the source created in the period."))


AGE_BANDS = ((0, 7), (8, 30), (31, 90), (91, None))


def lead_ageing(user, params):
    """Open leads (not converted, not unqualified) by days since they were created."""
    today = clock.today()
    cases, bounds = [], []
    for index, (low, high) in enumerate(AGE_BANDS):
        newest = today - _dt.timedelta(days=low - 1)          # created before the start of this local day
        oldest = today - _dt.timedelta(days=high) if high is not None else None
        lo, hi = dates.date_bounds(True, oldest, newest)
        cond = Lead.created_at < hi
        if lo is not None:
            cond &= Lead.created_at >= lo
        cases.append((cond, index))
        bounds.append((oldest, newest))
    band = Case(None, cases, len(AGE_BANDS))
    open_lead = Lead.status.not_in(("converted", "unqualified")) & Lead.converted_at.is_null()
    query = scoped(Lead, user, "lead", params, "created_at",
                   Lead.select(band.alias("g0"), fn.COUNT(Lead.id).alias("n"))).where(open_lead)
    found = {int(r.g0): r.n for r in query.group_by(FIRST_COLUMN).objects()}
    labels = [_("0–7 days"), _("8–30 days"), _("31–90 days"), _("over 90 days")]
    rows = [{"label": labels[i], "count": found.get(i, 0), "_bounds": bounds[i]} for i in range(len(AGE_BANDS))]
    cols = [C("label", _l("Age")), C("count", _l("Open leads"), "count", True)]
    base = drill_filters(params, "created_at") + [("status", "in", "new,contacted,qualified")]

    def drill(row):
        oldest, newest = row["_bounds"]
        conds = [("created_at", "lt", newest)] + ([("created_at", "gte", oldest)] if oldest else [])
        return drill_url("lead", base + conds)
    return ReportResult(cols, rows, chart={"kind": "bar", "label": "label", "values": ["count"]},
                        totals=totals(cols, rows), drilldown=drill,
                        note=_("Age in whole days since the lead was created, in the organisation's time zone."))


def leads_per_owner(user, params):
    converted = fn.SUM(Case(None, [(_converted(), 1)], 0))
    query = scoped(Lead, user, "lead", params, "created_at",
                   Lead.select(Lead.owner.alias("key"), fn.COUNT(Lead.id).alias("n"), converted.alias("conv")),
                   plan="by_owner")
    found = _by_owner_named(query.group_by(Lead.owner), ("key", "n", "conv"),
                            lambda agg: (agg.c.n.desc(), agg.c.key))
    rows = [{"label": label, "count": n, "converted": int(conv or 0), "rate": ratio(conv or 0, n), "_key": key}
            for key, n, conv, label in found]
    cols = [C("label", _l("Owner")), C("count", _l("Leads"), "count", True),
            C("converted", _l("Converted"), "count", True), C("rate", _l("Conversion rate"), "percent")]
    sums = totals(cols, rows)
    sums["rate"] = ratio(sums["converted"], sums["count"])
    base = drill_filters(params, "created_at")
    return ReportResult(cols, rows, chart={"kind": "hbar", "label": "label", "values": ["count"]}, totals=sums,
                        drilldown=lambda row: drill_url("lead", base + [("owner", "eq", row["_key"])]))


# --- competitors (竞争对手报表) -------------------------------------------------------------------------------

def _by_competitor(user, params, stage_ids, *aggregates):
    """Visible opportunities linked to visible competitors, grouped by competitor."""
    query = (OpportunityCompetitor.select(OpportunityCompetitor.competitor.alias("key"), *aggregates)
             .join(Opportunity, on=(OpportunityCompetitor.opportunity == Opportunity.id)))
    query = scoped(Opportunity, user, "opportunity", params, "close_date", query)
    query = query.where(OpportunityCompetitor.competitor.in_(
        access.visible(Competitor.select(Competitor.id), user, "competitor")))
    if stage_ids is not None:
        query = query.where(Opportunity.stage.in_(stage_ids))
    found = list(query.group_by(OpportunityCompetitor.competitor).objects())
    names = visible_names(user, "competitor", [r.key for r in found])
    return found, names


def competitor_opportunities(user, params):
    found, names = _by_competitor(user, params, None, fn.COUNT(Opportunity.id).alias("n"),
                                  money_sum(Opportunity.amount).alias("amount"))
    rows = sorted(({"label": names.get(r.key), "count": r.n, "amount": from_cents(r.amount)} for r in found),
                  key=lambda r: (-r["count"], str(r["label"])))
    cols = [C("label", _l("Competitor")), C("count", _l("Opportunities"), "count", True),
            C("amount", _l("Amount"), "money", True)]
    return ReportResult(cols, rows, chart={"kind": "hbar", "label": "label", "values": ["count"]},
                        totals=totals(cols, rows),
                        note=_("An opportunity with several competitors counts once for each of them."))


def competitor_win_rate(user, params):
    won, lost = _stage_ids(won=True), _stage_ids(lost=True)
    found, names = _by_competitor(user, params, won + lost, fn.COUNT(Opportunity.id).alias("n"),
                                  fn.SUM(Case(None, [(Opportunity.stage.in_(won), 1)], 0)).alias("won"))
    rows = []
    for r in found:
        n_won = int(r.won or 0)
        rows.append({"label": names.get(r.key), "won": n_won, "lost": r.n - n_won, "rate": ratio(n_won, r.n)})
    rows.sort(key=lambda r: (-(r["won"] + r["lost"]), str(r["label"])))
    cols = [C("label", _l("Competitor")), C("won", _l("Won against"), "count"),
            C("lost", _l("Lost against"), "count"), C("rate", _l("Win rate"), "percent")]
    return ReportResult(cols, rows, chart={"kind": "stacked", "label": "label", "values": ["won", "lost"]},
                        note=_("Win rate = won ÷ (won + lost), over closed opportunities where the competitor "
                               "was involved."))


def competitor_revenue_lost(user, params):
    lost = _stage_ids(lost=True)
    found, names = _by_competitor(user, params, lost, fn.COUNT(Opportunity.id).alias("n"),
                                  money_sum(Opportunity.amount).alias("amount"))
    rows = sorted(({"label": names.get(r.key), "count": r.n, "amount": from_cents(r.amount)} for r in found),
                  key=lambda r: (-r["amount"], str(r["label"])))
    cols = [C("label", _l("Competitor")), C("count", _l("Deals lost"), "count", True),
            C("amount", _l("Revenue lost"), "money", True)]
    return ReportResult(cols, rows, chart={"kind": "pie", "label": "label", "values": ["amount"]},
                        totals=totals(cols, rows))


SQL_SECOND = SQL("SECOND")
SQL_STAR = SQL("*")


def definitions():
    R = ReportDefinition
    return [
        R("reports.accounts_by_industry", "customers", _l("Accounts by industry"), accounts_by_industry, order=10),
        R("reports.accounts_by_type", "customers", _l("Accounts by type"), accounts_by_type, order=20),
        R("reports.accounts_by_region", "customers", _l("Accounts by region"), accounts_by_region, order=30),
        R("reports.new_accounts_per_month", "customers", _l("New accounts per month"), new_accounts_per_month,
          chart="line", order=40),
        R("reports.new_contacts_per_month", "customers", _l("New contacts per month"), new_contacts_per_month,
          chart="line", order=50),
        R("reports.contacts_per_account", "customers", _l("Contacts per account"), contacts_per_account,
          chart="hbar", order=60),
        R("reports.accounts_without_activity", "customers", _l("Accounts with no activity"),
          accounts_without_activity, description=_l("Accounts not touched in N days (30 unless you choose)."),
          chart="", order=70, inputs=("days",)),
        R("reports.pipeline_by_stage", "opportunities", _l("Pipeline by stage"), pipeline_by_stage,
          chart="funnel", order=10),
        R("reports.pipeline_by_close_month", "opportunities", _l("Pipeline by expected close month"),
          pipeline_by_close_month, order=20),
        R("reports.pipeline_by_owner", "opportunities", _l("Pipeline by owner"), pipeline_by_owner,
          chart="hbar", order=30),
        R("reports.win_loss", "opportunities", _l("Win/loss ratio"), win_loss, chart="stacked", order=40),
        R("reports.average_deal_size", "opportunities", _l("Average deal size"), average_deal_size, order=50),
        R("reports.average_days_in_stage", "opportunities", _l("Average days in each stage"),
          average_days_in_stage, chart="hbar", order=60),
        R("reports.closing_this_quarter", "opportunities", _l("Opportunities closing this quarter"),
          closing_this_quarter, chart="", order=70),
        R("reports.won_by_month", "sales", _l("Won revenue by month"), won_by_month, chart="line", order=10),
        R("reports.won_by_quarter", "sales", _l("Won revenue by fiscal quarter"), won_by_quarter, order=20),
        R("reports.won_by_fiscal_year", "sales", _l("Won revenue by fiscal year"), won_by_fiscal_year, order=30),
        R("reports.won_by_owner", "sales", _l("Won revenue by owner"), won_by_owner, chart="hbar", order=40),
        R("reports.won_by_team", "sales", _l("Won revenue by team"), won_by_team, order=50),
        R("reports.won_by_product", "sales", _l("Won revenue by product"), won_by_product, chart="hbar", order=60),
        R("reports.won_by_category", "sales", _l("Won revenue by product category"), won_by_category,
          chart="pie", order=70),
        R("reports.leads_by_source", "leads", _l("Leads by source"), leads_by_source, order=10),
        R("reports.leads_by_status", "leads", _l("Leads by status"), leads_by_status, order=20),
        R("reports.leads_by_rating", "leads", _l("Leads by rating"), leads_by_rating, order=30),
        R("reports.lead_conversion_by_source", "leads", _l("Lead conversion rate by source"),
          lead_conversion_by_source, order=40),
        R("reports.lead_ageing", "leads", _l("Lead ageing"), lead_ageing, order=50),
        R("reports.leads_per_owner", "leads", _l("Leads per owner"), leads_per_owner, chart="hbar", order=60),
        R("reports.competitor_opportunities", "competitors", _l("Opportunities involving each competitor"),
          competitor_opportunities, chart="hbar", order=10),
        R("reports.competitor_win_rate", "competitors", _l("Win rate against each competitor"),
          competitor_win_rate, chart="stacked", order=20),
        R("reports.competitor_revenue_lost", "competitors", _l("Revenue lost to each competitor"),
          competitor_revenue_lost, chart="pie", order=30),
    ]
