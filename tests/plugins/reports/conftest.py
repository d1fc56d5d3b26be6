"""A small, hand-countable sales organisation for the reports tests.

Positions: teacher → class A → dept A → sales A (ann, amy) and teacher → class B → dept B → sales B (bob).
Clock: 2026-05-15 10:00 in Asia/Shanghai (02:00 UTC); the fiscal year starts in January unless a test changes it.
"""
import datetime as dt
import decimal

import pytest

from core.models import (Account, Competitor, Contact, Lead, Opportunity, OpportunityCompetitor, OpportunityLine,
                         OpportunityStageHistory, Product, ProductCategory, SalesStage)

D = decimal.Decimal


@pytest.fixture
def client(app):
    """A test client that asks for English (the organisation's default language is Chinese)."""
    c = app.test_client()
    c.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return c


def stage(name):
    return SalesStage.get(SalesStage.name == name)


class World:
    """Handles on the people and records of the test organisation."""


@pytest.fixture
def world(app, positions, make_user, frozen_clock):
    frozen_clock(dt.datetime(2026, 5, 15, 2, 0, 0))
    w = World()
    w.positions = positions
    w.admin = make_user("admin", admin=True)
    w.teacher = make_user("teacher", position=positions["teacher"])
    w.manager = make_user("manager", position=positions["dept_a"])
    w.ann = make_user("ann", position=positions["sales_a"])
    w.amy = make_user("amy", position=positions["sales_a"])
    w.bob = make_user("bob", position=positions["sales_b"])
    w.outsider = make_user("outsider")

    def at(y, m, d, h=2):
        return dt.datetime(y, m, d, h, 0, 0)

    def account(name, owner, industry="retail", type_="customer", region="North", created=at(2026, 1, 10)):
        return Account.create(name=name, owner=owner, industry=industry, type=type_, region=region,
                              created_at=created, modified_at=created)

    w.acme = account("Acme", w.ann, "retail", created=at(2026, 1, 10))
    w.bolt = account("Bolt", w.ann, "finance", "prospect", "South", created=at(2026, 2, 3))
    w.cord = account("Cord", w.amy, "retail", region="North", created=at(2026, 2, 20))
    w.dyne = account("Dyne", w.bob, "education", region="East", created=at(2026, 3, 1))
    # 2026-01-31 17:00 UTC is 2026-02-01 01:00 in Shanghai: a February account
    w.edge = account("Edge", w.bob, "retail", created=dt.datetime(2026, 1, 31, 17, 0, 0))
    for i, (acc, owner) in enumerate([(w.acme, w.ann), (w.acme, w.ann), (w.acme, w.amy), (w.dyne, w.bob)]):
        Contact.create(last_name=f"C{i}", account=acc, owner=owner, created_at=at(2026, 3, 5),
                       modified_at=at(2026, 3, 5))

    def opp(name, owner, amount, stage_name, close, acc=None, created=at(2026, 1, 5)):
        s = stage(stage_name)
        return Opportunity.create(name=name, owner=owner, amount=D(amount), stage=s, probability=s.probability,
                                  close_date=close, account=acc, created_at=created, modified_at=created)

    w.o1 = opp("O1 ann won", w.ann, "1000.00", "Closed Won", dt.date(2026, 1, 20), w.acme)
    w.o2 = opp("O2 ann won", w.ann, "3000.00", "Closed Won", dt.date(2026, 4, 2), w.bolt)
    w.o3 = opp("O3 ann lost", w.ann, "500.00", "Closed Lost", dt.date(2026, 4, 10), w.acme)
    w.o4 = opp("O4 ann open", w.ann, "2000.00", "Proposal", dt.date(2026, 6, 30), w.acme)
    w.o5 = opp("O5 amy open", w.amy, "4000.00", "Prospecting", dt.date(2026, 5, 20), w.cord)
    w.o6 = opp("O6 amy won", w.amy, "6000.00", "Closed Won", dt.date(2026, 5, 1), w.cord)
    w.o7 = opp("O7 bob won", w.bob, "8000.00", "Closed Won", dt.date(2025, 11, 15), w.dyne)
    w.o8 = opp("O8 bob open", w.bob, "1000.00", "Proposal", dt.date(2026, 7, 1), w.dyne)
    w.o9 = opp("O9 bob lost", w.bob, "700.00", "Closed Lost", dt.date(2026, 5, 5), w.dyne)

    cat_hw = ProductCategory.create(name="Hardware")
    cat_sw = ProductCategory.create(name="Software")
    w.router = Product.create(name="Router", code="R1", category=cat_hw, unit_price=D("100"))
    w.licence = Product.create(name="Licence", code="L1", category=cat_sw, unit_price=D("50"))
    # o1: 10 routers at 100 less 10 % = 900; 2 licences at 50 = 100 → 1000
    OpportunityLine.create(opportunity=w.o1, product=w.router, quantity=10, unit_price=D("100"),
                           discount_percent=D("10"))
    OpportunityLine.create(opportunity=w.o1, product=w.licence, quantity=2, unit_price=D("50"))
    # o7 (bob): 80 licences at 100 = 8000; o4 (open) lines never count
    OpportunityLine.create(opportunity=w.o7, product=w.licence, quantity=80, unit_price=D("100"))
    OpportunityLine.create(opportunity=w.o4, product=w.router, quantity=20, unit_price=D("100"))

    # stage history of o2: Prospecting 2026-01-01 → Proposal 2026-01-11 (10 days) → Won 2026-01-31 (20 days)
    def history(o, name, when):
        OpportunityStageHistory.create(opportunity=o, stage=stage(name), changed_at=when, amount=o.amount)
    history(w.o2, "Prospecting", at(2026, 1, 1))
    history(w.o2, "Proposal", at(2026, 1, 11))
    history(w.o2, "Closed Won", at(2026, 1, 31))
    # o8 (bob): Prospecting 2026-02-01 → Proposal 2026-02-05 (4 days), still in Proposal
    history(w.o8, "Prospecting", at(2026, 2, 1))
    history(w.o8, "Proposal", at(2026, 2, 5))

    w.rival = Competitor.create(name="Rival", owner=w.ann)
    w.other = Competitor.create(name="Other", owner=w.bob)
    for o in (w.o2, w.o3, w.o9):
        OpportunityCompetitor.create(opportunity=o, competitor=w.rival)
    OpportunityCompetitor.create(opportunity=w.o7, competitor=w.other)
    OpportunityCompetitor.create(opportunity=w.o9, competitor=w.other)

    def lead(name, owner, source, status, rating="warm", created=at(2026, 5, 1)):
        return Lead.create(last_name=name, owner=owner, source=source, status=status, rating=rating,
                           created_at=created, modified_at=created,
                           converted_at=created if status == "converted" else None)
    lead("L1", w.ann, "web", "new", "hot", created=at(2026, 5, 14))         # 1 day old
    lead("L2", w.ann, "web", "converted", "hot", created=at(2026, 4, 1))
    lead("L3", w.ann, "phone", "contacted", "cold", created=at(2026, 4, 1))  # 44 days
    lead("L4", w.amy, "web", "qualified", created=at(2026, 1, 1))           # 134 days
    lead("L5", w.bob, "referral", "converted", created=at(2026, 3, 1))
    lead("L6", w.bob, "web", "unqualified", created=at(2026, 5, 10))
    lead("L7", w.bob, "", "new", created=at(2026, 5, 8))                    # 7 days
    return w
