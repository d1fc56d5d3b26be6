"""Lookup fields become a type-ahead when the editor may read more records of the type than a select should
hold (core.records.lookups.LOOKUP_SELECT_LIMIT): the form renders a text input instead of the options, the
suggestions (records.lookup_search) are only records the viewer may read, and the posted text — "Name · #id",
an id, or an exact name — links only a record the editor may read, from every side."""
import json

import pytest

from bench.querylog import page_statements
from core.db import db
from core.models import Account, Competitor, Contact, Lead, Opportunity, OpportunityCompetitor
from core.records import lookups
from tests.core.records.conftest import make_account, make_opportunity, set_sharing, stage


@pytest.fixture
def few(monkeypatch):
    """A select holds one record at most: two readable records make a type-ahead (the rules do not depend
    on the limit; one test below uses the real one)."""
    monkeypatch.setattr(lookups, "LOOKUP_SELECT_LIMIT", 1)


def _many_accounts(owner, n, prefix="Acc"):
    with db.atomic():
        Account.insert_many([{"name": f"{prefix} {i:03d}", "owner": owner.id, "created_by": owner.id}
                             for i in range(n)]).execute()


def _opportunity(account, **kw):
    data = {"name": "Deal", "close_date": "2026-06-30", "stage": str(stage("Proposal").id), "type": "new_business",
            "account": account}
    data.update(kw)
    return data


def _suggestions(client, type_name="account", **query):
    response = client.get(f"/records/{type_name}/lookup.json", query_string=query)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    return json.loads(response.get_data(as_text=True))


def _labels(client, q, **query):
    return [r["label"] for r in _suggestions(client, q=q, **query)["results"]]


@pytest.mark.parametrize("language, placeholder", [("en", "Type a name to search"), ("zh-CN", "输入名称搜索")])
def test_beyond_the_select_limit_the_opportunity_form_is_a_type_ahead(school, as_user, language, placeholder):
    owner = school["owner"]
    _many_accounts(owner, lookups.LOOKUP_SELECT_LIMIT)
    client = as_user(owner, language)
    html = client.get("/records/opportunity/new").get_data(as_text=True)
    assert '<select id="account" name="account">' in html and html.count('<option value="') > 50  # still a select
    make_account(owner, name="One more")
    html = client.get("/records/opportunity/new").get_data(as_text=True)
    assert 'data-lookup-search="/records/account/lookup.json"' in html and 'list="account-suggestions"' in html
    assert '<select id="account"' not in html and "Acc 000" not in html and "One more" not in html  # no options
    assert f'placeholder="{placeholder}"' in html
    assert '<select id="contact" name="contact">' in html  # the owner sees no contact: that one stays a select


def test_suggestions_are_only_records_the_viewer_may_read(school, as_user):
    make_account(school["owner"], name="Acme Own")
    make_account(school["peer"], name="Acme Peer")
    make_account(school["outsider"], name="Acme Far")
    make_account(school["owner"], name="Other")
    set_sharing("account", "private")
    assert _labels(as_user(school["owner"]), "acme") == ["Acme Own"]
    assert _labels(as_user(school["boss"]), "Acme") == ["Acme Own", "Acme Peer"]  # the superior: his team's
    assert _labels(as_user(school["peer"]), "Acme") == ["Acme Peer"]  # a peer: not the owner's
    assert _labels(as_user(school["outsider"]), "Acme") == ["Acme Far"]
    set_sharing("account", "read")  # public read-only: everyone may read, so everyone may link
    assert _labels(as_user(school["peer"]), "Acme") == ["Acme Far", "Acme Own", "Acme Peer"]
    assert _labels(as_user(school["outsider"]), "Acme") == ["Acme Far", "Acme Own", "Acme Peer"]


def test_suggestions_come_a_page_at_a_time_and_post_name_and_id(school, as_user):
    _many_accounts(school["owner"], 25, prefix="Page")
    client = as_user(school["owner"])
    first = _suggestions(client, q="page")
    assert len(first["results"]) == 20 and first["more"] is True
    assert [r["label"] for r in first["results"]] == [f"Page {i:03d}" for i in range(20)]
    top = first["results"][0]
    assert top["value"] == f"Page 000 · #{top['id']}"
    second = _suggestions(client, q="page", page=2)
    assert [r["label"] for r in second["results"]] == [f"Page {i:03d}" for i in range(20, 25)]
    assert second["more"] is False
    assert _suggestions(client, q="page", page="x")["results"][0]["label"] == "Page 000"  # junk: the first page
    assert _labels(client, "page", exclude=str(top["id"]))[0] == "Page 001"  # the record being edited is left out


