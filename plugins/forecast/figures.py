"""Forecast figures (预测数字) per user and quarter, computed in SQL from core opportunities.

For the opportunities whose expected close date lies in the quarter:

* closed (已完成额)        = Σ amount of opportunities in a won stage
* expected total (预期总收入) = closed + Σ weighted amount of open opportunities, where an opportunity's
  weighted amount is amount × probability ÷ 100 rounded half up to the cent (as a CRM's "expected revenue"
  field is): every line, row and total is then a sum of the same cents and adds up as shown
* best total (最佳总收入)    = closed + Σ amount of open opportunities
* pipeline                  = count and Σ amount of open opportunities
* Quota attainment (定额百分比)    = closed ÷ quota × 100 ("—" without a quota)
* gap to quota              = quota − closed

"Open" means neither won nor lost; lost opportunities never count. Money stays exact: SQL sums whole
cents as integers, Python turns them into Decimal once.
Every query goes through ``core.access.visible`` on the record type "opportunity".
"""
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from peewee import Case, fn

from core import access
from core.db import divided_half_up, hundredths
from core.models import Opportunity, SalesStage

CENT = Decimal("0.01")
FIGURES = ("quota", "closed", "attainment", "expected", "best", "pipeline", "gap", "lost")


def _to_int(value):
    if value is None:
        return 0
    if isinstance(value, float):  # SQLite: whole numbers, exact up to 2**53
        return int(round(value))
    return int(Decimal(value))


def cents_expr():
    """An opportunity's amount in whole cents (``core.db.hundredths``: exact on every backend)."""
    return hundredths(Opportunity.amount)


def weighted_cents_expr():
    """An opportunity's weighted amount (amount × probability ÷ 100) in whole cents, rounded half up."""
    return divided_half_up(cents_expr() * Opportunity.probability, 100)


def weighted_amount(opportunity):
    """The same for one opportunity in Python (the arithmetic page's lines)."""
    return (opportunity.amount * opportunity.probability / 100).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class Figures:
    """The figures of one user, or of a group (a sum of users). Money sums are kept as whole cents."""
    quota: Decimal = None
    closed_cents: int = 0
    weighted_cents: int = 0      # Σ weighted amount of open opportunities, in cents
    open_cents: int = 0
    won_count: int = 0
    open_count: int = 0
    lost_count: int = 0
    lost_cents: int = 0

    def __add__(self, other):
        quota = self.quota if other.quota is None else (
            other.quota if self.quota is None else self.quota + other.quota)
        return Figures(quota, *(getattr(self, f) + getattr(other, f) for f in _SUMMED))

    @property
    def closed(self):
        return Decimal(self.closed_cents) / 100

    @property
    def weighted(self):
        """Σ weighted amount (each rounded to the cent) of the open opportunities."""
        return Decimal(self.weighted_cents) / 100

    @property
    def expected(self):
        return self.closed + self.weighted

    @property
    def pipeline_amount(self):
        return Decimal(self.open_cents) / 100

    @property
    def pipeline_count(self):
        return self.open_count

    @property
    def best(self):
        return self.closed + self.pipeline_amount

    @property
    def lost(self):
        return Decimal(self.lost_cents) / 100

    @property
    def attainment(self):
        """Quota attainment with one decimal, or None without a (positive) quota."""
        if not self.quota:
            return None
        return (self.closed * 100 / self.quota).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def gap(self):
        """Quota − closed (negative when the quota is exceeded), or None without a quota."""
        return None if self.quota is None else self.quota - self.closed

    def as_dict(self):
        return {"quota": self.quota, "closed": self.closed, "attainment": self.attainment,
                "expected": self.expected, "best": self.best, "pipeline_count": self.pipeline_count,
                "pipeline_amount": self.pipeline_amount, "gap": self.gap, "lost": self.lost}


_SUMMED = ("closed_cents", "weighted_cents", "open_cents", "won_count", "open_count", "lost_count",
           "lost_cents")


def total(figures):
    out = Figures()
    for f in figures:
        out = out + f
    return out


def stage_conditions():
    won = SalesStage.is_won == True  # noqa: E712  (SQL, not Python)
    lost = SalesStage.is_lost == True  # noqa: E712
    open_ = (SalesStage.is_won == False) & (SalesStage.is_lost == False)  # noqa: E712
    return won, lost, open_


def aggregate_query(start, end, group=None, where=None):
    """The raw aggregate: one row per ``group`` expression (default: owner) of the opportunities closing
    between ``start`` and ``end`` (inclusive). No access filter: callers add ``access.visible``."""
    group = Opportunity.owner if group is None else group
    won, lost, open_ = stage_conditions()
    cents = cents_expr()

    def summed(condition, value):
        return fn.SUM(Case(None, [(condition, value)], 0)).coerce(False)

    query = (Opportunity
             .select(group.alias("grp"),
                     summed(won, cents).alias("closed_cents"),
                     summed(open_, weighted_cents_expr()).alias("weighted_cents"),
                     summed(open_, cents).alias("open_cents"),
                     summed(won, 1).alias("won_count"),
                     summed(open_, 1).alias("open_count"),
                     summed(lost, 1).alias("lost_count"),
                     summed(lost, cents).alias("lost_cents"))
             .join(SalesStage, on=(Opportunity.stage == SalesStage.id))
             .where(Opportunity.close_date.between(start, end))
             .group_by(group))
    if where is not None:
        query = query.where(where)
    return query


def aggregate(viewer, start, end, group=None, where=None):
    """{group value: Figures} (quota left empty) for what ``viewer`` may see."""
    query = access.visible(aggregate_query(start, end, group, where), viewer, "opportunity")
    out = {}
    for row in query.dicts():
        out[row["grp"]] = Figures(None, *(_to_int(row[f]) for f in _SUMMED))
    return out


def quarter_index_expr(quarters):
    """A CASE expression giving 0..n-1 for the quarter an opportunity's close date falls in."""
    return Case(None, [(Opportunity.close_date.between(q.start, q.end), i) for i, q in enumerate(quarters)], -1)
