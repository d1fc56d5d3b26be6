"""A day with many opportunities closing: month and week cells show three other-module items and "+N more"
(the day view has them all), counted from every side and in each sharing mode; whose calendars are shown
decides whose deals (the counts come from the database's narrowed query: a missing narrowing miscounts)."""
import datetime as dt
import re
import sys
import types

import pytest

from core import hookimpl
from core.extension import CalendarItem
from core.models import Opportunity, SalesStage, SharingMode
from core.records import service as records

DAY = dt.date(2026, 5, 15)


def close_on(owner, name, day=DAY, stage="Proposal"):
    records.save("opportunity", Opportunity(name=name, close_date=day, stage=SalesStage.get(SalesStage.name == stage),
                                            owner=owner.id), owner)


def share_opportunities(mode):
    if not SharingMode.update(mode=mode).where(SharingMode.family == "opportunity").execute():
        SharingMode.create(family="opportunity", mode=mode)


def cell(page, day=DAY):
    """The month or week cell of ``day`` (its all-day cell in a week)."""
    return page.split(f'data-drop="{day.isoformat()}"')[1].split("</td>")[0]


def shown_and_more(html):
    names = re.findall(r"Expected to close: ([^<]+)</a>", html)
    more = re.search(r'data-more="(\d+)"', html)
    return names, int(more.group(1)) if more else 0


@pytest.fixture
def busy_school(school):
    """On 15 May: five of the owner's opportunities close, one of the peer's, two of the outsider's (another
    department), and one of the owner's already won (not expected to close any more)."""
    for n in range(5):
        close_on(school["owner"], f"Deal {n}")
    close_on(school["peer"], "Peer deal")
    close_on(school["outsider"], "Far deal A")
    close_on(school["outsider"], "Far deal B")
    close_on(school["owner"], "Won deal", stage="Closed Won")
    close_on(school["owner"], "Next day deal", day=DAY + dt.timedelta(days=1))
    return school


@pytest.mark.parametrize("mode", ["private", "read"])
def test_a_cell_shows_three_and_counts_the_rest_as_the_day_lists_them(busy_school, client, login, frozen_clock,
                                                                       mode):
    share_opportunities(mode)
    for role in ("owner", "peer", "lead", "outsider"):
        login(client, busy_school[role])
        for who in ("me", "team", "all"):
            day = client.get(f"/calendar/?view=day&date={DAY}&who={who}").get_data(as_text=True)
            everything, none_hidden = shown_and_more(cell(day))
            assert none_hidden == 0 and "Won deal" not in everything and "Next day deal" not in everything
            assert everything == sorted(everything)
            for view in ("month", "week"):
                page = client.get(f"/calendar/?view={view}&date={DAY}&who={who}").get_data(as_text=True)
                shown, more = shown_and_more(cell(page))
                assert shown == everything[:3], (mode, role, who, view)
                assert more == len(everything) - len(shown), (mode, role, who, view)
                if more:
                    link = re.search(r'<a class="cal-more" href="([^"]+)"', cell(page)).group(1)
                    assert f"date={DAY}" in link and "view=day" in link and f"who={who}" in link
        client.get("/logout")
    # what each side reads, spelled out once: the superior's team, the owner alone, the outsider's own
    login(client, busy_school["lead"])
    team = client.get(f"/calendar/?view=day&date={DAY}&who=team").get_data(as_text=True)
    assert shown_and_more(cell(team))[0] == ["Deal 0", "Deal 1", "Deal 2", "Deal 3", "Deal 4", "Peer deal"]
    assert shown_and_more(cell(client.get(f"/calendar/?date={DAY}").get_data(as_text=True))) == ([], 0)


