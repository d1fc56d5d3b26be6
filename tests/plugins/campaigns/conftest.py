"""Campaign test fixtures: a small school and helpers that create campaigns and tasks as a user would.

    teacher ← superior (two levels up)
    └── class A ← class_lead
        └── dept A ← owner, peer (same position)
            └── sales A ← subordinate
    └── class B
        └── dept B ← outsider
    admin (no position)
"""
import datetime as dt

import pytest
from flask import g

from core.models import SharingMode
from core.records import service


@pytest.fixture
def school(app, make_school):
    """The shared school seen from Dept A, in English (the organisation default is Chinese; one test checks
    that too)."""
    s = make_school()
    return {"owner": s["manager_a"], "peer": s["deputy_a"], "superior": s["teacher"], "class_lead": s["lead_a"],
            "subordinate": s["alice"], "outsider": s["manager_b"], "admin": s["admin"]}


@pytest.fixture
def clients(app, school, login):
    return {side: login(app.test_client(), user) for side, user in school.items()}


def set_mode(mode, family="campaign"):
    SharingMode.delete().where(SharingMode.family == family).execute()
    SharingMode.create(family=family, mode=mode)
    g.pop("sharing_modes", None)


def make_campaign(owner, name="春季推广", **fields):
    from plugins.campaigns.models import Campaign
    fields.setdefault("status", "active")
    fields.setdefault("start_date", dt.date(2026, 5, 1))
    fields.setdefault("end_date", dt.date(2026, 5, 31))
    campaign = Campaign(name=name, owner=owner, **fields)
    service.save("campaign", campaign, owner)
    return campaign


def make_task(campaign, assignee, due_at, subject="发送邀请", status="open", **fields):
    from plugins.campaigns.models import CampaignTask
    task = CampaignTask(campaign=campaign, owner=assignee, subject=subject, due_at=due_at, status=status, **fields)
    service.save("campaign_task", task, assignee)
    return task
