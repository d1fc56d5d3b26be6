"""Campaign reports (family "campaigns") for the reports plugin; each runs as the viewer."""

from flask import url_for
from peewee import fn

from core import access
from core import positions as position_tree
from core.babel import lazy_gettext as _l
from core.models import Position
from core.reports import ReportColumn, ReportDefinition, ReportResult
from plugins.campaigns import effect as effects, labels
from plugins.campaigns.models import TASK_STATUSES, Campaign, CampaignTask
from plugins.campaigns.tasks import base_query, local_day_bounds


def _campaigns(user, params):
    query = access.visible(Campaign.select(), user, "campaign")
    if params.date_from:
        query = query.where(Campaign.end_date.is_null() | (Campaign.end_date >= params.date_from))
    if params.date_to:
        query = query.where(Campaign.start_date.is_null() | (Campaign.start_date <= params.date_to))
    if params.owner_id:
        query = query.where(Campaign.owner == params.owner_id)
    if params.position_id:
        pos = Position.get_or_none(Position.id == params.position_id)
        if pos is not None:
            query = query.where(Campaign.owner.in_(position_tree.users_in(pos)))
    return query.order_by(Campaign.start_date.desc(nulls="LAST"), Campaign.id.desc())


def run_effect(user, params):
    rows = []
    for campaign in _campaigns(user, params):
        eff = effects.compute(campaign, user)
        rows.append({"id": campaign.id, "name": campaign.name, "status": str(labels.CAMPAIGN_STATUSES.get(
            campaign.status, campaign.status)), "members": eff.members, "responded": eff.responded,
            "response_rate": eff.response_rate, "leads": eff.leads, "opportunities": eff.opportunities,
            "won_revenue": eff.won_revenue, "actual_cost": eff.actual_cost, "cost_per_lead": eff.cost_per_lead,
            "roi": eff.roi})
    columns = [ReportColumn("name", _l("Campaign")), ReportColumn("status", _l("Status")),
               ReportColumn("members", _l("Members"), "number", total=True),
               ReportColumn("responded", _l("Responded"), "number", total=True),
               ReportColumn("response_rate", _l("Response rate"), "percent"),
               ReportColumn("leads", _l("Leads generated"), "number", total=True),
               ReportColumn("opportunities", _l("Opportunities"), "number", total=True),
               ReportColumn("won_revenue", _l("Won revenue"), "money", total=True),
               ReportColumn("actual_cost", _l("Actual cost"), "money", total=True),
               ReportColumn("cost_per_lead", _l("Cost per lead"), "money"),
               ReportColumn("roi", _l("ROI"), "percent")]
    totals = {c.key: sum((r[c.key] or 0) for r in rows) for c in columns if c.total}
    return ReportResult(columns, rows, chart={"kind": "bar", "label": "name",
                                              "values": ["actual_cost", "won_revenue"]},
                        totals=totals, drilldown=lambda row: url_for("campaigns.effect", campaign_id=row["id"]),
                        note=_l("ROI = (won revenue − actual cost) ÷ actual cost; — when the actual cost is 0."))


def run_tasks(user, params):
    query = base_query(user)
    if params.date_from:
        query = query.where(CampaignTask.due_at >= local_day_bounds(params.date_from)[0])
    if params.date_to:
        query = query.where(CampaignTask.due_at < local_day_bounds(params.date_to)[1])
    if params.owner_id:
        query = query.where(CampaignTask.owner == params.owner_id)
    counted = (query.select(Campaign.id, Campaign.name, CampaignTask.status, fn.COUNT(CampaignTask.id))
               .group_by(Campaign.id, Campaign.name, CampaignTask.status).order_by(Campaign.name).tuples())
    by_campaign = {}
    for cid, name, status, n in counted:
        row = by_campaign.setdefault(cid, dict({"id": cid, "name": name}, **{s: 0 for s in TASK_STATUSES}))
        row[status] = n
    rows = list(by_campaign.values())
    for row in rows:
        row["total"] = sum(row[s] for s in TASK_STATUSES)
    columns = [ReportColumn("name", _l("Campaign"))] + [
        ReportColumn(s, labels.TASK_STATUSES[s], "number", total=True) for s in TASK_STATUSES] + [
        ReportColumn("total", _l("Total"), "number", total=True)]
    totals = {c.key: sum(r[c.key] for r in rows) for c in columns if c.total}
    return ReportResult(columns, rows, chart={"kind": "stacked", "label": "name", "values": list(TASK_STATUSES)},
                        totals=totals,
                        drilldown=lambda row: url_for("campaigns.tasks", view="all", campaign=row["id"]))


def report_definitions():
    return [
        ReportDefinition("campaigns.effect", "campaigns", _l("Campaign effect"), run_effect,
                         _l("Members, responses, leads, won revenue, cost per lead and ROI per campaign."),
                         chart="bar", order=10, plugin="campaigns"),
        ReportDefinition("campaigns.tasks_by_status", "campaigns", _l("Campaign tasks by status"), run_tasks,
                         _l("Tasks per campaign and status, by due date."), chart="stacked", order=20,
                         plugin="campaigns"),
    ]


__all__ = ["report_definitions"]
