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
def school(fc_app, make_school):
    """The shared school, in English: teacher → class A (lead_a) → dept A (manager_a) → sales A (alice, bob);
    class B … sales B (carol); outsider without position; admin."""
    return make_school()


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
