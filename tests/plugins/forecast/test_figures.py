"""Figures per user and quarter, and the roll-up: computed in SQL, exact in Decimal."""
import datetime as dt
from decimal import Decimal

from core import access
from core.models import Opportunity, User
from core import fiscal
from plugins.forecast import figures, services
from plugins.forecast.figures import aggregate_query
from tests.plugins.forecast.conftest import set_start_month, stage

Q2 = fiscal.Quarter(2026, 2, 1)   # April–June 2026 with a January fiscal year


def test_closed_expected_best_and_pipeline(school, opp):
    alice = school["alice"]
    opp(alice, "1000.00", "Closed Won")
    opp(alice, "2000.00", "Proposal", probability=60)
    opp(alice, "500.00", "Qualification", probability=20)
    opp(alice, "9999.00", "Closed Lost")
    services.set_quota(school["teacher"], alice, Q2, Decimal("4000"))
    f = services.user_figures(alice, alice, Q2)
    assert f.quota == Decimal("4000.00")
    assert f.closed == Decimal("1000.00")
    assert f.expected == Decimal("1000.00") + Decimal("1200.00") + Decimal("100.00")
    assert f.best == Decimal("3500.00")
    assert (f.pipeline_count, f.pipeline_amount) == (2, Decimal("2500.00"))
    assert f.attainment == Decimal("25.0")
    assert f.gap == Decimal("3000.00")
    assert f.lost == Decimal("9999.00") and f.lost_count == 1


def test_lost_deals_never_count(school, opp):
    alice = school["alice"]
    o = opp(alice, "700.00", "Negotiation", probability=80)
    assert services.user_figures(alice, alice, Q2).best == Decimal("700.00")
    Opportunity.update(stage=stage("Closed Lost").id, probability=0).where(Opportunity.id == o.id).execute()
    f = services.user_figures(alice, alice, Q2)
    assert (f.closed, f.expected, f.best, f.pipeline_count) == (0, 0, 0, 0)


def test_no_quota_shows_dash_and_no_gap(school, opp):
    opp(school["alice"], "100", "Closed Won")
    f = services.user_figures(school["alice"], school["alice"], Q2)
    assert f.quota is None and f.attainment is None and f.gap is None


def test_opportunity_moved_between_quarters(school, opp):
    alice = school["alice"]
    o = opp(alice, "1234.56", "Closed Won", close_date=dt.date(2026, 6, 30))
    assert services.user_figures(alice, alice, Q2).closed == Decimal("1234.56")
    Opportunity.update(close_date=dt.date(2026, 7, 1)).where(Opportunity.id == o.id).execute()
    assert services.user_figures(alice, alice, Q2).closed == 0
    assert services.user_figures(alice, alice, Q2.next()).closed == Decimal("1234.56")


def test_probability_change_moves_expected_not_best(school, opp):
    alice = school["alice"]
    o = opp(alice, "1000.00", "Proposal", probability=60)
    before = services.user_figures(alice, alice, Q2)
    Opportunity.update(probability=35).where(Opportunity.id == o.id).execute()
    after = services.user_figures(alice, alice, Q2)
    assert (before.expected, after.expected) == (Decimal("600.00"), Decimal("350.00"))
    assert before.best == after.best == Decimal("1000.00")


def test_money_is_exact_decimal_without_float_rounding(school, opp):
    alice = school["alice"]
    for _i in range(10):
        opp(alice, "0.10", "Closed Won")
        opp(alice, "0.10", "Proposal", probability=33)
    opp(alice, "12345678901.23", "Closed Won")
    f = services.user_figures(alice, alice, Q2)
    assert isinstance(f.closed, Decimal) and f.closed == Decimal("12345678902.23")
    assert f.weighted == Decimal("0.30")          # 10 × (0.10 × 33 ÷ 100 = 0.033 → 0.03 to the cent)
    assert f.expected == Decimal("12345678902.53")
    assert f.best == Decimal("12345678903.23")
    assert not any(isinstance(v, float) for v in f.as_dict().values())


def test_each_deal_counts_its_weighted_amount_to_the_cent_so_rows_add_up_to_totals(school, opp):
    """A deal's weighted amount is money (a CRM's "expected revenue"), rounded half up to the cent; a figure
    is the sum of those, so a team's total is the sum of its members' rows as shown."""
    alice, bob = school["alice"], school["bob"]
    opp(alice, "0.05", "Proposal", probability=50)   # 0.025 → 0.03
    opp(bob, "0.05", "Proposal", probability=50)     # 0.025 → 0.03
    rows = [services.user_figures(u, u, Q2).expected for u in (alice, bob)]
    assert rows == [Decimal("0.03"), Decimal("0.03")]
    assert figures.total(services.user_figures(u, u, Q2) for u in (alice, bob)).expected == sum(rows)


