"""Deadline reminders (到期提醒), the job ``campaigns.reminders``.

N = the campaign's ``reminder_days`` or, when empty, the organisation's ``reminder_days`` (default 3);
0 switches reminders off. Dates are the organisation's local dates (``core.clock``).

- ``task_due``: to the assignee of an open task, from N days before its due date on (also after it, while
  the task is still open — so a run after downtime catches up).
- ``task_campaign_end``: to the assignee of an open task, from N days before the campaign's end date until
  that end date.
- ``campaign_end``: to the campaign owner, from N days before the end date until it, while the campaign
  has open tasks.
Campaigns that are completed or cancelled send nothing; done and cancelled tasks send nothing.

Exactly once: each reminder is ``core.notify.send`` with a unique key per (task, kind, deadline) — the
deadline is in the key so that a moved due date is reminded again. The key is a unique column, inserted
with ON CONFLICT DO NOTHING in one transaction, so concurrent schedulers or a repeated run never duplicate.
"""
import datetime as _dt

from flask_babel import force_locale

from core import clock, notify
from core.babel import gettext as _
from core.db import transaction
from core.models import Organisation, User
from plugins.campaigns.links import link
from plugins.campaigns.models import OPEN_TASK_STATUSES, Campaign, CampaignTask

ACTIVE_CAMPAIGN_STATUSES = ("planned", "active")


def reminder_days(campaign, org=None):
    if campaign.reminder_days is not None:
        return max(0, campaign.reminder_days)
    org = org or Organisation.get_profile()
    return max(0, org.reminder_days if org.reminder_days is not None else 3)


def _locale(user):
    return user.language or Organisation.get_profile().default_language or "zh"


def candidate_tasks(today, horizon_days):
    """Open tasks of live campaigns that may need a reminder within the horizon (a coarse SQL cut)."""
    horizon = today + _dt.timedelta(days=horizon_days + 1)
    horizon_utc = clock.to_utc(_dt.datetime.combine(horizon, _dt.time()))
    return (CampaignTask.select(CampaignTask, Campaign, User)
            .join(Campaign, on=(CampaignTask.campaign == Campaign.id))
            .switch(CampaignTask).join(User, on=(CampaignTask.owner == User.id))
            .where(CampaignTask.status.in_(OPEN_TASK_STATUSES)
                   & Campaign.status.in_(ACTIVE_CAMPAIGN_STATUSES)
                   & ((CampaignTask.due_at < horizon_utc)
                      | (Campaign.end_date.is_null(False) & (Campaign.end_date <= horizon))))
            .order_by(CampaignTask.id))


def _send(user, key, kind, title, body, url):
    """One reminder in its own short transaction, retried while the database is busy."""
    return transaction(notify.send, user, title, body=body, link=url, kind=kind, key=key)


def run(app=None):
    """Send every reminder that is due now and was not sent before. Returns how many were sent."""
    org = Organisation.get_profile()
    today = clock.today()
    max_days = max([org.reminder_days or 0] + [c.reminder_days or 0 for c in
                    Campaign.select(Campaign.reminder_days).where(Campaign.reminder_days.is_null(False))
                    .distinct()])
    sent = 0
    owners_to_tell = {}
    # read everything first: an open SELECT cursor would pin an SQLite read snapshot that cannot then write
    for task in list(candidate_tasks(today, max_days)):
        campaign = task.campaign
        days = reminder_days(campaign, org)
        if days <= 0:
            continue
        window = _dt.timedelta(days=days)
        assignee = task.owner
        task_link = link("campaigns.task_edit", task_id=task.id)
        due_day = clock.to_local(task.due_at).date()
        if today >= due_day - window:
            with force_locale(_locale(assignee)):
                sent += _send(assignee, f"campaigns:task:{task.id}:due:{task.due_at:%Y%m%d%H%M}", "campaign_task_due",
                              _("Task due %(date)s: %(subject)s", date=due_day.isoformat(), subject=task.subject),
                              _("Campaign: %(campaign)s", campaign=campaign.name), task_link)
        end = campaign.end_date
        if end and end - window <= today <= end:
            with force_locale(_locale(assignee)):
                sent += _send(assignee, f"campaigns:task:{task.id}:campaign_end:{end:%Y%m%d}",
                              "campaign_task_campaign_end",
                              _("Campaign %(campaign)s ends %(date)s; your task is open: %(subject)s",
                                campaign=campaign.name, date=end.isoformat(), subject=task.subject),
                              _("Finish or update the task before the campaign ends."), task_link)
            owners_to_tell.setdefault(campaign.id, [campaign, 0])[1] += 1
    for campaign, open_count in owners_to_tell.values():
        owner = User.get_by_id(campaign.owner_id)
        with force_locale(_locale(owner)):
            sent += _send(owner, f"campaigns:campaign:{campaign.id}:end:{campaign.end_date:%Y%m%d}", "campaign_end",
                          _("Campaign %(campaign)s ends %(date)s with %(count)d open tasks",
                            campaign=campaign.name, date=campaign.end_date.isoformat(), count=open_count),
                          _("Check the open tasks of the campaign before it ends."),
                          link("campaigns.detail", campaign_id=campaign.id))
    return sent
