"""The calendar, forecast and service main pages, slimmed in issue 17: how many SQL statements they run once
the settings cache is warm (exactly, so a per-request or per-row query put back shows), and that what they
draw from precomputed links and labels reads as before in both languages."""
import datetime as dt
import re

import pytest

from bench.querylog import page_statements
from core.db import db
from core.models import Opportunity
from tests.core.access.helpers import make_record
from tests.plugins.calendar.conftest import make_event, make_task

# the fixed cost of a request is 2 (the stamp; the session with its user and unread count)
EXACT = {
    # week/month: the events (single ones and series, one statement), the series' exceptions, tasks, one per
    # service kind, the campaigns' tasks, the opportunities closing, the owners of what is shown — the
    # plugin's own hook no longer queries its events and tasks a second time (it did: 4 statements more)
    "/calendar/?view=week": 11,
    "/calendar/": 11,
    # the year's grouped figures (the quarter's row is the page's figures: no second aggregate), the year's
    # quotas, the end-of-quarter snapshot, the submitted forecasts
    "/forecast/my": 6,
    # the page, and the three tabs' counts in one statement (an unfiltered tab takes its count from them)
    "/service/": 4,
    "/service/?tab=all": 4,
    "/service/?status=new": 5,  # a filtered list counts itself
}


@pytest.fixture
def alice(app, school, login, frozen_clock):
    user = school["alice"]
    for i in range(3):  # several rows: a per-row query would show as more statements
        opp = make_record("opportunity", user, f"mine-{i}")
        Opportunity.update(close_date=dt.date(2026, 5, 12 + i)).where(Opportunity.id == opp.id).execute()
        make_event(user, subject=f"Meeting {i}", start=dt.datetime(2026, 5, 12 + i, 1, 0))
        make_task(user, subject=f"Call {i}", due=dt.date(2026, 5, 12 + i))
    make_event(user, subject="Weekly", start=dt.datetime(2026, 5, 11, 2, 0), rrule="FREQ=DAILY;COUNT=5")
    return user


def statements(client, url):
    return page_statements(client, url, db)


@pytest.mark.parametrize("url", list(EXACT))
def test_the_page_runs_exactly_its_statements(app, alice, login, url):
    executed, _html = statements(login(app.test_client(), alice), url)
    assert len(executed) == EXACT[url], "\n".join(sql for sql, _params in executed)


def test_the_calendar_queries_its_events_and_tasks_once(app, alice, login):
    executed, html = statements(login(app.test_client(), alice), "/calendar/?view=week")
    events = [sql for sql, _p in executed if 'FROM "calendar_event"' in sql or "FROM `calendar_event`" in sql]
    tasks = [sql for sql, _p in executed if 'FROM "calendar_task"' in sql or "FROM `calendar_task`" in sql]
    assert len(events) == 2 and len(tasks) == 1, events + tasks  # events, the series' exceptions; tasks
    for i in range(3):
        assert f"Meeting {i}" in html and f"Call {i}" in html and f"Opportunity mine-{i}" in html
    assert html.count('title="Weekly"') == 5  # the series' five days in the week


@pytest.mark.parametrize("lang, new_at, on_day", [("en", "New event at 2026-05-12 09:00", "New event on this day"),
                                                   ("zh", "在 2026-05-12 09:00 新建日程", "在这一天新建日程")])
def test_the_grid_links_and_labels_in_both_languages(app, alice, as_user, lang, new_at, on_day):
    client = as_user(alice, lang)
    alice.language = lang
    alice.save()
    html = client.get("/calendar/?view=week&date=2026-05-12").get_data(as_text=True)
    # every hour of every day: its slot, its new-event link and its label, as url_for and gettext wrote them
    assert html.count('class="cal-slot"') == 7 * 24
    assert ('<td class="cal-slot" data-slot="2026-05-12T09:00" data-drop="2026-05-12T09:00" '
            'data-new-url="/calendar/events/new?start=2026-05-12T09:00">') in html
    assert f'<a href="/calendar/events/new?start=2026-05-12T09:00" class="cal-add" aria-label="{new_at}">+</a>' in html
    assert '<tr class="cal-hour off-hours"><th scope="row">06:00</th>' in html
    assert '<tr class="cal-hour"><th scope="row">07:00</th>' in html
    assert '<a href="/calendar/?view=day&amp;who=me&amp;date=2026-05-13">' in html
    assert 'data-new-url="/calendar/events/new?date=2026-05-13"' in html
    month = client.get("/calendar/?date=2026-05-12").get_data(as_text=True)
    assert ('<a href="/calendar/?view=day&amp;who=me&amp;date=2026-05-13" class="cal-daynum">13</a>\n'
            f'          <a href="/calendar/events/new?date=2026-05-13" class="cal-add" title="{on_day}" '
            f'aria-label="{on_day}">+</a>') in month
    # an opportunity closing that week links to its record, titled in the reader's language
    opp = Opportunity.get(Opportunity.name == "Opportunity mine-0")
    title = "Expected to close: Opportunity mine-0" if lang == "en" else "预计成交：Opportunity mine-0"
    assert re.search(rf'href="/records/opportunity/{opp.id}" data-kind="opportunity">[^<]*{title}</a>', html), html


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_forecast_figures_link_to_their_arithmetic(app, alice, as_user, lang):
    alice.language = lang
    alice.save()
    html = as_user(alice, lang).get("/forecast/my?quarter=FY2026-Q2").get_data(as_text=True)
    title = "Show the arithmetic" if lang == "en" else "查看计算过程"
    # the seven figures at the top and the seven of each of the year's four quarters
    assert html.count(f'title="{title}"') == 7 + 4 * 7
    assert (f'<a href="/forecast/figure?figure=best&amp;scope=user&amp;id={alice.id}&amp;quarter=FY2026-Q2" '
            f'data-figure="best" title="{title}">') in html
    assert html.count("data-definitions") == 1
    other = "How the figures are made" if lang == "en" else "数字是怎样算出来的"
    assert other in html
