"""The global search (/search) through HTTP, from every side of the access rules and in both languages."""
import pytest

from core.models import Account
from tests.core.records.conftest import make_account, make_opportunity, set_sharing

SEES_PRIVATE = {"alice": True, "bob": False, "manager_a": True, "deputy_a": True, "lead_a": True, "teacher": True,
                "carol": False, "lead_b": False, "manager_b": False, "outsider": False, "admin": True}


def hits(client, q):
    response = client.get("/search", query_string={"q": q})
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.fixture
def records_of_alice(school):
    alice = school["alice"]
    return {"account": make_account(alice, name="ZXQ 华东机械 Alpha"),
            "opportunity": make_opportunity(alice, name="ZXQ 华东机械 ERP")}


@pytest.mark.parametrize("mode", ["private", "read", "readwrite", "readwritedelete"])
def test_each_viewer_finds_exactly_the_records_they_may_read(app, school, as_user, records_of_alice, mode):
    set_sharing("account", mode)
    set_sharing("opportunity", mode)
    for username, sees in SEES_PRIVATE.items():
        expected = sees or mode != "private"  # a sharing mode opens them to every user, position or not
        page = hits(as_user(school[username]), "华东机械")
        for name, record in records_of_alice.items():
            link = f'href="/records/{name}/{record.id}"'
            assert (link in page) == expected, (mode, username, name)


def test_a_term_of_two_characters_and_a_term_in_latin_letters(app, school, as_user, records_of_alice):
    teacher = as_user(school["teacher"])
    account = records_of_alice["account"]
    assert f'href="/records/account/{account.id}"' in hits(teacher, "华东")
    assert f'href="/records/account/{account.id}"' in hits(teacher, "zxq")
    assert f'href="/records/account/{account.id}"' not in hits(teacher, "zxqq")


def test_more_than_five_link_to_the_filtered_list(app, school, as_user):
    for i in range(7):
        make_account(school["alice"], name=f"Moretest {i}")
    page = hits(as_user(school["alice"]), "moretest")
    assert page.count('data-record=') == 5
    assert 'href="/records/account/?q=moretest"' in page and "All 7 accounts" in page


def test_empty_states_in_both_languages(app, school, as_user):
    en, zh = as_user(school["alice"]), as_user(school["alice"], language="zh-CN")
    school["alice"].language = ""
    school["alice"].save()
    assert "Type a name" in hits(en, "")
    assert "Nothing you may see matches" in hits(en, "nothing-like-this")
    assert "搜索全部记录" in hits(zh, "")
    assert "没有与“nothing-like-this”匹配" in hits(zh, "nothing-like-this")


def test_output_is_escaped(app, school, as_user):
    make_account(school["alice"], name="<script>alert(1)</script> Evil Co")
    page = hits(as_user(school["alice"]), "<script>")
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Evil Co" in page


def test_the_top_bar_has_the_search_box_and_strangers_are_sent_to_log_in(app, school, as_user, client):
    assert 'action="/search"' in as_user(school["alice"]).get("/").get_data(as_text=True)
    response = client.get("/search?q=abc")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_plugin_record_types_are_searched_too(app, school, as_user):
    from plugins.campaigns.models import Campaign
    campaign = Campaign.create(name="ZXQ 春季推广", owner=school["alice"], created_by=school["alice"])
    assert f'href="/records/campaign/{campaign.id}"' in hits(as_user(school["alice"]), "春季推广")
    assert f'href="/records/campaign/{campaign.id}"' not in hits(as_user(school["carol"]), "春季推广")


def test_more_hits_than_the_count_cap_read_more_than_in_both_languages(app, school, as_user):
    """The page counts each type as the lists do: exactly up to LIST_COUNT_CAP, beyond it "more than"."""
    app.config["LIST_COUNT_CAP"] = 6
    for i in range(9):
        make_account(school["alice"], name=f"Captest {i}")
    for i in range(6):
        make_account(school["bob"], name=f"Undercap {i}")
    school["manager_a"].language = ""  # the browser's language decides
    school["manager_a"].save()
    en, zh = as_user(school["manager_a"]), as_user(school["manager_a"], language="zh-CN")
    page = hits(en, "captest")
    assert "(more than 6)" in page and "More than 6 accounts" in page and "All 9" not in page
    assert page.count("data-record=") == 5
    assert "超过 6" in hits(zh, "captest")
    exact = hits(en, "undercap")
    assert "(6)" in exact and "All 6 accounts" in exact and "more than" not in exact.lower()
    assert "Captest" not in hits(as_user(school["carol"]), "captest")  # none of them is carol's to read


def test_every_types_hit_and_more_link_open_for_the_viewer(app, school, as_user):
    """The global search links each hit to its record's page and "more" to its type's filtered list: both must
    open for every searchable type, plugins' included (a type whose module has its own pages too)."""
    import re
    from core.records.search_views import searchable_types
    from tests.core.timeline.helpers import world
    alice = school["alice"]
    world(alice, tag="Wzq")
    client = as_user(alice)
    page = hits(client, "wzq")
    with app.test_request_context():
        types = {rt.name for rt in searchable_types(alice)}
    found = set(re.findall(r'data-search-type="([a-z_]+)"', page))
    assert {"account", "contact", "opportunity", "document", "calendar_event", "calendar_task", "feedback",
            "complaint", "service_case", "quote", "sales_order", "invoice", "campaign"} <= found <= types
    for link in re.findall(r'<a href="([^"]+)" data-record=', page):
        assert client.get(link).status_code == 200, link
    for name in found:
        assert client.get(f"/records/{name}/", query_string={"q": "wzq"}).status_code == 200, name
