"""The "Sales against quota" report (销售额与配额对比) for the reports plugin's "sales" family."""
from decimal import Decimal

from flask import url_for
from flask_babel import LazyString

from core import access, fiscal
from core.babel import gettext as _, lazy_gettext as _l
from core.models import Opportunity, Position, User
from core.reports import ReportColumn, ReportDefinition, ReportResult

from plugins.forecast import services
from plugins.forecast.figures import Figures, aggregate, total
from plugins.forecast.views import CLOSED_LABEL, quarter_label


def _quarter(params):
    start_month = fiscal.start_month()
    return fiscal.quarter_of(params.date_from, start_month) if params.date_from else fiscal.current_quarter()


def _cells(f):
    """A row's figures; attainment as a fraction, as a report's percent column holds it."""
    return {"quota": f.quota, "closed": f.closed, "expected": f.expected, "best": f.best, "gap": f.gap,
            "attainment": None if f.attainment is None else f.attainment / 100}


def run(user, params):
    """One row per user the viewer may see figures of (themselves and everyone below; an owner or a team
    filter narrows it), for the fiscal quarter containing ``date_from`` (default: the current one)."""
    quarter = _quarter(params)
    found = services.scope_users(user, "team", None)
    users_query = found[0]
    if params.owner_id:
        users_query = users_query.where(User.id == params.owner_id)
    if params.position_id:
        position = Position.get_or_none(Position.id == params.position_id)
        if position is None or not access.reaches_position(user, position):
            users_query = users_query.where(User.id.is_null())
        else:
            inner = services.scope_users(user, "position", position.id)[0]
            users_query = users_query.where(User.id.in_(inner))
    ids = [row.id for row in users_query]
    people = {u.id: u for u in User.select().where(User.id.in_(ids))} if ids else {}
    by_owner = aggregate(user, quarter.start, quarter.end, where=Opportunity.owner.in_(ids)) if ids else {}
    quotas = services.quotas_for(ids, quarter) if ids else {}
    rows, shown = [], []
    for uid, person in sorted(people.items(), key=lambda kv: kv[1].display_name):
        f = by_owner.get(uid, Figures())
        f.quota = quotas.get(uid)
        if f.quota is None and not (f.won_count or f.open_count):
            continue
        shown.append(f)
        rows.append(dict(_cells(f), user=person.display_name, user_id=uid))
    # the totals row is the figures of the rows' sum, as the forecast's team page computes its total
    totals = dict(_cells(total(shown)), user=_l("Total")) if rows else None
    return ReportResult(
        columns=[ReportColumn("user", _l("Team member")), ReportColumn("quota", _l("Quota"), "money", True),
                 ReportColumn("closed", CLOSED_LABEL, "money", True),
                 ReportColumn("attainment", _l("Quota attainment"), "percent"),
                 ReportColumn("expected", _l("Expected total"), "money", True),
                 ReportColumn("best", _l("Best total"), "money", True),
                 ReportColumn("gap", _l("Gap to quota"), "money")],
        rows=rows, totals=totals,
        chart={"kind": "bar", "label": "user", "values": ["quota", "closed", "expected"]},
        drilldown=lambda row: url_for("forecast.my", user=row["user_id"], quarter=quarter.key),
        note=LazyString(lambda: _("Fiscal quarter %(quarter)s, opportunities by expected close date.",
                                  quarter=quarter_label(quarter))))


def sales_against_quota():
    return ReportDefinition("forecast.sales_against_quota", "sales", _l("Sales against quota"), run,
                            description=_l("Quota, closed, attainment, expected and best total per salesperson "
                                           "for a fiscal quarter."), chart="bar", order=20, plugin="forecast")
