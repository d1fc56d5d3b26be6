"""Each standard report's figures against the hand-counted data of conftest.World."""
import datetime as dt
import decimal

import pytest

from core.models import Opportunity, Organisation, SharingMode
from core.reports import ReportParams
from plugins.reports import service

D = decimal.Decimal


def run(report_id, user, language="en", **params):
    """Run a report the way the page does (inside a request, for labels and links)."""
    from flask import current_app
    with current_app.test_request_context("/", headers={"Accept-Language": language}):
        definition = service.definitions()[report_id]
        return definition.run(user, ReportParams(**params))


def by_label(result, *keys):
    return {str(r["label"]): tuple(r[k] for k in keys) for r in result.rows}


def test_accounts_by_industry(world):
    result = run("reports.accounts_by_industry", world.admin)
    assert by_label(result, "count") == {"Retail": (3,), "Finance": (1,), "Education": (1,)}
    assert result.totals["count"] == 5


def test_new_accounts_per_month_buckets_in_the_organisation_time_zone(world):
    # Edge was created 2026-01-31 17:00 UTC, which is 1 February in Shanghai
    result = run("reports.new_accounts_per_month", world.admin)
    assert by_label(result, "count") == {"2026-01": (1,), "2026-02": (3,), "2026-03": (1,)}


def test_new_contacts_per_month_and_contacts_per_account(world):
    assert by_label(run("reports.new_contacts_per_month", world.admin), "count") == {"2026-03": (4,)}
    assert by_label(run("reports.contacts_per_account", world.admin), "count") == {"Acme": (3,), "Dyne": (1,)}
    # ann sees her own two contacts of Acme only
    assert by_label(run("reports.contacts_per_account", world.ann), "count") == {"Acme": (2,)}


def test_accounts_without_activity(world):
    Opportunity.update(modified_at=dt.datetime(2026, 5, 1)).where(Opportunity.id == world.o4.id).execute()
    result = run("reports.accounts_without_activity", world.admin)
    assert sorted(r["label"] for r in result.rows) == ["Bolt", "Cord", "Dyne", "Edge"]
    result = run("reports.accounts_without_activity", world.admin, extra={"days": 200})
    assert result.rows == []


def test_pipeline_by_stage_is_a_funnel_of_open_stages(world):
    result = run("reports.pipeline_by_stage", world.admin)
    figures = by_label(result, "count", "amount", "weighted")
    assert figures["Prospecting"] == (1, D("4000"), D("400.00"))
    assert figures["Proposal"] == (2, D("3000"), D("1800.00"))
    assert figures["Qualification"] == (0, D("0"), D("0.00"))
    assert "Closed Won" not in figures
    assert result.totals["amount"] == D("7000")


def test_pipeline_by_close_month_and_owner(world):
    assert by_label(run("reports.pipeline_by_close_month", world.admin), "count", "amount") == {
        "2026-05": (1, D("4000")), "2026-06": (1, D("2000")), "2026-07": (1, D("1000"))}
    assert by_label(run("reports.pipeline_by_owner", world.admin), "amount") == {
        "Amy": (D("4000"),), "Ann": (D("2000"),), "Bob": (D("1000"),)}


def test_win_loss_ratio(world):
    result = run("reports.win_loss", world.admin)
    assert by_label(result, "won", "lost", "rate", "won_amount", "lost_amount") == {
        "Ann": (2, 1, D(2) / 3, D("4000"), D("500")),
        "Amy": (1, 0, D(1), D("6000"), D("0")),
        "Bob": (1, 1, D(1) / 2, D("8000"), D("700"))}
    assert (result.totals["won"], result.totals["lost"], result.totals["rate"]) == (4, 2, D(4) / 6)


def test_average_deal_size_per_fiscal_quarter(world):
    result = run("reports.average_deal_size", world.admin)
    assert by_label(result, "count", "amount", "average") == {
        "FY2025 Q4": (1, D("8000"), D("8000.00")), "FY2026 Q1": (1, D("1000"), D("1000.00")),
        "FY2026 Q2": (2, D("9000"), D("4500.00"))}
    assert result.totals == {"count": 4, "amount": D("18000"), "average": D("4500.00")}


def test_average_days_in_each_stage_from_stage_history(world):
    result = run("reports.average_days_in_stage", world.admin)
    figures = by_label(result, "count", "days")
    assert figures["Prospecting"] == (2, D("7.0"))
    assert figures["Proposal"] == (1, D("20.0"))
    # ann sees only her own opportunity's history (o2)
    assert by_label(run("reports.average_days_in_stage", world.ann), "count", "days")["Prospecting"] == (1, D("10.0"))


def test_opportunities_closing_this_quarter(world):
    result = run("reports.closing_this_quarter", world.admin)
    assert [r["label"] for r in result.rows] == ["O5 amy open", "O4 ann open"]
    assert result.totals["amount"] == D("6000")


def test_closed_won_revenue_by_month_quarter_and_fiscal_year(world):
    assert by_label(run("reports.won_by_month", world.admin), "amount") == {
        "2025-11": (D("8000"),), "2025-12": (D("0"),), "2026-01": (D("1000"),), "2026-02": (D("0"),),
        "2026-03": (D("0"),), "2026-04": (D("3000"),), "2026-05": (D("6000"),)}      # a month without wins is 0
    assert by_label(run("reports.won_by_quarter", world.admin), "amount") == {
        "FY2025 Q4": (D("8000"),), "FY2026 Q1": (D("1000"),), "FY2026 Q2": (D("9000"),)}
    assert by_label(run("reports.won_by_fiscal_year", world.admin), "amount") == {
        "FY2025": (D("8000"),), "FY2026": (D("10000"),)}


