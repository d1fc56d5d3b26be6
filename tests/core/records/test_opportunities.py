"""Opportunities: probability from the stage, product lines in Decimal, stage history, closed_at, competitors."""
import datetime as dt
from decimal import Decimal

from core.models import (AuditEntry, Competitor, Opportunity, OpportunityCompetitor, OpportunityLine,
                         OpportunityStageHistory, Organisation)
from tests.core.records.conftest import make_opportunity, set_sharing, stage


def _create(client, **data):
    form = {"name": "数控机床采购", "close_date": "2026-06-30", "stage": str(stage("Prospecting").id),
            "type": "new_business"}
    form.update(data)
    r = client.post("/records/opportunity/new", data=form)
    assert r.status_code == 302, r.get_data(as_text=True)[-1500:]
    return Opportunity.get(Opportunity.name == form["name"])


def test_probability_defaults_from_stage_and_currency_from_organisation(school, as_user):
    Organisation.update(currency="USD").execute()
    opp = _create(as_user(school["owner"]), stage=str(stage("Proposal").id))
    assert opp.probability == 60 and opp.currency == "USD"
    opp2 = _create(as_user(school["owner"]), name="自定概率", probability="35")
    assert opp2.probability == 35


def test_stage_change_writes_history_and_follows_the_new_default_probability(school, as_user, frozen_clock):
    client = as_user(school["owner"])
    opp = _create(client)
    assert [h.stage.name for h in opp.stage_history] == ["Prospecting"]
    frozen_clock(dt.datetime(2026, 5, 20, 3, 0))
    client = as_user(school["owner"])  # days later: the first login has ended, a new one
    r = client.post(f"/records/opportunity/{opp.id}/edit", data={
        "name": opp.name, "close_date": "2026-06-30", "stage": str(stage("Negotiation").id),
        "probability": "10", "type": "new_business"})
    assert r.status_code == 302
    opp = Opportunity.get_by_id(opp.id)
    assert opp.probability == 80 and opp.closed_at is None
    history = list(OpportunityStageHistory.select().where(OpportunityStageHistory.opportunity == opp.id)
                   .order_by(OpportunityStageHistory.id))
    assert [h.stage.name for h in history] == ["Prospecting", "Negotiation"]
    assert history[-1].changed_by_id == school["owner"].id
    # saving without a stage change adds no history row
    client.post(f"/records/opportunity/{opp.id}/edit", data={
        "name": opp.name, "close_date": "2026-07-01", "stage": str(stage("Negotiation").id),
        "probability": "80", "type": "new_business"})
    assert OpportunityStageHistory.select().where(OpportunityStageHistory.opportunity == opp.id).count() == 2


def test_entering_closed_won_sets_closed_at_and_leaving_clears_it(school, as_user, frozen_clock):
    client = as_user(school["owner"])
    opp = _create(client)
    frozen_clock(dt.datetime(2026, 6, 1, 8, 0))
    client = as_user(school["owner"])  # days later: the first login has ended, a new one
    data = {"name": opp.name, "close_date": "2026-06-30", "type": "new_business"}
    client.post(f"/records/opportunity/{opp.id}/edit", data=dict(data, stage=str(stage("Closed Won").id)))
    opp = Opportunity.get_by_id(opp.id)
    assert opp.closed_at == dt.datetime(2026, 6, 1, 8, 0) and opp.probability == 100
    client.post(f"/records/opportunity/{opp.id}/edit", data=dict(data, stage=str(stage("Proposal").id)))
    assert Opportunity.get_by_id(opp.id).closed_at is None


def test_lines_drive_the_amount_in_decimal(school, as_user, products):
    client = as_user(school["owner"])
    opp = _create(client, amount="999.99")
    assert opp.amount == Decimal("999.99")
    r = client.post(f"/records/opportunity/{opp.id}/lines", data={
        "product": products[0].id, "quantity": "3", "discount_percent": "10"})
    assert r.status_code == 302
    line = OpportunityLine.get(OpportunityLine.opportunity == opp.id)
    assert line.unit_price == Decimal("1999.00")  # from the product
    client.post(f"/records/opportunity/{opp.id}/lines", data={
        "product": products[1].id, "quantity": "0.5", "unit_price": "0.10", "discount_percent": "0"})
    opp = Opportunity.get_by_id(opp.id)
    # 3 × 1999.00 × 0.9 = 5397.30 ; 0.5 × 0.10 = 0.05 → 5397.35 exactly (no float drift)
    assert opp.amount == Decimal("5397.35") and isinstance(opp.amount, Decimal)
    html = client.get(f"/records/opportunity/{opp.id}").get_data(as_text=True)
    assert "5,397.35" in html and 'data-related="lines"' in html
    # editing the amount by hand does not override the lines
    client.post(f"/records/opportunity/{opp.id}/edit", data={
        "name": opp.name, "close_date": "2026-06-30", "stage": str(opp.stage_id), "amount": "1.00",
        "type": "new_business"})
    assert Opportunity.get_by_id(opp.id).amount == Decimal("5397.35")
    client.post(f"/records/opportunity/{opp.id}/lines/{line.id}/delete")
    assert Opportunity.get_by_id(opp.id).amount == Decimal("0.05")
    actions = {a.action for a in AuditEntry.select().where(AuditEntry.record_id == opp.id)}
    assert {"line_add", "line_remove"} <= actions


