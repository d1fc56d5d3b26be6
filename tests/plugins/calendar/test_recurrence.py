"""Recurrence rules: built from the form, read back, expanded at month ends and on leap days."""
import datetime as dt

import pytest

from plugins.calendar import recurrence
from plugins.calendar.recurrence import RuleParts
from plugins.calendar.service import occurrences
from tests.plugins.calendar.conftest import make_event

H = dt.timedelta(hours=1)


def starts(rule, dtstart, first, last):
    return recurrence.expand(rule, dtstart, H, first, last)


def test_monthly_on_the_31st_skips_months_without_one():
    got = starts("FREQ=MONTHLY;BYMONTHDAY=31", dt.datetime(2026, 1, 31, 9), dt.datetime(2026, 1, 1),
                 dt.datetime(2027, 1, 1))
    assert [d.month for d in got] == [1, 3, 5, 7, 8, 10, 12]
    assert all(d.day == 31 for d in got)


def test_monthly_on_the_last_day_hits_every_month_end_including_february_of_a_leap_year():
    got = starts("FREQ=MONTHLY;BYMONTHDAY=-1", dt.datetime(2028, 1, 31, 9), dt.datetime(2028, 1, 1),
                 dt.datetime(2028, 5, 1))
    assert [d.date() for d in got] == [dt.date(2028, 1, 31), dt.date(2028, 2, 29), dt.date(2028, 3, 31),
                                       dt.date(2028, 4, 30)]


def test_yearly_on_29_february_happens_only_in_leap_years():
    got = starts("FREQ=YEARLY;COUNT=3", dt.datetime(2024, 2, 29, 8), dt.datetime(2024, 1, 1),
                 dt.datetime(2040, 1, 1))
    assert [d.date() for d in got] == [dt.date(2024, 2, 29), dt.date(2028, 2, 29), dt.date(2032, 2, 29)]


def test_weekly_on_chosen_days_until_a_date_includes_the_last_day():
    rule = recurrence.build(RuleParts(freq="WEEKLY", byday=["MO", "WE"], ends="until", until=dt.date(2026, 5, 13)),
                            dt.datetime(2026, 5, 4, 9))
    assert rule == "FREQ=WEEKLY;BYDAY=MO,WE;UNTIL=20260513T235959"
    got = starts(rule, dt.datetime(2026, 5, 4, 9), dt.datetime(2026, 5, 1), dt.datetime(2026, 6, 1))
    assert [d.day for d in got] == [4, 6, 11, 13]


def test_monthly_by_weekday_and_count():
    # 2026-05-12 is the second Tuesday of May
    rule = recurrence.build(RuleParts(freq="MONTHLY", monthly_by="weekday", ends="count", count=3),
                            dt.datetime(2026, 5, 12, 14))
    assert rule == "FREQ=MONTHLY;BYDAY=2TU;COUNT=3"
    got = starts(rule, dt.datetime(2026, 5, 12, 14), dt.datetime(2026, 1, 1), dt.datetime(2027, 1, 1))
    assert [d.date() for d in got] == [dt.date(2026, 5, 12), dt.date(2026, 6, 9), dt.date(2026, 7, 14)]


def test_a_fifth_weekday_becomes_the_last_one():
    rule = recurrence.build(RuleParts(freq="MONTHLY", monthly_by="weekday"), dt.datetime(2026, 5, 29, 10))
    assert rule == "FREQ=MONTHLY;BYDAY=-1FR"


@pytest.mark.parametrize("rule", ["FREQ=DAILY;INTERVAL=2;COUNT=5", "FREQ=WEEKLY;BYDAY=TU,TH;UNTIL=20261231T235959",
                                  "FREQ=MONTHLY;BYMONTHDAY=-1", "FREQ=MONTHLY;BYDAY=2TU", "FREQ=YEARLY"])
def test_parse_is_the_reverse_of_build(rule):
    start = dt.datetime(2026, 5, 12, 14)
    assert recurrence.build(recurrence.parse(rule), start) == rule


def test_bad_rule_parts_are_refused_with_a_message():
    with pytest.raises(recurrence.RecurrenceError):
        recurrence.build(RuleParts(freq="WEEKLY", ends="until", until=dt.date(2026, 1, 1)), dt.datetime(2026, 5, 1))
    with pytest.raises(recurrence.RecurrenceError):
        recurrence.build(RuleParts(freq="DAILY", ends="count", count=0), dt.datetime(2026, 5, 1))


def test_series_expands_in_local_time_in_views(cal, make_user, frozen_clock):
    """Stored in UTC, a 09:00 Shanghai meeting (01:00 UTC) shows at 09:00 on each 31st in the month view."""
    user = make_user("alice")
    make_event(user, "Month end", start=dt.datetime(2026, 1, 31, 1, 0), rrule="FREQ=MONTHLY;BYMONTHDAY=31")
    got = occurrences(user, dt.date(2026, 1, 1), dt.date(2026, 4, 30))
    assert [(o.start.date(), o.start.hour) for o in got] == [(dt.date(2026, 1, 31), 9), (dt.date(2026, 3, 31), 9)]


def test_leap_day_series_in_the_agenda(cal, make_user):
    user = make_user("alice")
    make_event(user, "Leap party", start=dt.datetime(2024, 2, 28, 16, 0), rrule="FREQ=YEARLY")  # 29 Feb 00:00 local
    got = occurrences(user, dt.date(2025, 1, 1), dt.date(2028, 12, 31))
    assert [o.start for o in got] == [dt.datetime(2028, 2, 29, 0, 0)]
