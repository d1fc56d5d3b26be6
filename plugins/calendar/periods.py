"""The days a view covers, and the fiscal quarters the agenda offers (core's fiscal calendar, ``core.fiscal``)."""
import datetime as _dt

from core import fiscal

VIEWS = ("month", "week", "day", "agenda")
DAY = _dt.timedelta(days=1)


def month_start(day):
    return day.replace(day=1)


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
    last_of_month = fiscal.add_months(day, 1) - DAY
    return first, last_of_month + _dt.timedelta(days=6 - last_of_month.weekday())


def step(view, day, direction):
    """The anchor day of the previous (-1) or next (+1) period."""
    if view == "day":
        return day + direction * DAY
    if view == "week":
        return day + direction * 7 * DAY
    if view == "agenda":
        return day + direction * 30 * DAY
    return fiscal.add_months(day, direction)


def quarter_range(key, start_month=None):
    """The first and last day of a quarter key ``FY2026-Q1``; None when the key is malformed."""
    quarter = fiscal.parse(key, start_month)
    return (quarter.start, quarter.end) if quarter else None


def quarter_choices(day, start_month=None):
    """The quarters of the fiscal year containing ``day`` and of the years before and after."""
    year = fiscal.year_of(day, start_month)
    out = []
    for y in (year.previous(), year, year.next()):
        for quarter in y.quarters():
            out.append((quarter.key, f"{quarter.label} ({quarter.start:%Y-%m} – {quarter.end:%Y-%m})"))
    return out
