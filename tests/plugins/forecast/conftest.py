"""Forecast test helpers: a small school with salespeople and a way to add opportunities."""
import datetime as dt
from decimal import Decimal

import pytest


@pytest.fixture
def fc_app(make_app):
    app = make_app(plugins=["forecast"])
    with app.app_context():
        yield app


@pytest.fixture
def fc_client(fc_app):
    return fc_app.test_client()


@pytest.fixture
def school(fc_app, positions, make_user):
    """teacher → class A (lead_a) → dept A (manager_a) → sales A (alice, bob); class B … sales B (carol)."""
    make_user = _english(make_user)
    people = {
        "teacher": make_user("teacher", positions["teacher"]),
        "lead_a": make_user("lead_a", positions["class_a"]),
        "lead_b": make_user("lead_b", positions["class_b"]),
        "manager_a": make_user("manager_a", positions["dept_a"]),
        "manager_b": make_user("manager_b", positions["dept_b"]),
        "alice": make_user("alice", positions["sales_a"]),
        "bob": make_user("bob", positions["sales_a"]),
        "carol": make_user("carol", positions["sales_b"]),
        "outsider": make_user("outsider"),
        "admin": make_user("admin", admin=True),
    }
    people["positions"] = positions
    return people


def _english(make_user):
    """The page texts asserted on are English; one test checks the Chinese pages."""
    def make(username, position=None, admin=False, **fields):
        fields.setdefault("language", "en")
        return make_user(username, position, admin, **fields)
    return make


def stage(name):
    from core.models import SalesStage
    return SalesStage.get(SalesStage.name == name)


@pytest.fixture
def opp():
    """``opp(owner, amount, stage_name, close_date, probability=None)`` creates an opportunity."""
    from core.models import Opportunity

    def make(owner, amount, stage_name="Proposal", close_date=dt.date(2026, 5, 20), probability=None, name=None):
        s = stage(stage_name)
        return Opportunity.create(name=name or f"Deal {amount}", owner=owner.id, amount=Decimal(str(amount)),
                                  stage=s.id, close_date=close_date,
                                  probability=s.probability if probability is None else probability)
    return make


def set_start_month(month):
    from flask import g
    from core.models import Organisation
    Organisation.update(fiscal_year_start=month).where(Organisation.id == 1).execute()
    g.pop("org_profile", None)
