"""The organisation's fiscal calendar (财年日历): fiscal years, quarters and months, month arithmetic, and the
one way a fiscal year or quarter is named.

A fiscal year starts on the 1st of ``Organisation.fiscal_year_start`` (a month, 1..12) and is named after the
calendar year in which it *starts*: with an April start, FY2026 runs from 2026-04-01 to 2027-03-31 and its Q1
is April–June 2026. With a January start FY2026 is calendar 2026.

Labels (the only format, used by every module): "FY2026 Q1" / "2026财年第1季度" for a January start, and
"FY2026/27 Q1" / "2026/27财年第1季度" when the fiscal year spans two calendar years; the year alone is
"FY2026" / "FY2026/27". Keys for URLs and forms are ``FY2026-Q1``.

A date is taken as it is; a datetime is first moved into the organisation's time zone (a naive datetime is
stored UTC, as everywhere in the database). Only :func:`start_month`, :func:`local_date` and the
``current_*`` functions read the organisation profile and core's clock; everything else is pure when given
``start_month``. Plugins import this module (public core surface).
"""
import datetime as _dt
import re
from dataclasses import dataclass

from core import clock
from core.babel import gettext as _
from core.models import Organisation

DAY = _dt.timedelta(days=1)
_KEY = re.compile(r"^FY(\d{4})-Q([1-4])$")