def test_fiscal_year_starting_in_april_moves_quarters_and_years(world, app):
    Organisation.update(fiscal_year_start=4).execute()
    from flask import g
    g.pop("org_profile", None)
    assert by_label(run("reports.won_by_fiscal_year", world.admin), "amount") == {
        "FY2025/26": (D("9000"),), "FY2026/27": (D("9000"),)}
    assert by_label(run("reports.won_by_quarter", world.admin), "amount") == {
        "FY2025/26 Q3": (D("8000"),), "FY2025/26 Q4": (D("1000"),), "FY2026/27 Q1": (D("9000"),)}


def test_won_revenue_by_owner_team_product_and_category(world):
    assert by_label(run("reports.won_by_owner", world.admin), "count", "amount") == {
        "Bob": (1, D("8000")), "Amy": (1, D("6000")), "Ann": (2, D("4000"))}
    assert by_label(run("reports.won_by_team", world.admin), "count", "amount") == {
        "Sales A": (3, D("10000")), "Sales B": (1, D("8000"))}
    assert by_label(run("reports.won_by_product", world.admin), "count", "quantity", "amount") == {
        "Licence": (2, D("82"), D("8100.00")), "Router": (1, D("10"), D("900.00"))}
    assert by_label(run("reports.won_by_category", world.admin), "amount") == {
        "Software": (D("8100.00"),), "Hardware": (D("900.00"),)}


def test_leads_by_source_status_and_rating(world):
    assert by_label(run("reports.leads_by_source", world.admin), "count") == {
        "Website": (4,), "Phone inquiry": (1,), "Referral": (1,), "(none)": (1,)}
    assert by_label(run("reports.leads_by_status", world.admin), "count") == {
        "New": (2,), "Converted": (2,), "Contacted": (1,), "Qualified": (1,), "Unqualified": (1,)}
    assert by_label(run("reports.leads_by_rating", world.admin), "count") == {
        "Warm": (4,), "Hot": (2,), "Cold": (1,)}


def test_lead_conversion_rate_by_source(world):
    result = run("reports.lead_conversion_by_source", world.admin)
    assert by_label(result, "count", "converted", "rate") == {
        "Website": (4, 1, D(1) / 4), "Phone inquiry": (1, 0, D(0)), "Referral": (1, 1, D(1)),
        "(none)": (1, 0, D(0))}
    assert result.totals["rate"] == D(2) / 7


def test_lead_ageing_and_leads_per_owner(world):
    assert by_label(run("reports.lead_ageing", world.admin), "count") == {
        "0–7 days": (2,), "8–30 days": (0,), "31–90 days": (1,), "over 90 days": (1,)}
    assert by_label(run("reports.leads_per_owner", world.admin), "count", "converted") == {
        "Ann": (3, 1), "Bob": (3, 1), "Amy": (1, 0)}


def test_competitor_reports(world):
    assert by_label(run("reports.competitor_opportunities", world.admin), "count", "amount") == {
        "Rival": (3, D("4200")), "Other": (2, D("8700"))}
    assert by_label(run("reports.competitor_win_rate", world.admin), "won", "lost", "rate") == {
        "Rival": (1, 2, D(1) / 3), "Other": (1, 1, D(1) / 2)}
    assert by_label(run("reports.competitor_revenue_lost", world.admin), "count", "amount") == {
        "Rival": (2, D("1200")), "Other": (1, D("700"))}


def test_date_range_and_owner_and_team_filters(world):
    params = {"date_from": dt.date(2026, 4, 1), "date_to": dt.date(2026, 4, 30)}
    assert by_label(run("reports.won_by_month", world.admin, **params), "amount") == {"2026-04": (D("3000"),)}
    assert by_label(run("reports.won_by_owner", world.admin, owner_id=world.amy.id), "amount") == {
        "Amy": (D("6000"),)}
    team = world.positions["class_a"].id
    assert by_label(run("reports.won_by_owner", world.admin, position_id=team), "amount") == {
        "Amy": (D("6000"),), "Ann": (D("4000"),)}


@pytest.mark.parametrize("viewer,expected", [
    ("ann", {"Ann": D("4000")}),
    ("amy", {"Amy": D("6000")}),
    ("manager", {"Amy": D("6000"), "Ann": D("4000")}),
    ("teacher", {"Bob": D("8000"), "Amy": D("6000"), "Ann": D("4000")}),
    ("outsider", {}),
])
def test_reports_run_as_the_viewer(world, viewer, expected):
    result = run("reports.won_by_owner", getattr(world, viewer))
    assert {r["label"]: r["amount"] for r in result.rows} == expected


def test_public_read_sharing_mode_lets_peers_see(world):
    if SharingMode.select().where(SharingMode.family == "opportunity").exists():
        SharingMode.update(mode="read").where(SharingMode.family == "opportunity").execute()
    else:
        SharingMode.create(family="opportunity", mode="read")
    from flask import g
    g.pop("sharing_modes", None)
    result = run("reports.won_by_owner", world.amy)
    assert {r["label"] for r in result.rows} == {"Ann", "Amy", "Bob"}


def test_labels_in_chinese(world):
    assert set(by_label(run("reports.won_by_quarter", world.admin, language="zh"), "amount")) == {
        "2025财年第4季度", "2026财年第1季度", "2026财年第2季度"}
    result = run("reports.win_loss", world.admin, language="zh")
    assert [str(c.label) for c in result.columns][:3] == ["负责人", "赢单", "丢单"]