def test_april_fiscal_year_quarter_edges_in_figures(school, opp):
    set_start_month(4)
    alice = school["alice"]
    opp(alice, "100", "Closed Won", close_date=dt.date(2026, 3, 31))
    opp(alice, "200", "Closed Won", close_date=dt.date(2026, 4, 1))
    opp(alice, "400", "Closed Won", close_date=dt.date(2026, 6, 30))
    opp(alice, "800", "Closed Won", close_date=dt.date(2026, 7, 1))
    q1 = fiscal.Quarter(2026, 1, 4)
    assert services.user_figures(alice, alice, q1).closed == Decimal("600")
    assert services.user_figures(alice, alice, q1.previous()).closed == Decimal("100")
    trend = services.year_trend(alice, [alice.id], q1)
    assert [f.closed for _q, f in trend] == [Decimal("600"), Decimal("800"), 0, 0]


def _team_row(table, kind, ident):
    return next(r for r in table.rows if r.kind == kind and r.id == ident)


def test_rollup_equals_sum_of_parts_and_raw_sql(school, opp):
    p = school["positions"]
    amounts = {"teacher": "10", "lead_a": "20", "manager_a": "40", "alice": "80.50", "bob": "160",
               "carol": "320.25", "lead_b": "640", "manager_b": "1280", "outsider": "99999"}
    for name, amount in amounts.items():
        opp(school[name], amount, "Closed Won")
        opp(school[name], amount, "Proposal", probability=60)
    for name in ("alice", "bob", "carol", "manager_a"):
        services.set_quota(school["teacher"], school[name], Q2, Decimal("1000"))
    teacher = school["teacher"]
    table = services.team(teacher, Q2)
    assert [r.kind for r in table.rows] == ["person", "position", "position"]
    assert table.rows[0].id == teacher.id
    class_a = _team_row(table, "position", p["class_a"].id)
    assert class_a.figures.closed == Decimal("20") + Decimal("40") + Decimal("80.50") + Decimal("160")
    assert class_a.figures.quota == Decimal("3000")
    # the indented department row is the class minus its lead
    assert class_a.children[0].figures.closed == class_a.figures.closed - Decimal("20")
    total = table.total
    for attr in ("closed", "expected", "best", "pipeline_amount", "pipeline_count", "quota"):
        assert getattr(total, attr) == sum((getattr(r.figures, attr) or 0 for r in table.rows), Decimal(0))
    # the same as one raw SQL aggregate over the teacher's subtree (the outsider is not in it)
    raw = aggregate_query(Q2.start, Q2.end).where(Opportunity.owner != school["outsider"].id)
    raw_closed = sum(Decimal(str(r["closed_cents"])) for r in raw.dicts()) / 100
    assert total.closed == raw_closed
    assert total.quota == Decimal("4000")


def test_drill_down_shows_holders_and_subpositions(school, opp):
    p = school["positions"]
    opp(school["alice"], "100", "Closed Won")
    opp(school["bob"], "300", "Closed Won")
    table = services.team(school["manager_a"], Q2, p["sales_a"])
    assert {(r.kind, r.id) for r in table.rows} == {("person", school["alice"].id), ("person", school["bob"].id)}
    assert table.total.closed == Decimal("400")


def test_user_moving_between_positions_takes_figures_along(school, opp):
    p = school["positions"]
    alice = school["alice"]
    opp(alice, "500", "Closed Won")
    teacher = school["teacher"]
    before = services.team(teacher, Q2)
    assert _team_row(before, "position", p["class_a"].id).figures.closed == Decimal("500")
    User.update(position=p["sales_b"].id).where(User.id == alice.id).execute()
    after = services.team(teacher, Q2)
    assert _team_row(after, "position", p["class_a"].id).figures.closed == 0
    assert _team_row(after, "position", p["class_b"].id).figures.closed == Decimal("500")
    assert after.total.closed == before.total.closed
    # manager_a no longer sees alice's figures
    assert not access.reaches_user(school["manager_a"], User.get_by_id(alice.id))


def test_admin_without_position_sees_everyone(school, opp):
    opp(school["outsider"], "5", "Closed Won")
    opp(school["carol"], "7", "Closed Won")
    table = services.team(school["admin"], Q2)
    assert table.total.closed == Decimal("12")
