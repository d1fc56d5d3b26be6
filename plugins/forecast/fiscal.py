"""The fiscal calendar (财年日历): fiscal years and quarters that follow ``Organisation.fiscal_year_start``.

A fiscal year is named after the calendar year in which it *starts*: with a start in April, FY2026 runs
from 2026-04-01 to 2027-03-31 and its Q1 is April–June 2026. With a January start FY2026 is calendar 2026.

Nothing here touches the database except :func:`start_month` and :func:`current_quarter`, which read the
organisation profile and core's clock; everything else is pure and takes the start month explicitly.
This module is general (it knows nothing of forecasts) and could move to core.
"""
import datetime as _dt
import re
from dataclasses import dataclass

_KEY = re.compile(r"^FY(\d{4})-Q([1-4])$")


def _add_months(year, month, months):
    """(year, month) moved by ``months`` (may be negative)."""
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


def _check_month(start_month):
    if not isinstance(start_month, int) or not 1 <= start_month <= 12:
        raise ValueError(f"fiscal year start month must be 1..12, not {start_month!r}")


@dataclass(frozen=True, order=True)
class Quarter:
    """One fiscal quarter: ``fiscal_year`` (start-year name), ``number`` 1..4, and the month the year starts."""
    fiscal_year: int
    number: int
    start_month: int = 1

    def __post_init__(self):
        _check_month(self.start_month)
        if self.number not in (1, 2, 3, 4):
            raise ValueError(f"quarter number must be 1..4, not {self.number!r}")

    @property
    def start(self):
        """The first day of the quarter."""
        year, month = _add_months(self.fiscal_year, self.start_month, 3 * (self.number - 1))
        return _dt.date(year, month, 1)

    @property
    def end(self):
        """The last day of the quarter (inclusive)."""
        year, month = _add_months(self.start.year, self.start.month, 3)
        return _dt.date(year, month, 1) - _dt.timedelta(days=1)

    @property
    def key(self):
        """A stable text key for URLs and forms: ``FY2026-Q1``."""
        return f"FY{self.fiscal_year}-Q{self.number}"

    @property
    def label(self):
        """``FY2026 Q1`` — or ``FY2026/27 Q1`` when the fiscal year spans two calendar years."""
        if self.start_month == 1:
            return f"FY{self.fiscal_year} Q{self.number}"
        return f"FY{self.fiscal_year}/{(self.fiscal_year + 1) % 100:02d} Q{self.number}"

    def contains(self, day):
        return self.start <= day <= self.end

    def previous(self):
        if self.number == 1:
            return Quarter(self.fiscal_year - 1, 4, self.start_month)
        return Quarter(self.fiscal_year, self.number - 1, self.start_month)

    def next(self):
        if self.number == 4:
            return Quarter(self.fiscal_year + 1, 1, self.start_month)
        return Quarter(self.fiscal_year, self.number + 1, self.start_month)

    def year_quarters(self):
        """The four quarters of this quarter's fiscal year."""
        return fiscal_year_quarters(self.fiscal_year, self.start_month)

    def __str__(self):
        return self.label


def quarter_of(day, start_month=1):
    """The fiscal quarter containing ``day``."""
    _check_month(start_month)
    months_in = (day.year * 12 + day.month - 1) - (day.year * 12 + start_month - 1)
    fiscal_year = day.year if months_in >= 0 else day.year - 1
    months_in %= 12
    return Quarter(fiscal_year, months_in // 3 + 1, start_month)


def fiscal_year_quarters(fiscal_year, start_month=1):
    return [Quarter(fiscal_year, n, start_month) for n in (1, 2, 3, 4)]


def parse(key, start_month=1):
    """``FY2026-Q1`` → Quarter, or None for anything malformed."""
    match = _KEY.match((key or "").strip())
    if not match:
        return None
    year = int(match.group(1))
    if not 1900 <= year <= 2999:
        return None
    return Quarter(year, int(match.group(2)), start_month)


def quarter_starting(day, start_month=1):
    """The quarter whose first day is ``day`` (None when ``day`` is not a quarter's first day)."""
    quarter = quarter_of(day, start_month)
    return quarter if quarter.start == day else None


def start_month():
    """The organisation's fiscal-year start month (1 when unset or invalid)."""
    from core.models import Organisation
    value = Organisation.get_profile().fiscal_year_start
    return value if isinstance(value, int) and 1 <= value <= 12 else 1


def current_quarter():
    """The quarter containing today (in the organisation's time zone, on core's clock)."""
    from core import clock
    return quarter_of(clock.today(), start_month())