def test_whose_calendar_is_shown_decides_whose_deals(busy_school, client, login, frozen_clock):
    """The owner's own calendar holds none of the peer's deals even where the sharing mode lets them be read;
    everyone's holds them, one person's holds theirs."""
    share_opportunities("read")
    login(client, busy_school["owner"])
    mine = cell(client.get(f"/calendar/?view=day&date={DAY}").get_data(as_text=True))
    everyone = cell(client.get(f"/calendar/?view=day&date={DAY}&who=all").get_data(as_text=True))
    assert "Peer deal" not in mine and "Far deal A" not in mine and "Deal 4" in mine
    assert "Peer deal" in everyone and "Far deal A" in everyone
    peer = busy_school["peer"]
    one = cell(client.get(f"/calendar/?view=day&date={DAY}&who={peer.id}").get_data(as_text=True))
    assert shown_and_more(one) == (["Peer deal"], 0)


def test_other_modules_items_share_the_three_and_the_count(make_app, make_user, login, frozen_clock):
    extra = types.ModuleType("tests_calendar_busy_extra")
    extra.NAME = "calendar_busy_extra"

    @hookimpl
    def zhixin_calendar_items(user, start, end, owners):
        return [CalendarItem(title=f"Case {n}", start=DAY, url=f"/cases/{n}", kind="service", all_day=True,
                             owner_id=None) for n in range(2)]
    extra.zhixin_calendar_items = zhixin_calendar_items
    extra.HOOKS = "tests_calendar_busy_extra"
    sys.modules["tests_calendar_busy_extra"] = extra
    app = make_app(plugins=["calendar", "calendar_busy_extra"], extra_plugins=[extra])
    with app.app_context():
        alice = make_user("alice", language="zh")
        for n in range(4):
            close_on(alice, f"Deal {n}")
        client = app.test_client()
        login(client, alice)
        month = cell(client.get(f"/calendar/?date={DAY}").get_data(as_text=True))
        day = cell(client.get(f"/calendar/?view=day&date={DAY}").get_data(as_text=True))
    # six items that day: "Case 0", "Case 1" and the first deal sort first (by title); "还有 3 项"
    assert month.count('class="cal-task cal-extra"') == 3 and "Case 0" in month and "Case 1" in month
    assert 'data-more="3"' in month and "还有 3 项" in month
    assert day.count('class="cal-task cal-extra"') == 6 and "data-more" not in day


def test_agenda_pages_read_only_the_deals_up_to_the_page_and_hold_every_row_once(make_app, make_user, login,
                                                                                 frozen_clock):
    """The agenda reads the opportunities closing up to the page it shows (and counts the rest): walked page
    by page, every event, task and deal of the 30 days comes once, in time order, the deals by name within a
    day, and the count is the whole agenda's."""
    from tests.plugins.calendar.conftest import make_event, make_task
    app = make_app(plugins=["calendar"], PAGE_SIZE=3)
    with app.app_context():
        alice = make_user("alice")
        for n, days in enumerate([1, 1, 1, 2, 5, 5, 9, 20]):
            close_on(alice, f"Deal {7 - n}", day=DAY + dt.timedelta(days=days))
        close_on(alice, "Too late", day=DAY + dt.timedelta(days=45))
        make_event(alice, "Kick-off", start=dt.datetime(2026, 5, 16, 1))     # 09:00 local on 16 May
        make_task(alice, "Send offer", due=dt.date(2026, 5, 20))
        client = app.test_client()
        login(client, alice)
        shown, page_no, counts = [], 1, set()
        while True:
            page = client.get(f"/calendar/?view=agenda&date={DAY}&page={page_no}").get_data(as_text=True)
            shown += re.findall(r"Expected to close: ([^<]+)</a>|(Kick-off)</a>|☐ (Send offer)</a>", page)
            counts.update(re.findall(r"data-count>([^<]+)<", page))
            pager = page.split('<nav class="pagination"')[-1] if '<nav class="pagination"' in page else ""
            if 'rel="next"' not in pager or page_no == 10:
                break
            page_no += 1
    names = ["".join(groups) for groups in shown]
    # 16 May: three deals (by name) and the 09:00 event after the all-day deals; 20 May: the five-day deals
    # and the task
    assert names == ["Deal 5", "Deal 6", "Deal 7", "Kick-off", "Deal 4", "Deal 2", "Deal 3", "Send offer",
                     "Deal 1", "Deal 0"]
    assert page_no == 4 and len(counts) == 1 and "10" in counts.pop()