def test_suggestions_find_people_by_full_name_and_are_html_safe(school, as_user):
    Contact.create(last_name="王", first_name="芳", owner=school["owner"])
    Contact.create(last_name="Chen", first_name="Jing", owner=school["owner"])
    make_account(school["owner"], name="<img src=x onerror=alert(1)>")
    client = as_user(school["owner"])
    assert _labels(client, "王芳", type_name="contact") == ["王芳"]
    assert _labels(client, "Jing Chen", type_name="contact") == ["Jing Chen"]
    raw = client.get("/records/account/lookup.json", query_string={"q": "img"}).get_data(as_text=True)
    assert "<img" not in raw and "\\u003cimg" in raw


def test_unknown_and_switched_off_types_answer_404(school, as_user, make_app, login):
    client = as_user(school["owner"])
    assert client.get("/records/nothing/lookup.json").status_code == 404
    assert client.get("/records/quote/lookup.json?q=a").status_code == 200  # the sales plugin is on here
    app = make_app(plugins=[])
    with app.app_context():
        assert login(app.test_client(), school["owner"]).get("/records/quote/lookup.json").status_code == 404
    assert as_user(school["owner"]).get("/records/account/lookup.json").status_code == 200


def test_suggestions_need_a_login(app, school):
    response = app.test_client().get("/records/account/lookup.json?q=a")
    assert response.status_code in (302, 401) and "Acme" not in response.get_data(as_text=True)


def test_posting_the_suggestion_an_exact_name_or_an_id_links_the_record(school, as_user, few):
    mine = make_account(school["owner"], name="Acme North")
    make_account(school["owner"], name="Acme South")
    client = as_user(school["owner"])
    assert client.post("/records/opportunity/new", data=_opportunity(f"Acme North · #{mine.id}")).status_code == 302
    assert client.post("/records/opportunity/new", data=_opportunity("  acme north ")).status_code == 302
    assert client.post("/records/opportunity/new", data=_opportunity(str(mine.id))).status_code == 302  # bare id
    assert client.post("/records/opportunity/new", data=_opportunity("")).status_code == 302  # no link
    linked = [o.account_id for o in Opportunity.select().order_by(Opportunity.id)]
    assert linked == [mine.id, mine.id, mine.id, None]


def test_a_typed_name_that_ends_in_a_number_is_a_name_not_an_id(school, as_user, few):
    other = make_account(school["owner"], name="Acme North")
    room = make_account(school["owner"], name=f"Room #{other.id}")
    client = as_user(school["owner"])
    assert client.post("/records/opportunity/new", data=_opportunity(f"room #{other.id}")).status_code == 302
    assert Opportunity.get().account_id == room.id   # not the account whose id the name happens to end in


@pytest.mark.parametrize("language, unknown, ambiguous", [
    ("en", "No account you can see is called “Nobody”.",
     "2 accounts you can see are called “Twin”; choose one from the suggestions."),
    ("zh-CN", "您可见的客户中没有名为“Nobody”的记录。", "您可见的客户中有 2 条名为“Twin”的记录，请从建议中选择一条。")])
def test_an_unknown_or_ambiguous_name_is_a_form_error_and_writes_nothing(school, as_user, few, language, unknown,
                                                                        ambiguous):
    make_account(school["owner"], name="Twin")
    make_account(school["owner"], name="TWIN")
    make_account(school["outsider"], name="Nobody")  # out of reach: as if it did not exist
    client = as_user(school["owner"], language)
    r = client.post("/records/opportunity/new", data=_opportunity("Nobody"))
    html = r.get_data(as_text=True)
    assert r.status_code == 400 and unknown in html
    assert 'value="Nobody"' in html  # what was typed is shown again, to correct it
    r = client.post("/records/opportunity/new", data=_opportunity("Twin"))
    assert r.status_code == 400 and ambiguous in r.get_data(as_text=True)
    assert Opportunity.select().count() == 0


