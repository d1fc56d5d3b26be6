"""The set-up and the checks. Each check looks only at what the student did since the exercise opened for
their class, through core's check API (``core.exercises.mine``: their own records, access applied, changed
by them since ``since``), so demo data never passes one.

A check takes the student (a ``core.models.User``) and ``since`` and returns ``(passed, message)``. Record
types of other plugins are named as strings (``"campaign"``, ``"complaint"``): core's registry resolves them,
so this plugin never imports another plugin."""
from decimal import Decimal

from flask_babel import get_locale

from core import access
from core.exercises import mine, seed
from core.models import Lead, Opportunity, SalesStage
from core.records import registry

QUOTA = Decimal("50000")  # the exercise's quota for one closed deal


def say(en, zh):
    """The message in the student's language (checks also run in the scheduler, outside a request)."""
    try:
        language = str(get_locale() or "zh")
    except RuntimeError:
        language = "zh"
    return zh if language.startswith("zh") else en


ACME = {"company": "Acme", "last_name": "Chen", "status": "new"}  # the lead every student starts with


def seed_acme(user, by):
    """Set-up of the lead exercises: the lead Acme, handed to the student (added once, never replaced)."""
    seed(user, "lead", by, **ACME)


def lead_qualified(user, since):
    leads = mine(user, "lead", since)
    if not leads.exists():
        return False, say("Work on a lead first: qualify Acme, or create a lead of your own.",
                          "先处理一条线索：确认 Acme，或新建一条你自己的线索。")
    if leads.where(Lead.status.in_(("qualified", "converted"))).exists():
        return True, say("You have a qualified lead.", "你已有一条状态为“合格”的线索。")
    return False, say("Set the status of one of your leads to Qualified.", "把你的一条线索的状态设为“合格”。")


def converted_and_won_above_quota(user, since):
    converted = mine(user, "lead", since).where(Lead.converted_opportunity.is_null(False))
    if not converted.exists():
        return False, say("Convert a qualified lead into an account, a contact and an opportunity.",
                          "把一条合格的线索转化为客户、联系人和销售机会。")
    opportunities = mine(user, "opportunity", since)
    won = (opportunities.join(SalesStage, on=(Opportunity.stage == SalesStage.id))
           .where(SalesStage.is_won & Opportunity.id.in_(converted.select(Lead.converted_opportunity))))
    if won.where(Opportunity.amount >= QUOTA).exists():
        return True, say("Closed won above the quota.", "已赢单，且金额达到配额。")
    if won.exists():
        return False, say(f"Won, but below the quota of {QUOTA:,.0f}: add product lines to raise the amount.",
                          f"已赢单，但金额低于配额 {QUOTA:,.0f}：添加产品明细以提高金额。")
    return False, say("Move the converted opportunity to Closed Won.", "把转化得到的销售机会推进到“赢单”阶段。")


def campaign_tasks_on_time(user, since):
    tasks_rt = registry.get("campaign_task")
    Task = tasks_rt.model
    for campaign in mine(user, "campaign", since):
        tasks = list(access.visible(Task.select(), user, tasks_rt).where(Task.campaign == campaign.id))
        if len(tasks) < 2:
            continue
        on_time = [t for t in tasks if t.status == "done" and t.completed_at and t.completed_at <= t.due_at]
        if len(on_time) == len(tasks):
            return True, say(f"Campaign “{campaign.name}”: every task done before its deadline.",
                             f"市场活动“{campaign.name}”：所有任务都在截止前完成。")
    return False, say("Run a campaign of yours with at least two tasks, and finish every task before it is due.",
                      "开展一个你自己的市场活动，至少包含两个任务，并在截止前完成所有任务。")


def complaint_resolved_in_target(user, since):
    complaints = mine(user, "complaint", since)
    Complaint = registry.get("complaint").model
    handled = complaints.where(Complaint.status.in_(("resolved", "closed")) & Complaint.resolved_at.is_null(False))
    in_target = handled.where(Complaint.resolution_due_at.is_null(True)
                              | (Complaint.resolved_at <= Complaint.resolution_due_at))
    if in_target.exists():
        return True, say("A complaint of yours was resolved within its target.", "你有一条客户投诉在目标时限内解决。")
    if handled.exists():
        return False, say("Resolved, but after the target: try again with the next complaint.",
                          "已解决，但超过了目标时限：下一条投诉请更快处理。")
    return False, say("Resolve a complaint assigned to you before its resolution target.",
                      "在解决时限之前，解决一条分配给你的客户投诉。")


__all__ = ["ACME", "QUOTA", "campaign_tasks_on_time", "complaint_resolved_in_target", "converted_and_won_above_quota",
           "lead_qualified", "seed_acme"]
