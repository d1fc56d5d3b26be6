"""The service list as a reader sees it, in both languages: labels translated once per page (types, channels,
priorities, statuses, the overdue pill) read as before, and an unfiltered tab's count — taken from the tabs'
counts instead of counting the list again — is the list's own."""
import datetime as dt
import re

import pytest

T0 = dt.datetime(2026, 5, 15, 2, 0, 0)
LABELS = {
    "en": {"type": "Complaint", "overdue": "Overdue: response", "open": "Open", "priority": "Urgent"},
    "zh": {"type": "客户投诉", "overdue": "已逾期: 响应", "open": "未结", "priority": "紧急"},
}


@pytest.fixture
def listed(app, team, make_item, frozen_clock):
    frozen_clock(T0)
    owner = team["owner"]
    late = make_item("feedback", owner, priority="urgent", subject="late one")
    make_item("feedback", owner, priority="low", subject="fine one")
    complaint = make_item("complaint", owner, priority="low", subject="a complaint")
    make_item("case", team["peer"], priority="low", subject="peer's case")
    frozen_clock(T0 + dt.timedelta(hours=1))
    return owner, late, complaint


def counts(html):
    return dict(re.findall(r'data-tab="(\w+)"[^>]*>[^<]*<span class="count">(\d+)</span>', html))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_list_reads_in_the_readers_language(app, listed, client, login, lang):
    owner, late, complaint = listed
    owner.language = lang
    owner.save()
    login(client, owner)
    html = client.get("/service/?tab=my").get_data(as_text=True)
    words = LABELS[lang]
    row = re.search(rf'<tr class="overdue" data-item="feedback-{late.id}">.*?</tr>', html, re.S).group(0)
    assert f'<span class="pill bad" data-overdue>{words["overdue"]}</span>' in row
    assert f"<td>{words['priority']}</td>" in row
    row = re.search(rf'<tr class="" data-item="complaint-{complaint.id}">.*?</tr>', html, re.S).group(0)
    assert f"<td>{words['type']}</td>" in row
    assert html.count("data-overdue") == 1


def test_an_unfiltered_tab_counts_as_a_filtered_one_would(app, listed, client, login):
    owner, _late, _complaint = listed
    login(client, owner)
    html = client.get("/service/").get_data(as_text=True)
    tabs = counts(html)
    for tab in ("my", "open", "all"):
        page = client.get(f"/service/?tab={tab}").get_data(as_text=True)
        rows = page.count("data-item=")
        assert int(tabs[tab]) == rows, tab
        # the same list counted by core.web.paginate (a filter that keeps every row: any priority of these)
        filtered = client.get(f"/service/?tab={tab}&q=%20").get_data(as_text=True)
        assert filtered.count("data-item=") == rows
    assert client.get("/service/?tab=all&page=2").status_code == 404  # past the last page: 404, as paginate has it
