"""The report builder: grouping, sub-totals, relative dates, a plugin's record type, and hostile input."""
import csv
import datetime as dt
import decimal
import io

import pytest

from core.db import db
from core.models import Account
from plugins.reports.models import SavedReport
from tests.plugins.reports import visitplugin

D = decimal.Decimal


def form(**fields):
    data = {"type": "opportunity", "chart": "bar", "action": "preview"}
    data.update(fields)
    return data


def csv_rows(resp):
    assert resp.status_code == 200, resp.data[:400]
    return list(csv.reader(io.StringIO(resp.data.decode("utf-8-sig"))))


def save(client, **fields):
    resp = client.post("/reports/builder/", data=form(action="save", **fields))
    assert resp.status_code == 302, resp.data[:400]
    return SavedReport.select().order_by(SavedReport.id.desc()).first()


def test_grouped_report_with_two_groups_has_subtotals_and_totals(client, login, world):
    login(client, world.admin)
    report = save(client, name="Won by owner and month", group_field_0="owner", group_field_1="close_date",
                  group_unit_1="quarter", agg_func_0="count", agg_func_1="sum", agg_field_1="amount",
                  filter_field_0="stage", filter_op_0="in",
                  filter_value_0=",".join(str(s) for s in _won_ids()), chart="stacked")
    rows = csv_rows(client.get(f"/reports/saved/{report.id}?format=csv"))
    assert rows[0] == ["Owner", "Close date", "Count", "Sum: Amount"]
    body = [r for r in rows[1:-1]]
    assert ["Ann", "FY2026 Q1", "1", "1000.00"] in body
    assert ["Ann", "FY2026 Q2", "1", "3000.00"] in body
    assert ["Ann", "Sub-total", "2", "4000.00"] in body
    assert rows[-1] == ["Total", "", "4", "18000.00"]
    page = client.get(f"/reports/saved/{report.id}")
    assert b"<svg" in page.data and b"/reports/drill/opportunity/" in page.data


def _won_ids():
    from core.models import SalesStage
    return [s.id for s in SalesStage.select().where(SalesStage.is_won == True)]  # noqa: E712


def test_relative_period_filter_this_fiscal_quarter(client, login, world):
    login(client, world.admin)
    report = save(client, name="Closing this quarter", group_field_0="owner", agg_func_0="sum",
                  agg_field_0="amount", filter_field_0="close_date", filter_op_0="period",
                  filter_value_0="this_quarter")
    rows = csv_rows(client.get(f"/reports/saved/{report.id}?format=csv"))
    # Q2 2026 (Apr–Jun): o2 3000 + o3 500 + o4 2000 (ann), o5 4000 + o6 6000 (amy), o9 700 (bob)
    assert {r[0]: r[1] for r in rows[1:-1]} == {"Ann": "5500.00", "Amy": "10000.00", "Bob": "700.00"}


def test_date_grouping_by_month_uses_local_time(client, login, world):
    login(client, world.admin)
    report = save(client, name="Accounts per month", type="account", group_field_0="created_at",
                  group_unit_0="month", agg_func_0="count")
    rows = csv_rows(client.get(f"/reports/saved/{report.id}?format=csv"))
    assert rows[1:-1] == [["2026-01", "1"], ["2026-02", "3"], ["2026-03", "1"]]


def test_list_report_without_grouping_shows_records_and_sql_totals(client, login, world):
    login(client, world.ann)
    report = save(client, name="My opportunities", columns=["name", "amount"], sort="amount", desc="1")
    rows = csv_rows(client.get(f"/reports/saved/{report.id}?format=csv"))
    assert [r[0] for r in rows[1:-1]] == ["O2 ann won", "O4 ann open", "O1 ann won", "O3 ann lost"]
    assert rows[-1] == ["Total: 4", "6500.00"]


def test_drill_down_lists_the_matching_visible_records(client, login, world):
    login(client, world.manager)
    resp = client.get(f"/reports/drill/opportunity/?f=owner:eq:{world.ann.id}&f=close_date:gte:2026-04-01")
    assert resp.status_code == 200
    assert b"O2 ann won" in resp.data and b"O4 ann open" in resp.data and b"O1 ann won" not in resp.data
    login(client, world.bob)
    resp = client.get(f"/reports/drill/opportunity/?f=owner:eq:{world.ann.id}")
    assert b"O2 ann won" not in resp.data


@pytest.mark.parametrize("field", [
    "amount; DROP TABLE account", "owner) OR (1=1", "password_hash", "__class__", "id--", "", "name\x00"])
def test_field_names_outside_the_whitelist_are_refused(client, login, world, field):
    login(client, world.admin)
    for data in (form(filter_field_0=field, filter_op_0="eq", filter_value_0="1") if field else None,
                 form(group_field_0=field, agg_func_0="count") if field else None,
                 form(agg_func_0="sum", agg_field_0=field),
                 form(columns=[field]) if field else None):
        if data is None:
            continue
        assert client.post("/reports/builder/", data=data).status_code == 400
    if field:
        assert client.get(f"/reports/drill/opportunity/?f={field}:eq:1").status_code == 400


