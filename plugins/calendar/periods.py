"""The days a view covers, and fiscal quarters for the agenda (following Organisation.fiscal_year_start).

A fiscal year is named after the calendar year in which it starts (as in the forecast module): with an
April start, FY2026 runs from 1 April 2026 to 31 March 2027 and its Q1 is April–June 2026.
"""
import datetime as _dt
import re

from core.models import Organisation

VIEWS = ("month", "week", "day", "agenda")
DAY = _dt.timedelta(days=1)
_QUARTER = re.compile(r"^FY(\d{4})-Q([1-4])$")


def month_start(day):
    return day.replace(day=1)


def add_months(day, months):
    index = day.year * 12 + day.month - 1 + months
    return _dt.date(index // 12, index % 12 + 1, 1)


def week_start(day):
    return day - _dt.timedelta(days=day.weekday())  # weeks start on Monday (as in China)


def span(view, day):
    """(first, last) local days shown by ``view`` around ``day``."""
    if view == "day":
        return day, day
    if view == "week":
        first = week_start(day)
        return first, first + 6 * DAY
    if view == "agenda":
        return day, day + 29 * DAY
    first = week_start(month_start(day))
    last_of_month = add_months(day, 1) - DAY
    return first, last_of_month + _dt.timedelta(days=6 - last_of_month.weekday())


def step(view, day, direction):
    """The anchor day of the previous (-1) or next (+1) period."""
    if view == "day":
        return day + direction * DAY
    if view == "week":
        return day + direction * 7 * DAY
    if view == "agenda":
        return day + direction * 30 * DAY
    return add_months(day, direction)


def fiscal_start_month():
    month = Organisation.get_profile().fiscal_year_start or 1
    return month if 1 <= month <= 12 else 1


def quarter_of(day, start_month=None):
    """(fiscal year, quarter number) containing ``day``."""
    start_month = start_month or fiscal_start_month()
    offset = (day.month - start_month) % 12
    year = day.year if day.month >= start_month else day.year - 1
    return year, offset // 3 + 1


def quarter_range(key, start_month=None):
    """The first and last day of a quarter key ``FY2026-Q1``; None when the key is malformed."""
    match = _QUARTER.match(key or "")
    if not match:
        return None
    start_month = start_month or fiscal_start_month()
    year, number = int(match.group(1)), int(match.group(2))
    first = add_months(_dt.date(year, start_month, 1), 3 * (number - 1))
    return first, add_months(first, 3) - DAY


def quarter_key(year, number):
    return f"FY{year}-Q{number}"


def quarter_choices(day, start_month=None):
    """The quarters of the fiscal year containing ``day`` and of the years before and after."""
    start_month = start_month or fiscal_start_month()
    year, _n = quarter_of(day, start_month)
    out = []
    for y in (year - 1, year, year + 1):
        for q in range(1, 5):
            first, last = quarter_range(quarter_key(y, q), start_month)
            label = f"FY{y} Q{q}" if start_month == 1 else f"FY{y}/{(y + 1) % 100:02d} Q{q}"
            out.append((quarter_key(y, q), f"{label} ({first:%Y-%m} – {last:%Y-%m})"))
    return out
