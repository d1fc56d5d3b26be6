"""The report charts as drawn (parsed SVG): value axes from 0, whole ticks for counts, every month and none
after today, and no funnel that widens."""
import datetime as dt
import decimal

from core import charts, clock
from tests.plugins.reports.conftest import stage
from tests.svg import axis_labels, charts as page_charts, value_labels

from core.models import Opportunity, SalesStage


def chart_of(client, report_id):
    html = client.get(f"/reports/run/{report_id}").get_data(as_text=True)
    [svg] = page_charts(html)
    return svg


def test_won_revenue_by_month_draws_every_month_up_to_today_and_none_after(client, login, world):
    won = stage("Closed Won")
    Opportunity.create(name="booked ahead", owner=world.ann, amount=decimal.Decimal("500"), stage=won,
                       probability=100, close_date=dt.date(2026, 8, 3))
    login(client, world.admin)
    svg = chart_of(client, "reports.won_by_month")
    first = min(o.close_date for o in Opportunity.select().where(Opportunity.stage == won))
    expected = [f"{m:%Y-%m}" for m in charts.months(first, clock.today())]
    assert axis_labels(svg, "x") == expected
    assert value_labels(svg)[0] == "0"


def test_a_count_chart_has_whole_ticks_from_zero(client, login, world):
    login(client, world.admin)
    ticks = value_labels(chart_of(client, "reports.new_accounts_per_month"))
    assert ticks[0] == "0"
    assert all(t.isdigit() for t in ticks), ticks
    assert axis_labels(chart_of(client, "reports.new_accounts_per_month"), "x") == ["2026-01", "2026-02", "2026-03"]


def test_pipeline_by_stage_is_drawn_as_bars_in_stage_order_not_a_widening_funnel(client, login, world):
    login(client, world.admin)
    svg = chart_of(client, "reports.pipeline_by_stage")
    open_stages = [s.name for s in SalesStage.select().order_by(SalesStage.order) if not (s.is_won or s.is_lost)]
    assert sorted(axis_labels(svg, "y")) == sorted(open_stages)
    assert value_labels(svg)[0] == "0"
    assert not any("funnel" in (g.get("class") or "") for g in svg.iter())