def add_months(day, months):
    """The first day of the month ``months`` (may be negative) after the month of ``day``."""
    index = day.year * 12 + day.month - 1 + months
    return _dt.date(index // 12, index % 12 + 1, 1)


def _org_start_month():
    """The organisation's fiscal-year start month (1 when unset or invalid)."""
    value = Organisation.get_profile().fiscal_year_start
    return value if isinstance(value, int) and 1 <= value <= 12 else 1


start_month = _org_start_month


def _month(start_month):
    if start_month is None:
        return _org_start_month()
    if not isinstance(start_month, int) or not 1 <= start_month <= 12:
        raise ValueError(f"fiscal year start month must be 1..12, not {start_month!r}")
    return start_month


def local_date(value, tz=None):
    """The organisation-local date of a date, a stored naive-UTC datetime or an aware datetime."""
    if isinstance(value, _dt.datetime):
        tz = tz or clock.org_timezone()
        if value.tzinfo is None:
            return clock.to_local(value, tz).date()
        return value.astimezone(tz).date()
    return value


# --- labels (one format, both languages) ----------------------------------------------------------------

def year_label(fiscal_year, start_month=None):
    """"FY2026" (January start) or "FY2026/27" — "2026财年" / "2026/27财年"."""
    if _month(start_month) == 1:
        return _("FY%(year)d", year=fiscal_year)
    return _("FY%(year)d/%(next)02d", year=fiscal_year, next=(fiscal_year + 1) % 100)


def quarter_label(quarter):
    """"FY2026 Q1" (January start) or "FY2026/27 Q1" — "2026财年第1季度" / "2026/27财年第1季度"."""
    if quarter.start_month == 1:
        return _("FY%(year)d Q%(number)d", year=quarter.fiscal_year, number=quarter.number)
    return _("FY%(year)d/%(next)02d Q%(number)d", year=quarter.fiscal_year, next=(quarter.fiscal_year + 1) % 100,
             number=quarter.number)


# --- fiscal year ----------------------------------------------------------------------------------------

@dataclass(frozen=True, order=True)
class FiscalYear:
    """One fiscal year, named by the calendar year it starts in."""
    year: int
    start_month: int = 1

    def __post_init__(self):
        _month(self.start_month)

    @property
    def start(self):
        return _dt.date(self.year, self.start_month, 1)

    @property
    def after(self):
        """The first day after the year (for half-open ranges)."""
        return add_months(self.start, 12)

    @property
    def end(self):
        """The last day of the year (inclusive)."""
        return self.after - DAY

    @property
    def label(self):
        return year_label(self.year, self.start_month)

    def contains(self, day):
        return self.start <= local_date(day) <= self.end

    def previous(self):
        return FiscalYear(self.year - 1, self.start_month)

    def next(self):
        return FiscalYear(self.year + 1, self.start_month)

    def quarters(self):
        return [Quarter(self.year, n, self.start_month) for n in (1, 2, 3, 4)]

    def months(self):
        return [Month(self.year, n, self.start_month) for n in range(1, 13)]

    def __str__(self):
        return self.label


def year_of(day, start_month=None):
    """The fiscal year containing ``day`` (a date, or a datetime taken in the organisation's zone)."""
    start_month = _month(start_month)
    day = local_date(day)
    return FiscalYear((day.year * 12 + day.month - start_month) // 12, start_month)


# --- fiscal quarter -------------------------------------------------------------------------------------

@dataclass(frozen=True, order=True)
class Quarter:
    """One fiscal quarter: ``fiscal_year`` (start-year name), ``number`` 1..4, and the month the year starts."""
    fiscal_year: int
    number: int
    start_month: int = 1

    def __post_init__(self):
        _month(self.start_month)
        if self.number not in (1, 2, 3, 4):
            raise ValueError(f"quarter number must be 1..4, not {self.number!r}")

    @property
    def start(self):
        """The first day of the quarter."""
        return add_months(_dt.date(self.fiscal_year, self.start_month, 1), 3 * (self.number - 1))

    @property
    def after(self):
        """The first day after the quarter (for half-open ranges)."""
        return add_months(self.start, 3)

    @property
    def end(self):
        """The last day of the quarter (inclusive)."""
        return self.after - DAY

    @property
    def key(self):
        """A stable text key for URLs and forms: ``FY2026-Q1``."""
        return f"FY{self.fiscal_year}-Q{self.number}"

    @property
    def label(self):
        return quarter_label(self)

    @property
    def year(self):
        return FiscalYear(self.fiscal_year, self.start_month)

    def contains(self, day):
        return self.start <= local_date(day) <= self.end

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
        return self.year.quarters()

    def __str__(self):
        return self.label


def quarter_of(day, start_month=None):
    """The fiscal quarter containing ``day`` (a date, or a datetime taken in the organisation's zone)."""
    start_month = _month(start_month)
    day = local_date(day)
    index = day.year * 12 + day.month - start_month      # months since the start of fiscal year 0
    return Quarter(index // 12, index % 12 // 3 + 1, start_month)


def fiscal_year_quarters(fiscal_year, start_month=None):
    return FiscalYear(fiscal_year, _month(start_month)).quarters()


def parse(key, start_month=None):
    """``FY2026-Q1`` → Quarter, or None for anything malformed."""
    match = _KEY.match((key or "").strip())
    if not match:
        return None
    year = int(match.group(1))
    if not 1900 <= year <= 2999:
        return None
    return Quarter(year, int(match.group(2)), _month(start_month))


def quarter_starting(day, start_month=None):
    """The quarter whose first day is ``day`` (None when ``day`` is not a quarter's first day)."""
    quarter = quarter_of(day, start_month)
    return quarter if quarter.start == day else None


# --- fiscal month ---------------------------------------------------------------------------------------

@dataclass(frozen=True, order=True)
class Month:
    """Month ``number`` (1..12) of fiscal year ``fiscal_year``."""
    fiscal_year: int
    number: int
    start_month: int = 1

    def __post_init__(self):
        _month(self.start_month)
        if not 1 <= self.number <= 12:
            raise ValueError(f"fiscal month number must be 1..12, not {self.number!r}")

    @property
    def start(self):
        return add_months(_dt.date(self.fiscal_year, self.start_month, 1), self.number - 1)

    @property
    def after(self):
        return add_months(self.start, 1)

    @property
    def end(self):
        return self.after - DAY

    @property
    def label(self):
        return f"{self.start:%Y-%m}"       # the same in both languages, and sorts

    @property
    def quarter(self):
        return Quarter(self.fiscal_year, (self.number - 1) // 3 + 1, self.start_month)

    def previous(self):
        return month_of(add_months(self.start, -1), self.start_month)

    def next(self):
        return month_of(self.after, self.start_month)

    def __str__(self):
        return self.label


def month_of(day, start_month=None):
    """The fiscal month containing ``day`` (a date, or a datetime taken in the organisation's zone)."""
    start_month = _month(start_month)
    day = local_date(day)
    index = day.year * 12 + day.month - start_month
    return Month(index // 12, index % 12 + 1, start_month)


# --- today ----------------------------------------------------------------------------------------------

def current_quarter():
    """The quarter containing today (in the organisation's time zone, on core's clock)."""
    return quarter_of(clock.today())


def current_year():
    """The fiscal year containing today (in the organisation's time zone, on core's clock)."""
    return year_of(clock.today())
