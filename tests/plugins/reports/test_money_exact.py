"""Money in report SQL is exact on every database: whole amounts times a probability keep their cents."""
import datetime as dt
import decimal

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from core.models import Opportunity, SalesStage
from tests.plugins.reports.html import amount, report_table

D = decimal.Decimal
CENT = D("0.01")


def open_stage(name="Proposal"):
    return SalesStage.get(SalesStage.name == name)


@pytest.fixture
def admin(app, make_user):
    return make_user("admin", admin=True)


def weighted_cell(client):
    headers, rows, totals = report_table(client.get("/reports/run/reports.pipeline_by_stage").get_data(as_text=True))
    column = headers.index("Weighted amount")
    return {r[0]: amount(r[column]) for r in rows}, amount(totals[column])


def test_pipeline_by_stage_keeps_the_cents_of_a_whole_amount_times_a_probability(client, admin, login):
    stage = open_stage()
    Opportunity.create(name="Whole", owner=admin, amount=D("5037"), stage=stage, probability=40,
                       close_date=dt.date(2026, 6, 1))
    by_stage, total = weighted_cell(login(client, admin))
    assert by_stage["Proposal"] == total == (D("5037") * 40 / 100).quantize(CENT)    # 2,014.80, not 2,014.00


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(0, 10 ** 9), st.booleans(), st.integers(0, 100)), min_size=1, max_size=6))
def test_weighted_amounts_are_the_sum_of_each_deals_amount_times_probability_to_the_cent(client, admin, login,
                                                                                         deals):
    Opportunity.delete().execute()
    stage = open_stage()
    for cents, whole, probability in deals:
        Opportunity.create(name="Deal", owner=admin, amount=D(cents // 100) if whole else D(cents) / 100,
                           stage=stage, probability=probability, close_date=dt.date(2026, 6, 1))
    reference = sum(((o.amount * o.probability / 100).quantize(CENT, decimal.ROUND_HALF_UP)
                     for o in Opportunity.select()), D(0))
    by_stage, total = weighted_cell(login(client, admin))
    assert by_stage["Proposal"] == total == reference
