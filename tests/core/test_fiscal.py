"""The organisation's fiscal calendar (core.fiscal): years, quarters and months at their boundaries, in the
organisation's time zone, and one label for a quarter on every page."""
import datetime as dt
from decimal import Decimal

import pytest
from flask import g
from flask_babel import force_locale

from core import fiscal
from core.fiscal import FiscalYear, Month, Quarter, add_months, month_of, quarter_of, year_of
from core.models import Opportunity, Organisation, SalesStage


def set_org(**fields):
    Organisation.update(**fields).where(Organisation.id == 1).execute()
    g.pop("org_profile", None)


# --- pure calendar -------------------------------------------------------------------------------------

def test_calendar_year_quarters():
    q = quarter_of(dt.date(2026, 5, 15), 1)
    assert (q.fiscal_year, q.number, q.start, q.end) == (2026, 2, dt.date(2026, 4, 1), dt.date(2026, 6, 30))
    assert q.key == "FY2026-Q2" and q.label == "FY2026 Q2"


@pytest.mark.parametrize("start_month, day, year, number", [
    (1, dt.date(2026, 12, 31), 2026, 4),
    (1, dt.date(2027, 1, 1), 2027, 1),
    (1, dt.date(2027, 3, 31), 2027, 1),
    (1, dt.date(2027, 4, 1), 2027, 2),
    (4, dt.date(2026, 3, 31), 2025, 4),   # last day of FY2025/26
    (4, dt.date(2026, 4, 1), 2026, 1),    # first day of FY2026/27
    (4, dt.date(2026, 12, 31), 2026, 3),
    (4, dt.date(2027, 1, 1), 2026, 4),
    (10, dt.date(2026, 9, 30), 2025, 4),
    (10, dt.date(2026, 10, 1), 2026, 1),
    (10, dt.date(2026, 12, 31), 2026, 1),
    (10, dt.date(2027, 1, 1), 2026, 2),
    (10, dt.date(2027, 3, 31), 2026, 2),
    (10, dt.date(2027, 4, 1), 2026, 3),
])
def test_a_day_falls_in_the_fiscal_quarter_of_its_start_month(start_month, day, year, number):
    q = quarter_of(day, start_month)
    assert (q.fiscal_year, q.number) == (year, number)
    assert q.start <= day <= q.end and q.contains(day)
    assert year_of(day, start_month) == FiscalYear(year, start_month)
    assert month_of(day, start_month).quarter == q


