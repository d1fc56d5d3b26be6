"""The customer timeline on an account's page, through HTTP: every source, every side of the access rules and
every sharing mode, modules off for a class, pagination without gaps or repeats, both languages."""
import datetime as dt
import re

import pytest

from core.classroom import modules
from core.models import Account, Contact
from plugins.calendar.models import CalendarEvent
from tests.core.access.helpers import SIDES, expected, sides_of
from tests.core.records.conftest import set_sharing
from tests.core.timeline.helpers import PLUGIN_OF, START, world

FAMILIES = ("account", "opportunity", "document", "calendar", "service", "sales", "campaign")
MODES = ("private", "read", "readwrite", "readwritedelete")
ITEM = re.compile(r'data-timeline-item="([a-z_]+):(\d+)"')


def shown(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    page = response.get_data(as_text=True)
    return [(kind, int(id_)) for kind, id_ in ITEM.findall(page)], page


def walk(client, url):
    """Every item of a timeline, following its "older" links from the first page to the last."""
    seen, pages = [], 0
    while url:
        items, page = shown(client, url)
        seen += items
        older = re.search(r'href="([^"]+)" rel="next" data-timeline-older', page)
        url = older.group(1).replace("&amp;", "&") if older else None
        pages += 1
        assert pages < 100
    return seen, pages


@pytest.fixture
def sides(app, make_school):
    return sides_of(make_school())


def test_every_source_is_on_the_accounts_page_newest_first_with_its_plugin(app, sides, as_user):
    account, items = world(sides["owner"])
    url = f"/records/account/{account.id}/timeline"
    got, page = shown(as_user(sides["owner"]), url)
    assert sorted(got) == sorted(items.items())
    times = re.findall(r'<time datetime="([^"]+)"', page)
    assert times == sorted(times, reverse=True)
    for kind, plugin in PLUGIN_OF.items():
        assert f'data-timeline-item="{kind}:{items[kind]}" data-plugin="{plugin}"' in page
    detail, _page = shown(as_user(sides["owner"]), f"/records/account/{account.id}")
    assert len(detail) == 10 and detail == got[:10]
    assert 'data-timeline-older' in _page


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("side", SIDES)
def test_each_side_sees_the_whole_timeline_exactly_when_it_may_read_the_records(app, sides, as_user, side, mode):
    for family in FAMILIES:
        set_sharing(family, mode)
    account, items = world(sides["owner"])
    client = as_user(sides[side])
    url = f"/records/account/{account.id}/timeline"
    if not expected(side, mode, "read"):
        assert client.get(url).status_code == 404
        assert client.get(f"/records/account/{account.id}").status_code == 404
        return
    got, _pages = walk(client, url)
    assert sorted(got) == sorted(items.items())


def test_a_peer_reading_only_accounts_sees_only_the_account_and_contact(app, sides, as_user):
    set_sharing("account", "read")
    account, items = world(sides["owner"])
    got, _ = shown(as_user(sides["peer"]), f"/records/account/{account.id}/timeline")
    assert sorted(got) == sorted([("account_created", items["account_created"]),
                                  ("contact_created", items["contact_created"]),
                                  ("mail", items["mail"])])  # an e-mail is as readable as its contact


def test_items_of_a_contact_the_viewer_may_not_read_are_left_out(app, sides, as_user):
    """The peer reads the account (its owner shares nothing, the peer owns it) but not the owner's contact, whose
    items the peer may read (the read sharing of calendar and service) stay off the account's timeline."""
    peer, owner = sides["peer"], sides["owner"]
    account = Account.create(name="Peer's account", owner=peer.id, created_by=peer.id)
    set_sharing("service", "read")
    _, items = world(owner, account=account)
    got = dict(shown(as_user(peer), f"/records/account/{account.id}/timeline")[0])
    assert "service_feedback" not in got and "contact_created" not in got
    assert got["account_created"] == account.id


def test_someone_elses_private_event_is_not_on_the_timeline(app, sides, as_user):
    set_sharing("calendar", "read")
    account, items = world(sides["owner"])
    CalendarEvent.update(private=True).where(CalendarEvent.id == items["calendar_event"]).execute()
    kinds = dict(shown(as_user(sides["superior"]), f"/records/account/{account.id}/timeline")[0])
    assert "calendar_event" not in kinds and "calendar_task" in kinds
    assert "calendar_event" in dict(shown(as_user(sides["owner"]), f"/records/account/{account.id}/timeline")[0])


def test_a_module_off_for_a_class_gives_nothing_to_that_class_only(app, make_school, as_user):
    s = make_school()
    with app.test_request_context():
        for plugin in ("service", "sales"):
            modules.set_classes(plugin, [s["positions"]["class_b"].id])
    account, items = world(s["alice"])  # class A
    url = f"/records/account/{account.id}/timeline"
    for user, sees in ((s["alice"], False), (s["lead_a"], False), (s["teacher"], True), (s["admin"], True)):
        kinds = {k for k, _ in walk(as_user(user), url)[0]}
        off = {k for k in kinds if k.startswith(("service_", "sales_"))}
        assert bool(off) == sees, user.username
        assert {"calendar_event", "campaign_member", "stage_change"} <= kinds


def test_pages_have_no_gaps_or_repeats_through_ties_and_new_items(app, sides, as_user, frozen_clock):
    owner = sides["owner"]
    account, items = world(owner)
    tie = dt.datetime(2026, 3, 2, 1, 5)   # the document's minute: ties across kinds and within one
    frozen_clock(tie)
    for i in range(45):
        Contact.create(last_name=f"Tie {i}", account=account.id, owner=owner.id, created_by=owner.id)
    client = as_user(owner)
    first, page = shown(client, f"/records/account/{account.id}/timeline")
    older = re.search(r'href="([^"]+)" rel="next" data-timeline-older', page).group(1).replace("&amp;", "&")
    Contact.create(last_name="Newer", account=account.id, owner=owner.id, created_by=owner.id,  # between pages
                   created_at=START + dt.timedelta(days=1))
    rest, pages = walk(client, older)
    got = first + rest
    assert len(got) == len(set(got)) == len(items) + 45
    assert pages + 1 == 3  # 20 + 20 + 19
    assert 'data-timeline-newest' in shown(client, older)[1]


def test_past_the_last_item_the_empty_state_and_a_bad_cursor_is_refused(app, sides, as_user):
    account, _ = world(sides["owner"])
    client = as_user(sides["owner"])
    url = f"/records/account/{account.id}/timeline"
    _, page = shown(client, url + "?before=2000-01-01T00:00:00~account_created~1")
    assert "Nothing has happened with this record yet." in page and "data-timeline-older" not in page
    for bad in ("nonsense", "2026-01-01~x", "2026-13-01T00:00:00~a~1", "2026-01-01T00:00:00~a~x",
                "2026-01-01T00:00:00~a~99999999999999999999", "2026-01-01T00:00:00~~1"):
        assert client.get(url, query_string={"before": bad}).status_code == 400
    assert client.get("/records/lead/1/timeline").status_code == 404


def test_the_timeline_reads_in_chinese_with_dates_in_the_organisations_zone(app, make_school, as_user):
    s = make_school(language="")
    account, items = world(s["alice"])
    client = as_user(s["alice"], language="zh-CN")
    # a cursor just after the newest item: the whole timeline on one page, with its "newest" link
    _, page = shown(client, f"/records/account/{account.id}/timeline?before=2026-03-02T01:13:30~x~1")
    section = page[page.index('id="timeline"'):]
    _, detail = shown(client, f"/records/account/{account.id}")
    assert "更早" in detail and ">Older" not in detail
    for word in ("时间线", "报价单", "发票", "日程", "任务", "阶段"):
        assert word in section, word
    assert "最新" in section
    for english in ("Timeline", "Quote", "Invoice", "Event", "Task", "Stage changed", "Newest", "Contact created",
                    "Draft", "Planned", "Completed"):
        assert english not in section, english
    # 2026-03-02 01:13 UTC is 09:13 in the organisation's zone (Asia/Shanghai)
    assert "09:13" in section and "01:13" not in section.split("datetime=")[0]


def test_the_timeline_escapes_what_users_wrote(app, sides, as_user):
    owner = sides["owner"]
    account = Account.create(name="<b>Evil</b>", owner=owner.id, created_by=owner.id)
    _, page = shown(as_user(owner), f"/records/account/{account.id}/timeline")
    assert "<b>Evil</b>" not in page and "&lt;b&gt;Evil&lt;/b&gt;" in page
