"""Who sees which campaign task — decided with core's rules, in SQL.

Decision (documented in the README): a task is a record type of its own (``campaign_task``, family
``campaign``, its owner being the assigned user), so the assignee, the assignee's superiors and the sharing
mode of the "campaign" family open it through core's rule. On top of that, whoever may read (write) the
campaign may read (write) all of its tasks: the campaign's owner and superiors follow the work on it.
Both halves are ``core.access.visible`` queries combined with OR; nothing is filtered in Python.
"""
from flask import abort

from core import access
from plugins.campaigns.models import Campaign, CampaignTask


def visible_campaigns(user, action="read"):
    return access.visible(Campaign.select(Campaign.id), user, "campaign", action)


def task_rule(user, action="read"):
    """A Peewee expression over CampaignTask, or None when the user sees every task (admin)."""
    if getattr(user, "is_admin", False) and user.is_authenticated:
        return None
    own_rule = access.visible(CampaignTask.select(CampaignTask.id), user, "campaign_task", action)
    return CampaignTask.id.in_(own_rule) | CampaignTask.campaign.in_(visible_campaigns(user, action))


def visible_tasks(query, user, action="read"):
    expr = task_rule(user, action)
    return query if expr is None else query.where(expr)


def can_task(user, action, task):
    return visible_tasks(CampaignTask.select(CampaignTask.id).where(CampaignTask.id == task.id),
                         user, action).exists()


def task_or_404(user, task_id, action="read"):
    """404 when the user may not read the task, 403 when they may read it but not ``action`` it."""
    task = visible_tasks(CampaignTask.select(), user, "read").where(CampaignTask.id == task_id).first()
    if task is None:
        abort(404)
    if action != "read" and not can_task(user, action, task):
        abort(403)
    return task
