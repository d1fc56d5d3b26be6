"""What the forecast shows adds up as shown: the arithmetic page's lines sum to its header."""
import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal

from hypothesis import HealthCheck, given, settings, strategies as st

from core.models import Opportunity
from plugins.forecast import services
from tests.plugins.forecast.test_views import KEY, Q2
from tests.plugins.reports.html import amount

CENT = Decimal("0.01")


def spans(html, attribute):
    return [amount(text) for text in re.findall(rf"<span {attribute}>([^<]*)</span>", html)]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(1, 10 ** 8), st.integers(1, 99)), min_size=1, max_size=8),
       st.integers(0, 10 ** 7))
def test_expected_total_lines_sum_to_the_weighted_figure_shown(school, opp, fc_client, login, frozen_clock,
                                                               deals, won_cents):
    frozen_clock(dt.datetime(2026, 5, 15, 2, 0))
    Opportunity.delete().execute()
    alice = school["alice"]
    opp(alice, Decimal(won_cents) / 100, "Closed Won")
    for cents, probability in deals:
        opp(alice, Decimal(cents) / 100, "Proposal", probability=probability)
    html = login(fc_client, alice).get(
        f"/forecast/figure?figure=expected&scope=user&id={alice.id}&quarter={KEY}").get_data(as_text=True)
    lines, (weighted,) = spans(html, "data-weighted-line"), spans(html, "data-weighted")
    assert len(lines) == len(deals)
    assert sum(lines) == weighted
    expected = services.user_figures(alice, alice, Q2).expected
    assert sum(lines) == sum((Decimal(c) / 100 * p / 100).quantize(CENT, ROUND_HALF_UP) for c, p in deals)
    assert Decimal(won_cents) / 100 + weighted == expected
