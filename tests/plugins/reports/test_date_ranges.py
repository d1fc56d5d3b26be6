"""Date buckets looked up as ranges (``dates.bucket``) give every stored value the key the per-row
conversion (``dates.per_row_bucket``) gives it — around America/New_York's daylight-saving changes, at
fiscal-year edges, outside the window around today — on the database under test."""
import datetime as dt

import pytest
from flask import g
from hypothesis import HealthCheck, given, settings, strategies as st

from core import clock
from core.models import Account, Opportunity, Organisation, SalesStage
from plugins.reports import dates

ZONE = "America/New_York"


@pytest.fixture
def owner(app, make_user, frozen_clock):
    frozen_clock(dt.datetime(2026, 5, 15, 2, 0, 0))
    Organisation.update(timezone=ZONE).where(Organisation.id == 1).execute()
    g.pop("org_profile", None)
    return make_user("owner", admin=True)


def _changes_near_now():
    return [at for at, _offset in dates.offset_changes(ZONE) if dt.datetime(2016, 1, 1) <= at < dt.datetime(2032, 1, 1)]


def _fiscal_edges():
    """The UTC instants of New York's local midnights that start a month (any month can start a fiscal year)."""
    out = []
    for year in (2016, 2020, 2025, 2026, 2027, 2031):
        for month in range(1, 13):
            out.append(clock.to_utc(dt.datetime(year, month, 1), clock.org_timezone()))
    return out


near_change = st.builds(lambda at, seconds: at + dt.timedelta(seconds=seconds),
                        st.sampled_from(_changes_near_now()), st.integers(-7200, 7200))
near_edge = st.builds(lambda at, seconds: at + dt.timedelta(seconds=seconds),
                      st.sampled_from(_fiscal_edges()), st.integers(-90000, 90000))
anywhere = st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2060, 12, 31))
instants = st.one_of(near_change, near_edge, anywhere).map(lambda t: t.replace(microsecond=0))


def keys(column, unit, is_datetime, fiscal_month):
    """(range key, per-row key) of every account, by id."""
    new = dates.bucket(column, unit, is_datetime=is_datetime, fiscal_month=fiscal_month)
    old = dates.per_row_bucket(column, unit, is_datetime=is_datetime, fiscal_month=fiscal_month)
    rows = Account.select(Account.id, new.alias("new"), old.alias("old")).order_by(Account.id).tuples()
    return [(str(a), str(b)) for _id, a, b in rows]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.lists(instants, min_size=1, max_size=12), fiscal_month=st.integers(1, 12))
def test_range_buckets_equal_the_per_row_expression(owner, values, fiscal_month):
    Account.delete().execute()
    for i, at in enumerate(values):
        Account.create(name=f"A{i}", owner=owner, created_at=at, modified_at=at)
    for unit in dates.UNITS:
        for new, old in keys(Account.created_at, unit, True, fiscal_month):
            assert new == old, (unit, fiscal_month, values)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(days=st.lists(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2060, 12, 31)), min_size=1,
                     max_size=12), fiscal_month=st.integers(1, 12))
def test_range_buckets_of_a_date_column_equal_the_per_row_expression(owner, days, fiscal_month):
    Opportunity.delete().execute()
    stage = SalesStage.select().first()
    for i, day in enumerate(days):
        Opportunity.create(name=f"O{i}", owner=owner, stage=stage, amount=1, close_date=day)
    for unit in dates.UNITS:
        new = dates.bucket(Opportunity.close_date, unit, fiscal_month=fiscal_month)
        old = dates.per_row_bucket(Opportunity.close_date, unit, fiscal_month=fiscal_month)
        for a, b in Opportunity.select(new, old).tuples():
            assert str(a) == str(b), (unit, fiscal_month, days)


def test_the_window_follows_the_zone_and_the_fiscal_start(owner):
    pieces, _end = dates.segments("month", True, ZONE, 1, dt.date(2026, 5, 15))
    july = dict((key, at) for at, key in pieces)[202607]
    assert july == dt.datetime(2026, 7, 1, 4, 0)                       # local midnight, EDT
    shanghai = dict((key, at) for at, key in dates.segments("month", True, "Asia/Shanghai", 1,
                                                             dt.date(2026, 5, 15))[0])[202607]
    assert shanghai == dt.datetime(2026, 6, 30, 16, 0)
    april_quarters = dict((key, at) for at, key in dates.segments("quarter", False, "UTC", 4, dt.date(2026, 5, 15))[0])
    assert april_quarters[20261] == dt.date(2026, 4, 1)


def test_a_missing_date_has_no_bucket_as_before(owner):
    Opportunity.delete().execute()
    stage = SalesStage.select().first()
    Opportunity.create(name="open", owner=owner, stage=stage, amount=1, close_date=dt.date(2026, 6, 1))
    Opportunity.create(name="closed", owner=owner, stage=stage, amount=1, close_date=dt.date(2026, 6, 1),
                       closed_at=dt.datetime(2026, 3, 8, 6, 59, 59))      # 01:59:59 EST, a second before DST
    for unit in dates.UNITS:
        new = dates.bucket(Opportunity.closed_at, unit, is_datetime=True)
        old = dates.per_row_bucket(Opportunity.closed_at, unit, is_datetime=True)
        got = {name: (a, b) for name, a, b in Opportunity.select(Opportunity.name, new, old).tuples()}
        assert got["open"] == (None, None)
        assert str(got["closed"][0]) == str(got["closed"][1])
    month = dates.bucket(Opportunity.closed_at, "month", is_datetime=True)
    assert {int(k) for (k,) in Opportunity.select(month).where(Opportunity.name == "closed").tuples()} == {202603}