def test_line_validation_and_access(school, as_user, products):
    opp = make_opportunity(school["owner"])
    client = as_user(school["owner"])
    client.post(f"/records/opportunity/{opp.id}/lines", data={"product": products[0].id, "quantity": "-1"})
    client.post(f"/records/opportunity/{opp.id}/lines", data={"product": "999999", "quantity": "1"})
    client.post(f"/records/opportunity/{opp.id}/lines", data={"product": products[0].id, "quantity": "1",
                                                             "discount_percent": "150"})
    assert OpportunityLine.select().count() == 0
    outsider = as_user(school["outsider"])
    assert outsider.post(f"/records/opportunity/{opp.id}/lines",
                         data={"product": products[0].id, "quantity": "1"}).status_code == 404
    line = OpportunityLine.create(opportunity=opp, product=products[0], quantity=1, unit_price=1)
    assert outsider.post(f"/records/opportunity/{opp.id}/lines/{line.id}/delete").status_code == 404
    other = make_opportunity(school["owner"], name="另一个")
    assert client.post(f"/records/opportunity/{other.id}/lines/{line.id}/delete").status_code == 404


def test_competitors_link_and_unlink(school, as_user):
    opp = make_opportunity(school["owner"])
    comp = Competitor.create(name="友商", owner=school["owner"])
    client = as_user(school["owner"])
    html = client.get(f"/records/opportunity/{opp.id}").get_data(as_text=True)
    assert 'data-form="competitor"' not in html and 'data-action="link-competitor"' in html  # a page of its own
    html = client.get(f"/records/opportunity/{opp.id}/competitors").get_data(as_text=True)
    assert 'data-form="competitor"' in html and "友商" in html
    client.post(f"/records/opportunity/{opp.id}/competitors", data={"competitor": comp.id})
    client.post(f"/records/opportunity/{opp.id}/competitors", data={"competitor": comp.id})
    assert OpportunityCompetitor.select().count() == 1
    html = client.get(f"/records/opportunity/{opp.id}").get_data(as_text=True)
    assert "友商" in html
    assert "/records/opportunity/" in client.get(f"/records/competitor/{comp.id}").get_data(as_text=True)
    client.post(f"/records/opportunity/{opp.id}/competitors/{comp.id}/delete")
    assert OpportunityCompetitor.select().count() == 0


def test_invisible_competitor_cannot_be_linked(school, as_user):
    set_sharing("competitor", "private")
    opp = make_opportunity(school["owner"])
    hidden = Competitor.create(name="秘密对手", owner=school["outsider"])
    client = as_user(school["owner"])
    assert "秘密对手" not in client.get(f"/records/opportunity/{opp.id}").get_data(as_text=True)
    client.post(f"/records/opportunity/{opp.id}/competitors", data={"competitor": hidden.id})
    assert OpportunityCompetitor.select().count() == 0


def test_pickers_on_their_own_pages_in_both_languages(school, as_user, products):
    """The detail page links to the add-line and link-competitor forms; their pages hold the pickers."""
    opp = make_opportunity(school["owner"])
    Competitor.create(name="友商", owner=school["owner"])
    for language, add, link in (("en", "Add line", "Link competitor"), ("zh-CN", "添加明细", "关联竞争对手")):
        client = as_user(school["owner"], language)
        html = client.get(f"/records/opportunity/{opp.id}").get_data(as_text=True)
        assert 'data-form="line"' not in html and 'data-form="competitor"' not in html
        assert f'data-action="add-line">{add}</a>' in html and f'data-action="link-competitor">{link}</a>' in html
        page = client.get(f"/records/opportunity/{opp.id}/lines").get_data(as_text=True)
        assert 'data-form="line"' in page and products[0].code in page and f"<title>{add}" in page
        page = client.get(f"/records/opportunity/{opp.id}/competitors").get_data(as_text=True)
        assert 'data-form="competitor"' in page and "友商" in page and f"<title>{link}" in page
    outsider = as_user(school["outsider"])
    assert outsider.get(f"/records/opportunity/{opp.id}/lines").status_code == 404
    assert outsider.get(f"/records/opportunity/{opp.id}/competitors").status_code == 404