@pytest.mark.parametrize("data", [
    form(type="user"), form(type="account; DROP TABLE account"),
    form(filter_field_0="amount", filter_op_0="eq; DROP", filter_value_0="1"),
    form(filter_field_0="amount", filter_op_0="gt", filter_value_0="1 OR 1=1"),
    form(filter_field_0="close_date", filter_op_0="period", filter_value_0="forever"),
    form(group_field_0="owner", agg_func_0="count", sort="a0; DROP TABLE account"),
    form(agg_func_0="median", agg_field_0="amount"), form(agg_func_0="sum", agg_field_0="name"),
    form(chart="<script>"), form(group_field_0="close_date", group_unit_0="century", agg_func_0="count"),
])
def test_hostile_builder_input_is_a_400(client, login, world, data):
    login(client, world.admin)
    assert client.post("/reports/builder/", data=data).status_code == 400


def test_values_are_bound_parameters_never_sql(client, login, world):
    login(client, world.admin)
    hostile = "x' OR '1'='1'; DROP TABLE account; --"
    resp = client.post("/reports/builder/", data=form(filter_field_0="name", filter_op_0="eq",
                                                     filter_value_0=hostile, columns=["name"]))
    assert resp.status_code == 200
    assert b"No records match this report" in resp.data
    assert Account.select().count() == 5
    resp = client.get("/reports/drill/account/?f=name:contains:%27%20OR%201=1%20--")
    assert resp.status_code == 200 and b"Acme" not in resp.data


def test_script_in_data_is_escaped_in_table_and_chart(client, login, world):
    Account.update(industry="<script>alert(1)</script>").where(Account.id == world.acme.id).execute()
    login(client, world.admin)
    resp = client.get("/reports/run/reports.accounts_by_industry")
    assert b"<script>alert(1)" not in resp.data
    assert b"&lt;script&gt;alert(1)" in resp.data
    svg = client.get("/reports/run/reports.accounts_by_industry?format=svg")
    assert svg.mimetype == "image/svg+xml" and b"<script>alert(1)" not in svg.data


def test_csv_cells_that_look_like_formulas_are_quoted(client, login, world):
    Account.update(industry="=HYPERLINK(1)").where(Account.id == world.acme.id).execute()
    login(client, world.admin)
    rows = csv_rows(client.get("/reports/run/reports.accounts_by_industry?format=csv"))
    assert ["'=HYPERLINK(1)", "1"] in rows


@pytest.fixture
def visit_app(make_app):
    app = make_app(extra_plugins=[visitplugin], plugins=["reports", "visittest"])
    with app.app_context():
        db.create_tables([visitplugin.Visit])
        yield app
        db.drop_tables([visitplugin.Visit])


def test_builder_covers_a_plugin_contributed_record_type(visit_app, make_user, login, frozen_clock):
    client = visit_app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    sam, tom = make_user("sam"), make_user("tom")
    Visit = visitplugin.Visit
    for owner, place, minutes in [(sam, "North", 30), (sam, "North", 15), (sam, "South", 60), (tom, "North", 99)]:
        Visit.create(owner=owner, place=place, minutes=minutes, visited_on=dt.date(2026, 5, 1))
    login(client, sam)
    page = client.get("/reports/builder/?type=visit")
    assert page.status_code == 200 and b'value="minutes"' in page.data
    resp = client.post("/reports/builder/", data={
        "type": "visit", "action": "save", "name": "Visits by place", "chart": "pie", "group_field_0": "place",
        "agg_func_0": "count", "agg_func_1": "sum", "agg_field_1": "minutes"})
    assert resp.status_code == 302
    report = SavedReport.get(SavedReport.name == "Visits by place")
    rows = csv_rows(client.get(f"/reports/saved/{report.id}?format=csv"))
    assert rows[1:] == [["North", "2", "45"], ["South", "1", "60"], ["Total", "3", "105"]]
    # the plugin's own report shows in the service family
    family = client.get("/reports/family/service")
    assert b"Visits I can see" in family.data
    assert client.get("/reports/run/visittest.visits?format=csv").data.decode("utf-8-sig").splitlines()[1] == \
        "Visits,3"


@pytest.mark.parametrize("unit,expected", [
    ("day", [["2026-01-10", "1"], ["2026-02-01", "1"], ["2026-02-03", "1"], ["2026-02-20", "1"],
             ["2026-03-01", "1"]]),
    # weeks start on Monday; Edge (1 February 01:00 in Shanghai, a Sunday) belongs to the week of 26 January
    ("week", [["2026-01-05", "1"], ["2026-01-26", "1"], ["2026-02-02", "1"], ["2026-02-16", "1"],
              ["2026-02-23", "1"]]),
    ("quarter", [["FY2026 Q1", "5"]]),
    ("fiscal_year", [["FY2026", "5"]]),
])
def test_date_units_bucket_the_same_on_every_backend(client, login, world, unit, expected):
    login(client, world.admin)
    report = save(client, name=f"Accounts by {unit}", type="account", group_field_0="created_at",
                  group_unit_0=unit, agg_func_0="count")
    rows = csv_rows(client.get(f"/reports/saved/{report.id}?format=csv"))
    assert rows[1:-1] == expected
