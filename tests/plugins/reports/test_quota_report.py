"""The "Sales against quota" report's totals row carries attainment and gap, computed from the summed figures."""
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from core import fiscal
from plugins.forecast import services
from tests.plugins.forecast.conftest import opp  # noqa: F401  (the fixture)
from tests.plugins.reports.html import amount, report_table

Q2 = fiscal.Quarter(2026, 2, 1)


def test_sales_against_quota_totals_row_has_attainment_and_gap(app, client, make_school, login, frozen_clock, opp):
    frozen_clock(dt.datetime(2026, 5, 15, 2, 0))
    school = make_school()
    alice, carol, teacher = school["alice"], school["carol"], school["teacher"]
    opp(alice, "400", "Closed Won")
    opp(carol, "900", "Closed Won")
    services.set_quota(teacher, alice, Q2, Decimal("1000"))
    services.set_quota(teacher, carol, Q2, Decimal("3000"))
    headers, rows, totals = report_table(login(client, teacher).get(
        "/reports/run/forecast.sales_against_quota?date_from=2026-04-01").get_data(as_text=True))
    assert len(rows) == 2
    shown = dict(zip(headers, totals))
    closed, quota = sum(amount(r[headers.index("Closed amount")]) for r in rows), Decimal(4000)
    assert amount(shown["Quota attainment"]) == (closed * 100 / quota).quantize(Decimal("0.1"), ROUND_HALF_UP)
    assert amount(shown["Gap to quota"]) == quota - closed
