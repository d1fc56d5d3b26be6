"""The service report's charts as drawn: counts on whole ticks from 0, the fiscal year's months up to
today's and none after."""
import datetime as dt

from core import charts, clock, fiscal
from tests.plugins.service.test_report import local
from tests.svg import axis_labels, charts as page_charts, value_labels


def test_monthly_counts_are_drawn_on_whole_ticks_up_to_this_month(app, client, login, team, make_item,
                                                                  frozen_clock):
    frozen_clock(dt.datetime(2026, 6, 10))
    make_item("feedback", team["owner"], received_at=local(2026, 2, 3, 9, 0))
    login(client, team["owner"])
    page = client.get("/service/report?fy=2026")
    assert page.status_code == 200, page.location
    html = page.get_data(as_text=True)
    assert "<figure" in html, html[-3000:]
    monthly = page_charts(html)[0]
    year = fiscal.year_of(clock.today())
    assert axis_labels(monthly, "x") == [f"{m:%Y-%m}" for m in charts.months(year.start, clock.today())]
    ticks = value_labels(monthly)
    assert ticks[0] == "0" and all(t.isdigit() for t in ticks), ticks
