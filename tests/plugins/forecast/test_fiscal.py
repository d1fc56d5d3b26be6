"""The fiscal calendar: quarters follow the organisation's fiscal-year start month."""
import datetime as dt

import pytest

from plugins.forecast import fiscal
from plugins.forecast.fiscal import Quarter, quarter_of


def test_calendar_year_quarters():
    q = quarter_of(dt.date(2026, 5, 15), 1)
    assert (q.fiscal_year, q.number, q.start, q.end) == (2026, 2, dt.date(2026, 4, 1), dt.date(2026, 6, 30))
    assert q.key == "FY2026-Q2" and q.label == "FY2026 Q2"


@pytest.mark.parametrize("day, year, number", [
    (dt.date(2026, 3, 31), 2025, 4),   # last day of FY2025/26
    (dt.date(2026, 4, 1), 2026, 1),    # first day of FY2026/27
    (dt.date(2026, 6, 30), 2026, 1),
    (dt.date(2026, 7, 1), 2026, 2),
    (dt.date(2026, 12, 31), 2026, 3),
    (dt.date(2027, 1, 1), 2026, 4),
    (dt.date(2027, 3, 31), 2026, 4),
])
def test_fiscal_year_starting_in_april_quarter_edges(day, year, number):
    q = quarter_of(day, 4)
    assert (q.fiscal_year, q.number) == (year, number)
    assert q.start <= day <= q.end


def test_april_year_quarters_cover_the_year_without_gaps():
    quarters = fiscal.fiscal_year_quarters(2026, 4)
    assert quarters[0].start == dt.date(2026, 4, 1)
    assert quarters[-1].end == dt.date(2027, 3, 31)
    for a, b in zip(quarters, quarters[1:]):
        assert a.end + dt.timedelta(days=1) == b.start
    assert quarters[0].label == "FY2026/27 Q1"


def test_every_day_of_a_leap_year_falls_in_exactly_one_quarter():
    for start_month in range(1, 13):
        quarters = fiscal.fiscal_year_quarters(2027, start_month) + fiscal.fiscal_year_quarters(2028, start_month)
        day = quarters[0].start
        while day <= quarters[-1].end:
            assert sum(q.contains(day) for q in quarters) == 1
            assert quarter_of(day, start_month).contains(day)
            day += dt.timedelta(days=1)


def test_previous_and_next_cross_fiscal_years():
    q = Quarter(2026, 1, 4)
    assert q.previous() == Quarter(2025, 4, 4)
    assert q.previous().next() == q
    assert Quarter(2026, 4, 10).next() == Quarter(2027, 1, 10)
    assert Quarter(2026, 4, 10).end == dt.date(2027, 9, 30)


def test_parse_accepts_keys_and_refuses_garbage():
    assert fiscal.parse("FY2026-Q3", 4) == Quarter(2026, 3, 4)
    for bad in ("", None, "2026Q1", "FY2026-Q5", "FY26-Q1", "FY2026-Q1; drop"):
        assert fiscal.parse(bad, 4) is None


def test_invalid_start_month_is_refused():
    with pytest.raises(ValueError):
        quarter_of(dt.date(2026, 1, 1), 13)
    with pytest.raises(ValueError):
        Quarter(2026, 0, 1)


def test_quarter_starting_only_on_first_days():
    assert fiscal.quarter_starting(dt.date(2026, 7, 1), 4) == Quarter(2026, 2, 4)
    assert fiscal.quarter_starting(dt.date(2026, 7, 2), 4) is None


def test_current_quarter_follows_organisation_and_clock(fc_app, frozen_clock):
    from tests.plugins.forecast.conftest import set_start_month
    frozen_clock(dt.datetime(2026, 3, 31, 17, 0))  # 01:00 on 1 April in Shanghai
    set_start_month(4)
    assert fiscal.current_quarter() == Quarter(2026, 1, 4)
    set_start_month(1)
    assert fiscal.current_quarter() == Quarter(2026, 2, 1)
