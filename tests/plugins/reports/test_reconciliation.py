"""Reconciliation: every figure shown both on a module page and in a report is the same number, and the same
as the sum over the records the viewer may see (the tree rule in Python), on generated organisations, for
the teacher, a department head, a salesperson below them and that salesperson's peer. Every report's totals
row is the sum of its shown rows where the column adds up."""
import datetime as dt
import re

import pytest
from hypothesis import HealthCheck, Phase, given, settings, strategies as st

from tests.plugins.reports import reconcile as R
from tests.plugins.reports.html import amount, parse, report_table

# no shrinking phase: shrinking a failing organisation took over five minutes (the failing example is printed)
SETTINGS = settings(max_examples=10, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate], suppress_health_check=[HealthCheck.function_scoped_fixture])
ZONES = ["Asia/Shanghai", "America/New_York"]
# 2026-07-01 02:00 UTC: 1 July in Shanghai (FY2026 Q2, July–September), 30 June in New York (Q1, April–June)
FORECAST_NOW = dt.datetime(2026, 7, 1, 2, 0)
QUARTERS = {"Asia/Shanghai": (dt.date(2026, 7, 1), dt.date(2026, 9, 30)),
            "America/New_York": (dt.date(2026, 4, 1), dt.date(2026, 6, 30))}
FORECAST_COLUMNS = {"quota": "Quota", "closed": "Closed amount", "attainment": "Quota attainment",
                    "expected": "Expected total", "best": "Best total", "gap": "Gap to quota"}
EFFECT_COLUMNS = {"Response rate": "response_rate", "ROI": "roi", "Won revenue": "won_revenue",
                  "Cost per lead": "cost_per_lead", "Members": "members", "Leads generated": "leads"}


