"""The core records' demo data: every demo user gets records, opportunities span stages and two quarters."""
import datetime as dt
import random

from core.models import (Account, Competitor, Contact, Lead, Opportunity, OpportunityLine, OpportunityStageHistory,
                         Product, ProductCategory, User)


def test_demo_data_gives_every_user_records_across_stages_and_quarters(make_app, frozen_clock):
    frozen_clock(dt.datetime(2026, 5, 15, 2, 0))
    from core.demo import load_demo
    app = make_app(plugins=[])
    load_demo(app, "demo-pass-1", "admin-pass-1", progress=lambda *_: None)
    with app.app_context():
        users = list(User.select().where(~User.is_admin))
        assert users
        for user in users:
            assert Account.select().where(Account.owner == user.id).exists(), user.username
            assert Opportunity.select().where(Opportunity.owner == user.id).exists(), user.username
            assert Lead.select().where(Lead.owner == user.id).exists(), user.username
        assert Contact.select().count() >= len(users)
        stages = {o.stage.name for o in Opportunity.select()}
        assert {"Closed Won", "Closed Lost", "Prospecting"} <= stages
        dates = [o.close_date for o in Opportunity.select()]
        assert min(dates) >= dt.date(2026, 4, 1) and max(dates) <= dt.date(2026, 9, 30)
        assert any(d >= dt.date(2026, 7, 1) for d in dates) and any(d < dt.date(2026, 7, 1) for d in dates)
        assert OpportunityLine.select().exists() and Product.select().count() >= 5
        assert ProductCategory.select().where(ProductCategory.parent.is_null(False)).exists()
        assert Competitor.select().count() >= 3
        assert OpportunityStageHistory.select().count() >= Opportunity.select().count()
        with_lines = Opportunity.select().where(Opportunity.id.in_(OpportunityLine.select(OpportunityLine.opportunity)))
        for opp in with_lines:
            assert opp.amount == sum((line.total for line in opp.lines), start=opp.amount * 0)
        assert any("有限公司" in a.name for a in Account.select())
        converted = Lead.select().where(Lead.converted_at.is_null(False))
        assert converted.exists()
        assert all(lead.converted_account_id and lead.converted_contact_id for lead in converted)
        negotiating = [o for o in Opportunity.select() if o.stage.name == "Negotiation"]
        assert negotiating and all(o.stage_history.count() == 5 for o in negotiating)  # 4 earlier + current


def test_demo_keeps_an_existing_product_catalogue(app, make_user):
    from core.records import demo
    Product.create(name="已有产品", code="OWN-1", unit_price=10)
    user = make_user("solo")
    with app.test_request_context():
        demo.load(app, [user], random.Random(1))
    assert Product.select().count() == 1 and ProductCategory.select().count() == 0
