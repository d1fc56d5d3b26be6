"""The service list's "assigned to" filter and tab counts: a select of the viewer's team when it is small, a
type-ahead (a user name, core.js) for a large one — never every user of the school in the page —
and the three tab counts agree with the rows each tab lists."""
import re

from core.db import db
from core.records.lookups import OWNER_SELECT_LIMIT


def _tab_counts(html):
    return {tab: int(n) for tab, n in re.findall(r'tab=(my|open|all)[^>]*>[^<]*<span[^>]*>\s*(\d+)', html)}


def test_a_small_team_filters_by_a_select_of_the_team_only(app, team, make_item, as_user):
    make_item("feedback", team["owner"], subject="alice's call")
    make_item("feedback", team["peer"], subject="bob's call")
    boss = as_user(team["boss"])
    html = boss.get("/service/?tab=all").get_data(as_text=True)
    select = html[html.index('name="owner"'):].split("</select>")[0]
    assert "(alice)" in select and "(bob)" in select and "(carol)" not in select  # outside the boss's team
    assert 'name="owner_name"' not in html
    only_alice = boss.get(f"/service/?tab=all&owner={team['owner'].id}").get_data(as_text=True)
    assert "alice&#39;s call" in only_alice and "bob&#39;s call" not in only_alice


def test_a_large_team_gets_the_type_ahead_and_filters_by_user_name(app, make_school, team, make_item, as_user,
                                                                    make_user):
    positions = make_school(language="")["positions"]
    with db.atomic():
        for i in range(OWNER_SELECT_LIMIT + 1):
            make_user(f"helper{i:02d}", position=positions["sales_a"])
    make_item("complaint", team["owner"], subject="alice's complaint")
    make_item("complaint", team["peer"], subject="bob's complaint")
    boss = as_user(team["boss"])
    html = boss.get("/service/?tab=all").get_data(as_text=True)
    assert 'name="owner_name"' in html and "data-owner-search=" in html
    assert "helper00" not in html  # nobody listed: the type-ahead asks the server
    by_name = boss.get("/service/?tab=all&owner_name=bob").get_data(as_text=True)
    assert "bob&#39;s complaint" in by_name and "alice&#39;s complaint" not in by_name
    assert 'value="bob"' in by_name  # the filter stays filled in
    nobody = boss.get("/service/?tab=all&owner_name=no-such-user").get_data(as_text=True)
    assert "bob&#39;s complaint" not in nobody and "alice&#39;s complaint" not in nobody
    zh = as_user(team["boss"], language="zh-CN").get("/service/?tab=all").get_data(as_text=True)
    assert "负责人（用户名）" in zh


def test_the_tab_counts_are_the_rows_each_tab_lists(app, team, make_item, as_user):
    make_item("feedback", team["owner"], subject="open mine")
    make_item("case", team["owner"], subject="open case")
    closed = make_item("complaint", team["owner"], subject="closed mine")
    closed.status = "closed"
    closed.save()
    make_item("feedback", team["peer"], subject="open peer's")
    for viewer, expected in ((team["owner"], {"my": 2, "open": 2, "all": 3}),
                             (team["boss"], {"my": 0, "open": 3, "all": 4}),
                             (team["outsider"], {"my": 0, "open": 0, "all": 0})):
        client = as_user(viewer)
        html = client.get("/service/").get_data(as_text=True)
        counts = _tab_counts(html)
        assert counts == expected, (viewer.username, counts)
        for tab, n in expected.items():
            listed = client.get(f"/service/?tab={tab}").get_data(as_text=True)
            subjects = sum(listed.count(s) for s in ("open mine", "open case", "closed mine", "open peer&#39;s"))
            assert subjects == n, (viewer.username, tab)