def test_fiscal_year_ranges_for_january_april_and_october_starts():
    assert (FiscalYear(2026, 1).start, FiscalYear(2026, 1).end) == (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert (FiscalYear(2026, 4).start, FiscalYear(2026, 4).end) == (dt.date(2026, 4, 1), dt.date(2027, 3, 31))
    assert (FiscalYear(2026, 10).start, FiscalYear(2026, 10).after) == (dt.date(2026, 10, 1), dt.date(2027, 10, 1))


def test_fiscal_months_number_from_the_start_month():
    m = month_of(dt.date(2027, 1, 15), 10)
    assert (m.fiscal_year, m.number, m.start, m.end) == (2026, 4, dt.date(2027, 1, 1), dt.date(2027, 1, 31))
    assert Month(2026, 12, 4).end == dt.date(2027, 3, 31)
    assert Month(2026, 12, 4).next() == Month(2027, 1, 4)
    assert Month(2027, 1, 4).previous() == Month(2026, 12, 4)
    assert Month(2026, 1, 1).previous() == Month(2025, 12, 1)


def test_april_year_quarters_cover_the_year_without_gaps():
    quarters = fiscal.fiscal_year_quarters(2026, 4)
    assert quarters[0].start == dt.date(2026, 4, 1)
    assert quarters[-1].end == dt.date(2027, 3, 31)
    for a, b in zip(quarters, quarters[1:]):
        assert a.end + dt.timedelta(days=1) == b.start == a.after
    assert quarters[0].label == "FY2026/27 Q1"


def test_every_day_of_a_leap_year_falls_in_exactly_one_quarter_and_month():
    for start_month in range(1, 13):
        quarters = fiscal.fiscal_year_quarters(2027, start_month) + fiscal.fiscal_year_quarters(2028, start_month)
        day = quarters[0].start
        while day <= quarters[-1].end:
            assert sum(q.contains(day) for q in quarters) == 1
            assert quarter_of(day, start_month).contains(day)
            assert month_of(day, start_month).start <= day <= month_of(day, start_month).end
            day += dt.timedelta(days=1)


def test_previous_and_next_cross_fiscal_years():
    q = Quarter(2026, 1, 4)
    assert q.previous() == Quarter(2025, 4, 4)
    assert q.previous().next() == q
    assert Quarter(2026, 4, 10).next() == Quarter(2027, 1, 10)
    assert Quarter(2026, 4, 10).end == dt.date(2027, 9, 30)
    assert Quarter(2026, 4, 1).next().start == dt.date(2027, 1, 1)
    assert FiscalYear(2026, 4).previous() == FiscalYear(2025, 4)
    assert FiscalYear(2026, 4).next().start == FiscalYear(2026, 4).after


def test_add_months_goes_to_the_first_of_the_month_across_years():
    assert add_months(dt.date(2026, 12, 31), 1) == dt.date(2027, 1, 1)
    assert add_months(dt.date(2026, 1, 31), -1) == dt.date(2025, 12, 1)
    assert add_months(dt.date(2026, 3, 15), -15) == dt.date(2024, 12, 1)
    assert add_months(dt.date(2026, 3, 15), 0) == dt.date(2026, 3, 1)
    assert add_months(dt.date(2026, 3, 15), 24) == dt.date(2028, 3, 1)


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


# --- labels -------------------------------------------------------------------------------------------

def test_labels_name_both_calendar_years_only_when_the_fiscal_year_spans_two(app):
    with force_locale("en"):
        assert [str(Quarter(2026, 1, 1)), str(Quarter(2026, 1, 4)), str(Quarter(2099, 4, 10))] == [
            "FY2026 Q1", "FY2026/27 Q1", "FY2099/00 Q4"]
        assert (FiscalYear(2026, 1).label, FiscalYear(2026, 4).label) == ("FY2026", "FY2026/27")
    with force_locale("zh"):
        assert (Quarter(2026, 1, 1).label, Quarter(2026, 1, 4).label) == ("2026财年第1季度", "2026/27财年第1季度")
        assert (FiscalYear(2026, 1).label, FiscalYear(2026, 4).label) == ("2026财年", "2026/27财年")


# --- the organisation's time zone and start month -------------------------------------------------------

@pytest.mark.parametrize("zone, before, after", [
    # 31 Dec / 1 Jan: Shanghai is UTC+8 all year, New York UTC-5 (standard time)
    ("Asia/Shanghai", dt.datetime(2026, 12, 31, 15, 59, 59), dt.datetime(2026, 12, 31, 16, 0, 0)),
    ("America/New_York", dt.datetime(2027, 1, 1, 4, 59, 59), dt.datetime(2027, 1, 1, 5, 0, 0)),
])
def test_new_year_midnight_is_taken_in_the_organisation_time_zone(app, frozen_clock, zone, before, after):
    set_org(timezone=zone, fiscal_year_start=1)
    assert quarter_of(before) == Quarter(2026, 4, 1) and year_of(before) == FiscalYear(2026, 1)
    assert quarter_of(after) == Quarter(2027, 1, 1) and year_of(after) == FiscalYear(2027, 1)
    frozen_clock(before)
    assert fiscal.current_quarter() == Quarter(2026, 4, 1)
    frozen_clock(after)
    assert fiscal.current_quarter() == Quarter(2027, 1, 1) and fiscal.current_year() == FiscalYear(2027, 1)


@pytest.mark.parametrize("zone, before, after", [
    ("Asia/Shanghai", dt.datetime(2027, 3, 31, 15, 59, 59), dt.datetime(2027, 3, 31, 16, 0, 0)),
    # New York is on daylight-saving time (UTC-4) by 31 March: the standard-time offset would be an hour off
    ("America/New_York", dt.datetime(2027, 4, 1, 3, 59, 59), dt.datetime(2027, 4, 1, 4, 0, 0)),
])
def test_april_fiscal_year_turns_at_local_midnight(app, frozen_clock, zone, before, after):
    set_org(timezone=zone, fiscal_year_start=4)
    assert quarter_of(before) == Quarter(2026, 4, 4) and year_of(before) == FiscalYear(2026, 4)
    assert quarter_of(after) == Quarter(2027, 1, 4) and year_of(after) == FiscalYear(2027, 4)
    assert month_of(before) == Month(2026, 12, 4) and month_of(after) == Month(2027, 1, 4)
    frozen_clock(before)
    assert fiscal.current_quarter() == Quarter(2026, 4, 4)
    frozen_clock(after)
    assert fiscal.current_quarter() == Quarter(2027, 1, 4)


def test_an_aware_datetime_is_moved_into_the_organisation_zone(app):
    set_org(timezone="America/New_York", fiscal_year_start=1)
    shanghai_new_year = dt.datetime(2027, 1, 1, 0, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    assert quarter_of(shanghai_new_year) == Quarter(2026, 4, 1)        # still 31 Dec in New York
    assert quarter_of(dt.date(2027, 1, 1)) == Quarter(2027, 1, 1)       # a date is taken as it is


def test_calendar_follows_the_organisation_start_month(app):
    set_org(fiscal_year_start=10)
    assert fiscal.start_month() == 10
    assert quarter_of(dt.date(2026, 10, 1)) == Quarter(2026, 1, 10)
    set_org(fiscal_year_start=0)                                         # unset or invalid: January
    assert fiscal.start_month() == 1


# --- one label on every page --------------------------------------------------------------------------

@pytest.fixture
def sales_app(make_app):
    app = make_app(plugins=["forecast", "reports"])
    with app.app_context():
        yield app


@pytest.fixture
def seller(sales_app, positions, make_user, frozen_clock):
    frozen_clock(dt.datetime(2026, 5, 15, 2, 0, 0))
    set_org(fiscal_year_start=4, timezone="Asia/Shanghai")
    user = make_user("ann", positions["sales_a"], language="en")
    won = SalesStage.get(SalesStage.name == "Closed Won")
    Opportunity.create(name="Won deal", owner=user.id, amount=Decimal("1000"), stage=won.id,
                       close_date=dt.date(2026, 5, 10), probability=100)   # won: on or before today
    yield sales_app, user


def test_forecast_and_reports_pages_name_the_quarter_alike(seller, login):
    app, user = seller
    client = login(app.test_client(), user)
    forecast = client.get("/forecast/my").get_data(as_text=True)
    report = client.get("/reports/run/reports.won_by_quarter").get_data(as_text=True)
    assert "FY2026/27 Q1" in forecast and "FY2026/27 Q1" in report
    assert "FY2026 Q1" not in report
    user.language = "zh"
    user.save()
    forecast = client.get("/forecast/my").get_data(as_text=True)
    report = client.get("/reports/run/reports.won_by_quarter").get_data(as_text=True)
    assert "2026/27财年第1季度" in forecast and "2026/27财年第1季度" in report
