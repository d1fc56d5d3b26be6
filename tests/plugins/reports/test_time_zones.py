"""Reports bucket datetimes into the organisation's local months exactly, daylight saving included, on every
database: the reference is Python's own zone conversion of each record's instant."""
import collections
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from flask import g
from hypothesis import HealthCheck, given, settings, strategies as st

from core import clock
from core.models import Account, Organisation
from tests.plugins.reports.html import amount, report_table

ZONES = ("America/New_York", "Europe/London", "Australia/Sydney", "Asia/Shanghai", "America/Sao_Paulo")


@pytest.fixture
def admin(app, make_user, frozen_clock):
    # winter in the north (today's offset is not July's), after every instant below (records created after
    # now are not counted)
    frozen_clock(dt.datetime(2028, 1, 15, 12, 0, 0))
    return make_user("admin", admin=True)


@pytest.fixture
def admin_client(client, admin, login):
    return login(client, admin)


def set_zone(zone):
    Organisation.update(timezone=zone).where(Organisation.id == 1).execute()
    g.pop("org_profile", None)


def months_shown(client):
    _headers, rows, _totals = report_table(client.get("/reports/run/reports.new_accounts_per_month").get_data(
        as_text=True))
    # months between records are listed with 0: the reference lists months that hold records
    return {label: int(amount(count)) for label, count in rows if int(amount(count))}


def local_months(instants, zone):
    tz = ZoneInfo(zone)
    return dict(collections.Counter(f"{clock.to_local(t, tz):%Y-%m}" for t in instants))


def create_accounts(owner, instants):
    for i, at in enumerate(instants):
        Account.create(name=f"A{i}", owner=owner, created_at=at, modified_at=at)


def test_new_york_records_near_month_ends_fall_in_their_local_month(admin, admin_client):
    set_zone("America/New_York")
    instants = [dt.datetime(2026, 7, 1, 3, 30), dt.datetime(2026, 7, 1, 4, 30),     # 23:30 Jun 30, 00:30 Jul 1 EDT
                dt.datetime(2026, 6, 1, 4, 30), dt.datetime(2026, 3, 1, 4, 30),     # 00:30 Jun 1 EDT, 23:30 Feb 28 EST
                dt.datetime(2026, 11, 1, 4, 30), dt.datetime(2026, 12, 1, 4, 30)]   # 00:30 Nov 1 EDT, 23:30 Nov 30 EST
    create_accounts(admin, instants)
    assert months_shown(admin_client) == local_months(instants, "America/New_York") == {
        "2026-02": 1, "2026-06": 2, "2026-07": 1, "2026-11": 2}


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(zone=st.sampled_from(ZONES),
       instants=st.lists(st.datetimes(min_value=dt.datetime(2024, 1, 1), max_value=dt.datetime(2027, 12, 31))
                         .map(lambda t: t.replace(microsecond=0)), min_size=1, max_size=8))
def test_monthly_buckets_match_the_zone_for_any_instants(admin, admin_client, zone, instants):
    Account.delete().execute()
    set_zone(zone)
    create_accounts(admin, instants)
    assert months_shown(admin_client) == local_months(instants, zone)