def test_a_record_out_of_reach_is_refused_however_it_is_named(school, as_user, few):
    far = make_account(school["outsider"], name="Far Away")
    make_account(school["owner"], name="Mine 1")
    make_account(school["owner"], name="Mine 2")
    client = as_user(school["owner"])
    for text in (f"Far Away · #{far.id}", str(far.id), f"#{far.id}", "99999999999"):
        r = client.post("/records/opportunity/new", data=_opportunity(text))
        assert r.status_code == 400 and "Choose a record you may see." in r.get_data(as_text=True), text
    assert Opportunity.select().count() == 0
    set_sharing("account", "read")
    assert client.post("/records/opportunity/new", data=_opportunity(f"#{far.id}")).status_code == 302


def test_the_superior_links_a_subordinates_record_a_peer_may_not(school, as_user, few):
    mine = make_account(school["owner"], name="Alice's")
    make_account(school["boss"], name="Boss 1")
    make_account(school["peer"], name="Bob 1")
    make_account(school["peer"], name="Bob 2")
    assert as_user(school["boss"]).post("/records/opportunity/new",
                                        data=_opportunity("Alice's")).status_code == 302
    r = as_user(school["peer"]).post("/records/opportunity/new", data=_opportunity(f"Alice's · #{mine.id}"))
    assert r.status_code == 400 and Opportunity.select().count() == 1


def test_the_edit_form_shows_the_link_and_an_account_is_never_its_own_parent(school, as_user, few):
    parent = make_account(school["owner"], name="Holding")
    child = make_account(school["owner"], name="Daughter", parent=parent)
    make_account(school["owner"], name="Sister")
    opp = make_opportunity(school["owner"], account=parent)
    client = as_user(school["owner"])
    assert f'value="Holding · #{parent.id}"' in client.get(f"/records/opportunity/{opp.id}/edit").get_data(as_text=True)
    html = client.get(f"/records/contact/new?account={parent.id}").get_data(as_text=True)
    assert f'value="Holding · #{parent.id}"' in html  # "new contact" from the account's page
    hidden = make_account(school["outsider"], name="Not Yours")
    html = client.get(f"/records/contact/new?account={hidden.id}").get_data(as_text=True)
    assert "Not Yours" not in html and f"#{hidden.id}" not in html
    html = client.get(f"/records/account/{child.id}/edit").get_data(as_text=True)
    assert f'value="Holding · #{parent.id}"' in html and f"lookup.json?exclude={child.id}" in html
    for text in ("Daughter", f"Daughter · #{child.id}"):
        r = client.post(f"/records/account/{child.id}/edit", data={"name": "Daughter", "type": "customer",
                                                                   "parent": text})
        assert r.status_code == 400, text
    assert Account.get_by_id(child.id).parent_id == parent.id
    assert client.post(f"/records/account/{child.id}/edit", data={"name": "Daughter", "type": "customer",
                                                                  "parent": ""}).status_code == 302
    assert Account.get_by_id(child.id).parent_id is None


def test_a_link_to_an_unreadable_record_stays_locked(school, as_user, few):
    hidden = make_account(school["outsider"], name="Secret Ltd")
    make_account(school["owner"], name="Mine 1")
    other = make_account(school["owner"], name="Mine 2")
    contact = Contact.create(last_name="Locked", owner=school["owner"], account=hidden)
    client = as_user(school["owner"])
    html = client.get(f"/records/contact/{contact.id}/edit").get_data(as_text=True)
    assert "(private record)" in html and "Secret Ltd" not in html
    assert f'<option selected value="{hidden.id}">' in html  # not a type-ahead: nothing else may be chosen
    r = client.post(f"/records/contact/{contact.id}/edit", data={"last_name": "Locked", "account": f"#{other.id}"})
    assert r.status_code == 400 and "You may not change a link to a record you may not see." in r.get_data(as_text=True)
    r = client.post(f"/records/contact/{contact.id}/edit", data={"last_name": "Locked", "account": str(hidden.id),
                                                                "title": "CEO"})
    assert r.status_code == 302
    contact = Contact.get_by_id(contact.id)
    assert contact.account_id == hidden.id and contact.title == "CEO"


