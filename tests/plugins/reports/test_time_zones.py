"""Reports bucket datetimes into the organisation's local months exactly, daylight saving included, on every
database: the reference is Python's own zone conversion of each record's instant."""
import collections
import csv
import datetime as dt
import io
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


def builder_months(client, unit):
    """The builder's accounts grouped by month (or ``unit``) of creation, as {label: count} from its CSV."""
    response = client.post("/reports/builder/", data={
        "type": "account", "action": "save", "name": f"New accounts by {unit}", "chart": "",
        "group_field_0": "created_at", "group_unit_0": unit, "agg_func_0": "count"})
    assert response.status_code == 302, response.data[:400]
    rows = list(csv.reader(io.StringIO(client.get(response.headers["Location"] + "?format=csv")
                                       .get_data(as_text=True).lstrip("\ufeff"))))
    return {label: int(count) for label, count in rows[1:-1]}


def test_changing_the_time_zone_moves_records_across_a_month_boundary(admin, admin_client):
    # stored before the change, in Shanghai (UTC+8): 02:00 UTC on 1 July is 10:00 on 1 July there and
    # 22:00 on 30 June in New York; 20:00 UTC on 31 July is 04:00 on 1 August there, 16:00 on 31 July here
    set_zone("Asia/Shanghai")
    create_accounts(admin, [dt.datetime(2026, 7, 1, 2, 0), dt.datetime(2026, 7, 31, 20, 0)])
    assert months_shown(admin_client) == {"2026-07": 1, "2026-08": 1}
    assert builder_months(admin_client, "month") == {"2026-07": 1, "2026-08": 1}
    response = admin_client.post("/admin/organisation", data={
        "name": "智欣中学", "currency": "CNY", "fiscal_year_start": "1", "timezone": "America/New_York",
        "default_language": "en"})
    assert response.status_code == 302
    assert months_shown(admin_client) == {"2026-06": 1, "2026-07": 1}
    assert builder_months(admin_client, "month") == {"2026-06": 1, "2026-07": 1}
    assert builder_months(admin_client, "day") == {"2026-06-30": 1, "2026-07-31": 1}
    # a record written after the change takes the new zone's date (this test's own context forgets the profile
    # it read, as a new request does)
    g.pop("org_profile", None)
    create_accounts(admin, [dt.datetime(2026, 8, 1, 3, 0)])                 # 23:00 on 31 July in New York
    assert months_shown(admin_client) == {"2026-06": 1, "2026-07": 2}
