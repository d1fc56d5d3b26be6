"""The four task views (我的任务 / 未完成任务 / 历史任务 / 所有任务), their filters and sorting.

- My tasks: assigned to me and still open (open or in progress) — my to-do list.
- Open tasks: not done and not cancelled.
- History: done, cancelled, or belonging to a campaign that has ended (end date before today in the
  organisation's time zone). An open task of an ended campaign is therefore in Open *and* in History:
  it is still undone work, and it belongs to a finished campaign.
- All tasks: everything the viewer may see.
Every view is narrowed by :func:`core.access.visible` first (the task's own rule or its campaign's, by the
record type's grant).
"""
import datetime as _dt

from core import access, clock
from core.models import User
from plugins.campaigns.models import (CLOSED_TASK_STATUSES, OPEN_TASK_STATUSES, Campaign, CampaignTask)

VIEWS = ("mine", "open", "history", "all")
SORTS = {
    "due": CampaignTask.due_at, "subject": CampaignTask.subject, "status": CampaignTask.status,
    "priority": CampaignTask.priority, "campaign": Campaign.name, "assignee": User.username,
}


def view_condition(view, user, today=None):
    today = today or clock.today()
    is_open = CampaignTask.status.in_(OPEN_TASK_STATUSES)
    if view == "mine":
        return (CampaignTask.owner == user.id) & is_open
    if view == "open":
        return is_open
    if view == "history":
        ended = Campaign.end_date.is_null(False) & (Campaign.end_date < today)
        return CampaignTask.status.in_(CLOSED_TASK_STATUSES) | ended
    if view == "all":
        return None
    raise ValueError(view)


def base_query(user):
    query = (CampaignTask.select(CampaignTask, Campaign, User)
             .join(Campaign, on=(CampaignTask.campaign == Campaign.id))
             .switch(CampaignTask).join(User, on=(CampaignTask.owner == User.id)))
    return access.visible(query, user, "campaign_task")


def local_day_bounds(day):
    """The UTC instants where a local calendar day starts and the next one starts."""
    start = clock.to_utc(_dt.datetime.combine(day, _dt.time()))
    return start, clock.to_utc(_dt.datetime.combine(day + _dt.timedelta(days=1), _dt.time()))


def apply_filters(query, campaign_id=None, assignee_id=None, date_from=None, date_to=None):
    if campaign_id:
        query = query.where(CampaignTask.campaign == campaign_id)
    if assignee_id:
        query = query.where(CampaignTask.owner == assignee_id)
    if date_from:
        query = query.where(CampaignTask.due_at >= local_day_bounds(date_from)[0])
    if date_to:
        query = query.where(CampaignTask.due_at < local_day_bounds(date_to)[1])
    return query


def tasks_in_view(view, user, filters=None, today=None):
    query = apply_filters(base_query(user), **(filters or {}))
    cond = view_condition(view, user, today)
    return query if cond is None else query.where(cond)


def counts(user, filters=None, today=None):
    """Tab counts: the same queries as the lists, counted in SQL."""
    return {view: tasks_in_view(view, user, filters, today).order_by().count() for view in VIEWS}


def sorted_query(query, sort):
    key = (sort or "due").lstrip("-")
    column = SORTS.get(key, CampaignTask.due_at)
    order = column.desc() if (sort or "").startswith("-") else column.asc()
    return query.order_by(order, CampaignTask.id)