def test_lead_conversion_takes_a_typed_existing_account(school, as_user, few):
    target = make_account(school["owner"], name="Convert Here")
    make_account(school["owner"], name="Elsewhere")
    lead = Lead.create(last_name="孙", company="Convert Here", owner=school["owner"])
    client = as_user(school["owner"])
    html = client.get(f"/records/lead/{lead.id}/convert").get_data(as_text=True)
    assert 'data-lookup-search="/records/account/lookup.json"' in html
    r = client.post(f"/records/lead/{lead.id}/convert", data={"account": "convert here",
                                                              "create_opportunity": ""})
    assert r.status_code == 302
    assert Contact.get(Contact.last_name == "孙").account_id == target.id


def test_a_competitor_is_linked_by_its_typed_name(school, as_user, few):
    set_sharing("competitor", "read")
    Competitor.create(name="Rival A", owner=school["outsider"].id)
    Competitor.create(name="Rival B", owner=school["owner"].id)
    opp = make_opportunity(school["owner"])
    client = as_user(school["owner"])
    html = client.get(f"/records/opportunity/{opp.id}/competitors").get_data(as_text=True)
    assert 'data-lookup-search="/records/competitor/lookup.json"' in html and "None yet." not in html
    assert client.post(f"/records/opportunity/{opp.id}/competitors", data={"competitor": "rival a"}).status_code == 302
    assert [link.competitor.name for link in OpportunityCompetitor.select()] == ["Rival A"]
    client.post(f"/records/opportunity/{opp.id}/competitors", data={"competitor": "Rival C"})
    assert "No competitor you can see is called “Rival C”." in client.get(f"/records/opportunity/{opp.id}").get_data(
        as_text=True)


def test_the_sales_documents_account_takes_the_suggestion(school, as_user, few):
    from plugins.sales.models import Quote
    account = make_account(school["owner"], name="Huaxia Trading")
    make_account(school["owner"], name="Other Trading")
    client = as_user(school["owner"])
    assert 'data-lookup-search="/records/account/lookup.json"' in client.get("/records/quote/new").get_data(
        as_text=True)
    r = client.post("/records/quote/new", data={"account": f"Huaxia Trading · #{account.id}", "discount": "0",
                                                 "shipping": "0"})
    assert r.status_code == 302 and Quote.get().account_id == account.id


def test_the_csv_import_resolves_names_in_a_type_ahead_lookup(school, as_user, few):
    import io
    make_account(school["owner"], name="看得见")
    make_account(school["owner"], name="也看得见")
    make_account(school["outsider"], name="看不见")
    client = as_user(school["owner"])

    def upload(text):
        return client.post("/records/contact/import", content_type="multipart/form-data", data={
            "file": (io.BytesIO(text.encode()), "c.csv"), "map_0": "last_name", "map_1": "account",
            "action": "commit"})
    assert upload("Last name,Account\n孙,看不见\n").status_code == 400 and Contact.select().count() == 0
    assert upload("Last name,Account\n孙,看得见\n").status_code == 302
    assert Contact.get(Contact.last_name == "孙").account.name == "看得见"


# The opportunity form's statements before the type-ahead (main at 4e04277), the same data: a new form 6; an
# edit form 9 with a select; with 600 readable accounts and contacts and links beyond the first 500 options 13
# (the options, then the link's and the current value's own reads). A type-ahead reads the size (one query
# with a limit) and the linked records by id: 11.
NEW_FORM, EDIT_FORM, EDIT_FORM_MANY = 6, 9, 11


def _count(client, url):
    executed, html = page_statements(client, url, db)
    return len(executed), html


def test_the_form_page_runs_no_more_statements_than_before(school, as_user, monkeypatch):
    owner = school["owner"]
    account = make_account(owner, name="Small")
    contact = Contact.create(last_name="Small", owner=owner, account=account)
    opp = make_opportunity(owner, account=account, contact=contact)
    client = as_user(owner)
    assert _count(client, "/records/opportunity/new")[0] <= NEW_FORM
    count, html = _count(client, f"/records/opportunity/{opp.id}/edit")
    assert count <= EDIT_FORM and '<select id="account"' in html
    monkeypatch.setattr(lookups, "LOOKUP_SELECT_LIMIT", 0)  # the same page as a type-ahead
    assert _count(client, "/records/opportunity/new")[0] <= NEW_FORM
    count, html = _count(client, f"/records/opportunity/{opp.id}/edit")
    assert count <= EDIT_FORM_MANY and f'value="Small · #{account.id}"' in html
