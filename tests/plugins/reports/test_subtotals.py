"""The builder's sub-totals and totals come from the grouped rows themselves: each sub-total is the sum
(count, minimum, maximum, average) of its own lines, equal to what a query grouped by the first level gives,
and the total equals the aggregate over every matching record — in exact decimals."""
import decimal

from flask import g

from core.models import Opportunity
from core.reports import ReportParams
from peewee import fn
from plugins.reports import builder

D = decimal.Decimal
AGGREGATES = [{"func": "count"}, {"func": "sum", "field": "amount"}, {"func": "avg", "field": "amount"},
              {"func": "max", "field": "close_date"}]


def run(app, user, groups):
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        g.pop("org_profile", None)
        spec = builder.clean({"type": "opportunity", "groups": groups, "aggregates": AGGREGATES, "chart": ""})
        return builder.run(spec, user, ReportParams())


def split(rows):
    """{first-level label: (its lines, its sub-total row)}"""
    out, lines = {}, []
    for row in rows:
        if row.get("_subtotal"):
            out[row["g0"]] = (lines, row)
            lines = []
        else:
            lines.append(row)
    assert not lines
    return out


def test_subtotals_are_the_sums_of_their_lines_and_equal_the_first_level_query(app, world):
    two = run(app, world.admin, [{"field": "owner"}, {"field": "close_date", "unit": "quarter"}])
    one = {row["g0"]: row for row in run(app, world.admin, [{"field": "owner"}]).rows}
    groups = split(two.rows)
    assert set(groups) == set(one) and len(groups) >= 3
    for label, (lines, sub) in groups.items():
        assert sub["a0"] == sum(line["a0"] for line in lines) == one[label]["a0"]
        assert sub["a1"] == sum(line["a1"] for line in lines) == one[label]["a1"]
        assert isinstance(sub["a1"], D) and sub["a1"] == sub["a1"].quantize(D("0.01"))
        assert str(sub["a3"]) == str(max(line["a3"] for line in lines)) == str(one[label]["a3"])
        assert abs(sub["a2"] - one[label]["a2"]) < D("0.01")
        assert abs(sub["a2"] - sub["a1"] / sub["a0"]) < D("0.01")


def test_total_equals_the_aggregate_over_every_record(app, world):
    result = run(app, world.admin, [{"field": "stage"}, {"field": "close_date", "unit": "month"}])
    count, amount, last = Opportunity.select(fn.COUNT(Opportunity.id), fn.SUM(Opportunity.amount),
                                             fn.MAX(Opportunity.close_date)).tuples().get()
    assert result.totals["a0"] == count
    assert result.totals["a1"] == D(str(amount)).quantize(D("0.01"))
    assert str(result.totals["a3"]) == str(last)


def test_cut_rows_take_their_subtotals_from_the_database(app, world, monkeypatch):
    full = split(run(app, world.admin, [{"field": "owner"}, {"field": "close_date", "unit": "day"}]).rows)
    monkeypatch.setattr(builder, "MAX_GROUP_ROWS", 2)
    cut = run(app, world.admin, [{"field": "owner"}, {"field": "close_date", "unit": "day"}])
    assert cut.note
    for label, (_lines, sub) in split(cut.rows).items():
        assert sub["a0"] == full[label][1]["a0"] and sub["a1"] == full[label][1]["a1"]
