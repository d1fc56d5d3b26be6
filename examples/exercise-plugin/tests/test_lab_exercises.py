"""The four exercises pass exactly when the student's own data does what they ask."""
import datetime as dt
from decimal import Decimal

import pytest

from core import clock
from core.app import create_app
from core.classroom.exercises import available_for, check
from core.db import db
from core.migrate import upgrade
from core.models import Account, Lead, Opportunity, SalesStage, User
from core.records import registry

PLUGINS = ["lab_exercises", "campaigns", "service"]


@pytest.fixture
def app(tmp_path):
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/test.db", "PLUGINS": PLUGINS, "TESTING": True,
                      "WTF_CSRF_ENABLED": False, "SECRET_KEY": "test", "INSTANCE_PATH": str(tmp_path),
                      "PASSWORD_METHOD": "pbkdf2:sha256:1000"})
    upgrade(app)
    with app.test_request_context(headers={"Accept-Language": "en"}), db.connection_context():
        yield app


def _user(name):
    user = User(username=name, language="en")
    user.set_password("student-pass-1", method="pbkdf2:sha256:1000")
    user.save()
    return user


def _results(user):
    return {key: result.passed for key, result in check(user, available_for(user)).items()}


def test_four_exercises_are_offered_when_their_modules_are_on(app):
    assert [e.id for e in available_for(_user("ann"))] == [
        "lab.qualify_lead", "lab.close_above_quota", "lab.campaign_on_time", "lab.complaint_in_target"]


def test_nothing_passes_for_a_new_student_and_others_work_does_not_count(app):
    ann, ben = _user("ann"), _user("ben")
    Lead.create(last_name="Wang", status="qualified", owner=ben)
    assert not any(_results(ann).values())
    assert _results(ben)["lab.qualify_lead"] is True


def test_lead_to_won_opportunity_above_quota(app):
    ann = _user("ann")
    won = SalesStage.get(SalesStage.is_won)
    account = Account.create(name="ACME", owner=ann)
    opp = Opportunity.create(name="Deal", account=account, amount=Decimal("49999.99"), close_date=clock.today(),
                             stage=won, owner=ann)
    Lead.create(last_name="Wang", status="converted", owner=ann, converted_opportunity=opp)
    results = _results(ann)
    assert results["lab.qualify_lead"] is True and results["lab.close_above_quota"] is False
    Opportunity.update(amount=Decimal("50000")).execute()
    assert _results(ann)["lab.close_above_quota"] is True


def test_campaign_tasks_must_all_be_done_before_they_are_due(app):
    ann = _user("ann")
    Campaign, Task = registry.get("campaign").model, registry.get("campaign_task").model
    now = clock.utcnow()
    campaign = Campaign.create(name="Spring fair", owner=ann, start_date=clock.today(),
                               end_date=clock.today() + dt.timedelta(days=30))
    for i in range(2):
        Task.create(campaign=campaign, subject=f"Task {i}", due_at=now + dt.timedelta(days=5), owner=ann,
                    status="done", completed_at=now)
    assert _results(ann)["lab.campaign_on_time"] is True
    Task.update(completed_at=now + dt.timedelta(days=6)).where(Task.subject == "Task 1").execute()
    assert _results(ann)["lab.campaign_on_time"] is False


def test_complaint_resolved_within_target(app):
    ann = _user("ann")
    Complaint = registry.get("complaint").model
    now = clock.utcnow()
    complaint = Complaint.create(subject="Late delivery", owner=ann, status="resolved", received_at=now,
                                 resolved_at=now + dt.timedelta(hours=3),
                                 resolution_due_at=now + dt.timedelta(hours=2))
    assert _results(ann)["lab.complaint_in_target"] is False
    Complaint.update(resolved_at=now + dt.timedelta(hours=1)).where(Complaint.id == complaint.id).execute()
    assert _results(ann)["lab.complaint_in_target"] is True


def test_exercises_of_a_disabled_module_are_hidden(tmp_path):
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/t2.db", "PLUGINS": ["lab_exercises"],
                      "TESTING": True, "SECRET_KEY": "test", "INSTANCE_PATH": str(tmp_path)})
    upgrade(app)
    with app.test_request_context(), db.connection_context():
        ids = [e.id for e in available_for(_user("ann"))]
    assert ids == ["lab.qualify_lead", "lab.close_above_quota"]