def as_viewer(app, login, user):
    """A new test client (no session left from an earlier example) logged in as ``user``, in English."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return login(client, user)


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def report(client, report_id, query=""):
    html = get(client, f"/reports/run/{report_id}{query}")
    if "data-report-table" not in html:     # a report without rows says so instead of drawing a table
        return [], [], None
    return report_table(html)


def assert_totals_add_up(headers, rows, totals, columns):
    """The totals row of each of ``columns`` is the sum of the rows shown ("—" counts as nothing; nothing
    but "—" totals "—")."""
    for label in columns:
        i = headers.index(label)
        shown = [amount(r[i]) for r in rows if amount(r[i]) is not None]
        assert amount(totals[i]) == (sum(shown) if shown else None), (label, rows, totals)


def figures_after(html, marker):
    """{figure: number} of the first ``data-figure`` links after ``marker`` in the page."""
    found = {}
    for name, text in re.findall(r'data-figure="(\w+)"[^>]*>\s*([^<]*?)\s*</a>', html.split(marker, 1)[1]):
        found.setdefault(name, amount(text))
    return found


def assert_same(got, wanted, *context):
    """Two {key: value} maps are equal; a failure names the first key that differs."""
    for key in sorted(set(got) | set(wanted), key=str):
        assert got.get(key) == wanted.get(key), (*context, key, got.get(key), wanted.get(key))


def as_shown(reference):
    return {key: reference[key] for key in FORECAST_COLUMNS}


# --- (1) forecast pages and "Sales against quota" -----------------------------------------------------------

@st.composite
def forecast_worlds(draw):
    where = draw(R.people())
    opps = R.opportunity_rows(draw, where, dt.date(2026, 3, 1), dt.date(2026, 10, 31))
    quotas = draw(st.dictionaries(st.sampled_from(sorted(where)), R.money, max_size=len(where)))
    return where, opps, quotas


@pytest.mark.parametrize("zone", ZONES)
@SETTINGS
@given(world=forecast_worlds())
def test_forecast_pages_and_sales_against_quota_show_the_same_figures(app, make_user, login, frozen_clock,
                                                                      zone, world):
    where, opps, quotas = world
    R.reset(app, zone)
    frozen_clock(FORECAST_NOW)
    w = R.build_people(where, make_user)
    start, end = QUARTERS[zone]
    R.add_opportunities(w, opps)
    R.add_quotas(w, quotas, start)
    for viewer in R.VIEWERS:
        client = as_viewer(app, login, w.users[viewer])
        reference = R.forecast_reference(w, viewer, start, end, quotas)
        headers, rows, totals = report(client, "forecast.sales_against_quota")
        shown = {r[0]: {key: amount(r[headers.index(label)]) for key, label in FORECAST_COLUMNS.items()}
                 for r in rows}
        expected_rows = {w.name_of[n]: as_shown(f) for n, f in reference.items() if n != "Total" and f["shown"]}
        assert_same(shown, expected_rows, viewer)
        for name, figures in reference.items():
            if name == "Total" or not figures["shown"]:
                continue
            page = figures_after(get(client, f"/forecast/my?user={w.users[name].id}"), "data-my-figures")
            assert {key: page[key] for key in FORECAST_COLUMNS} == shown[w.name_of[name]], (viewer, name)
        if rows:
            total = {key: amount(totals[headers.index(label)]) for key, label in FORECAST_COLUMNS.items()}
            assert total == as_shown(reference["Total"]), viewer
            assert_totals_add_up(headers, rows, totals, ["Quota", "Closed amount", "Expected total", "Best total"])
        if viewer in ("teacher", "head1"):
            team = get(client, "/forecast/team")
            page_total = figures_after(team, 'data-row="total"')
            assert {key: page_total[key] for key in FORECAST_COLUMNS} == as_shown(reference["Total"]), viewer


# --- (2) campaign effect page and the campaign effect report ------------------------------------------------

@st.composite
def campaign_worlds(draw):
    where = draw(R.people())
    specs = draw(R.campaign_specs(where))
    opps = R.opportunity_rows(draw, where, dt.date(2026, 4, 1), dt.date(2026, 6, 30), campaigns=len(specs))
    return where, specs, opps, draw(st.sampled_from(["private", "read"]))


@SETTINGS
@given(world=campaign_worlds())
def test_campaign_effect_page_and_report_show_the_same_figures(app, make_user, login, frozen_clock, world):
    where, specs, opps, mode = world
    R.reset(app)
    frozen_clock(dt.datetime(2026, 5, 15, 2, 0))
    w = R.build_people(where, make_user)
    R.set_mode("opportunity", mode)
    campaigns = R.add_campaigns(w, specs)
    R.add_opportunities(w, opps, campaigns)
    for viewer in R.VIEWERS:
        client = as_viewer(app, login, w.users[viewer])
        headers, rows, totals = report(client, "campaigns.effect")
        visible = {c.name for c, (owner, *_rest) in zip(campaigns, specs) if w.reaches(viewer, owner)}
        assert {r[0] for r in rows} == visible, viewer
        for campaign, spec in zip(campaigns, specs):
            if campaign.name not in visible:
                continue
            row = dict(zip(headers, next(r for r in rows if r[0] == campaign.name)))
            in_report = {key: amount(row[label]) for label, key in EFFECT_COLUMNS.items()}
            html = get(client, f"/campaigns/{campaign.id}/effect")
            table = next(t for t in parse(html).tables if t["attrs"].get("data-table") == "effect")
            page = {r["attrs"]["data-figure"]: amount(r["cells"][1]) for r in table["body"]}
            assert {key: page[key] for key in EFFECT_COLUMNS.values()} == in_report, (viewer, campaign.name)
            assert in_report == R.effect_reference(w, viewer, campaign, spec, mode), (viewer, campaign.name)
        if rows:
            assert_totals_add_up(headers, rows, totals, ["Members", "Responded", "Leads generated", "Opportunities",
                                                         "Won revenue", "Actual cost"])


# --- (3) service statistics page and the service reports ----------------------------------------------------

SERVICE_NOW = dt.datetime(2026, 11, 15, 6, 0)     # past New York's autumn change (1 November)
SERVICE_MONTHS = [f"2026-{m:02d}" for m in range(4, 12)]   # FY2026 (from April) up to November


def page_section(html, section):
    table = next(t for t in parse(html).tables if t["attrs"].get("data-table") == section)
    return [r["cells"] for r in table["body"]], table["foot"][0]["cells"] if table["foot"] else None


def numbers(cells):
    return [cells[0]] + [amount(c) for c in cells[1:]]


@pytest.mark.parametrize("zone", ZONES)
@SETTINGS
@given(data=st.data())
def test_service_page_and_reports_count_the_same_items_per_month(app, make_user, login, frozen_clock,
                                                                 zone, data):
    where = data.draw(R.people())
    items = data.draw(R.service_items(where, 9, zone, SERVICE_NOW))
    R.reset(app, zone)
    frozen_clock(SERVICE_NOW)
    w = R.build_people(where, make_user)
    R.add_service_items(w, items)
    for viewer in R.VIEWERS:
        client = as_viewer(app, login, w.users[viewer])
        html = get(client, "/service/report")
        for section, summed in (("monthly", 4), ("channel", 3), ("category", 2), ("times", 0)):
            page_rows, page_total = page_section(html, section)
            headers, rows, totals = report(client, f"service.{section}")
            assert [numbers(r) for r in rows] == [numbers(r) for r in page_rows], (viewer, section)
            assert numbers(totals)[1:] == numbers(page_total)[1:], (viewer, section)
            assert_totals_add_up(headers, rows, totals, headers[1:1 + summed])
        _headers, rows, _totals = report(client, "service.monthly")
        reference = R.service_monthly_reference(w, viewer, items, zone, SERVICE_MONTHS)
        assert {r[0]: [amount(c) for c in r[1:5]] for r in rows} == reference, viewer


# --- (4) pipeline: the opportunity list, the pipeline-by-stage report and the records ------------------------

@st.composite
def pipeline_worlds(draw):
    where = draw(R.people())
    opps = R.opportunity_rows(draw, where, dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    return where, opps, draw(st.sampled_from(["private", "read"]))


def list_figures(client, stage_id):
    """(rows, Σ amount, Σ weighted amount) of the opportunity list filtered to one stage (each row's amount ×
    probability ÷ 100 rounded to the cent, as a CRM's expected revenue)."""
    html = get(client, f"/records/opportunity/?filter_stage={stage_id}")
    table = next((t for t in parse(html).tables if t["attrs"].get("data-records") == "opportunity"), None)
    if table is None:
        return 0, 0, 0
    headers = table["head"][0]["cells"]
    a, p = headers.index("Amount"), headers.index("Probability (%)")
    values = [(amount(r["cells"][a]), amount(r["cells"][p])) for r in table["body"]]
    return len(values), sum(v for v, _p in values), sum(R.round_cents(v * q / 100) for v, q in values)


@SETTINGS
@given(world=pipeline_worlds())
def test_opportunity_list_and_pipeline_by_stage_add_up_to_the_visible_records(app, make_user, login,
                                                                              frozen_clock, world):
    where, opps, mode = world
    R.reset(app)
    frozen_clock(dt.datetime(2026, 5, 15, 2, 0))
    w = R.build_people(where, make_user)
    R.set_mode("opportunity", mode)
    R.add_opportunities(w, opps)
    open_stages = R.stages()["open"]
    for viewer in R.VIEWERS:
        client = as_viewer(app, login, w.users[viewer])
        headers, rows, totals = report(client, "reports.pipeline_by_stage")
        columns = [headers.index(c) for c in ("Opportunities", "Amount", "Weighted amount")]
        in_report = [tuple(amount(r[i]) for i in columns) for r in rows]
        assert in_report == R.pipeline_reference(w, viewer, mode), viewer
        for stage, (count, total, weighted) in zip(open_stages, in_report):
            listed = list_figures(client, stage.id)
            assert listed[:2] == (count, total), (viewer, stage.name)
            assert listed[2] == weighted, (viewer, stage.name)
        assert_totals_add_up(headers, rows, totals, ["Opportunities", "Amount", "Weighted amount"])
