"""Fixtures for the record views: a small school with a salesperson, a peer, their manager and an outsider."""
import datetime as dt
from decimal import Decimal

import pytest

from core.models import Account, Opportunity, Product, ProductCategory, SalesStage


@pytest.fixture
def school(app, make_school):
    """The shared school seen from Sales A: owner, peer (sales A), boss (dept A), outsider (sales B), admin.
    No user language: ``as_user`` asks for one through the browser."""
    s = make_school(language="")
    return {"owner": s["alice"], "peer": s["bob"], "boss": s["manager_a"], "outsider": s["carol"],
            "admin": s["admin"]}


@pytest.fixture
def products(app):
    cat = ProductCategory.create(name="软件")
    return [Product.create(name="CRM 标准版", code="CRM-STD", category=cat, unit_price=Decimal("1999.00"), unit="套"),
            Product.create(name="实施服务", code="SVC-IMP", category=cat, unit_price=Decimal("800.50"), unit="天")]


def stage(name):
    return SalesStage.get(SalesStage.name == name)


def make_account(owner, name="华东机械有限公司", **kw):
    return Account.create(name=name, owner=owner, created_by=owner, **kw)


def make_opportunity(owner, name="ERP 项目", **kw):
    kw.setdefault("stage", stage("Prospecting"))
    kw.setdefault("close_date", dt.date(2026, 6, 30))
    return Opportunity.create(name=name, owner=owner, created_by=owner, **kw)


def set_sharing(family, mode):
    """Store a family's sharing mode (update or insert on every backend) and drop the per-request cache."""
    from flask import g, has_app_context
    from core.models import SharingMode
    if not SharingMode.update(mode=mode).where(SharingMode.family == family).execute():
        SharingMode.create(family=family, mode=mode)
    if has_app_context():
        g.pop("sharing_modes", None)
