"""The owner type-ahead (records.owner_search) answers only users the viewer may make owners — from every side
— a page at a time, with names as data; a list renders a plain select for a small team and the type-ahead
(which still posts without JavaScript, as a user name) beyond OWNER_SELECT_LIMIT."""
import json

import pytest

from core.db import db
from core.models import Account
from core.records.lookups import OWNER_SEARCH_LIMIT, OWNER_SELECT_LIMIT


def names(client, q="", page=1):
    response = client.get("/records/owners.json", query_string={"q": q, "page": page})
    assert response.status_code == 200 and response.mimetype == "application/json"
    body = json.loads(response.get_data(as_text=True))
    return {r["username"] for r in body["results"]}, body["more"]


@pytest.fixture
def school(app, make_school):
    """The canonical school by username (not the records directory's role names)."""
    return make_school()


def test_each_side_finds_only_the_users_it_may_assign(app, school, as_user):
    assert names(as_user(school["alice"]))[0] == {"alice"}  # a salesperson: only herself
    assert names(as_user(school["manager_a"]))[0] == {"manager_a", "alice", "bob"}  # not the peer deputy_a
    assert names(as_user(school["manager_b"]))[0] == {"manager_b", "carol"}  # the other class
    assert names(as_user(school["lead_a"]))[0] == {"lead_a", "manager_a", "deputy_a", "alice", "bob"}
    everyone = {u for u in school if u != "positions"}
    assert names(as_user(school["admin"]))[0] == everyone
    assert names(as_user(school["manager_a"]), "car")[0] == set()  # carol exists, out of reach
    assert names(as_user(school["admin"]), "car")[0] == {"carol"}


def test_the_search_matches_names_as_text_and_pages(app, school, as_user, make_user):
    with db.atomic():
        for i in range(OWNER_SEARCH_LIMIT + 5):
            make_user(f"pupil{i:02d}", position=school["positions"]["sales_a"])
    manager = as_user(school["manager_a"])
    first, more = names(manager, "pupil")
    second, more_after = names(manager, "pupil", page=2)
    assert len(first) == OWNER_SEARCH_LIMIT and more and len(second) == 5 and not more_after
    assert first.isdisjoint(second)
    assert names(manager, "%")[0] == set() and names(manager, "' OR 1=1 --")[0] == set()
    assert not names(as_user(school["alice"]), "pupil")[0]
    assert names(as_user(school["alice"]), "", page=0)[0] == {"alice"}  # page 0 reads as the first


def test_names_come_back_as_data_never_markup(app, school, as_user, make_user):
    make_user("mallory", position=school["positions"]["sales_a"], full_name="<img src=x onerror=alert(1)>")
    manager = as_user(school["manager_a"])
    raw = manager.get("/records/owners.json", query_string={"q": "mallory"}).get_data(as_text=True)
    assert "<" not in raw and ">" not in raw
    assert json.loads(raw)["results"][0]["label"] == "<img src=x onerror=alert(1)> (mallory)"
    Account.create(name="Mallory's", owner=school["manager_a"].id)
    page = manager.get("/records/account/").get_data(as_text=True)  # a small team: the plain select
    assert '<select class="filter" name="owner"' in page and "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt; (mallory)" in page


def test_the_anonymous_get_no_users(app, school):
    response = app.test_client().get("/records/owners.json?q=a")
    assert response.status_code in (302, 401) and "alice" not in response.get_data(as_text=True)


def test_a_large_team_gets_the_type_ahead_and_reassigns_by_user_name_without_javascript(app, school, as_user,
                                                                                         make_user):
    positions = school["positions"]
    with db.atomic():
        for i in range(OWNER_SELECT_LIMIT + 1):
            make_user(f"pupil{i:02d}", position=positions["sales_a"])
    account = Account.create(name="Handed over", owner=school["manager_a"].id)
    manager = as_user(school["manager_a"])
    page = manager.get("/records/account/").get_data(as_text=True)
    assert 'name="owner_name"' in page and "data-owner-search=" in page
    assert "pupil00" not in page  # nobody rendered: the type-ahead asks
    manager.post("/records/account/reassign", data={"ids": [account.id], "owner_name": "carol"})
    assert Account.get_by_id(account.id).owner_id == school["manager_a"].id  # out of reach: refused
    manager.post("/records/account/reassign", data={"ids": [account.id], "owner_name": "pupil07"})
    owner = Account.get_by_id(account.id).owner
    assert owner.username == "pupil07" and owner.position_id == positions["sales_a"].id


def test_a_small_team_still_reassigns_through_the_select(app, school, as_user):
    account = Account.create(name="To Bob", owner=school["manager_a"].id)
    manager = as_user(school["manager_a"])
    assert 'name="owner_name"' not in manager.get("/records/account/").get_data(as_text=True)
    manager.post("/records/account/reassign", data={"ids": [account.id], "owner": school["bob"].id})
    assert Account.get_by_id(account.id).owner_id == school["bob"].id
    manager.post("/records/account/reassign", data={"ids": [account.id], "owner": school["carol"].id})
    assert Account.get_by_id(account.id).owner_id == school["bob"].id
    for nonsense in ("2" * 30, "-1", "x", ""):
        assert manager.post("/records/account/reassign",
                            data={"ids": [account.id], "owner": nonsense}).status_code == 302, nonsense
    assert Account.get_by_id(account.id).owner_id == school["bob"].id



def test_the_reassign_select_follows_renames_and_moves_at_the_next_request(app, school, as_user):
    """The select's choices are kept in the settings cache: a rename, a move out of the team and a
    deactivation reach it at the manager's next request (each bumps the stamp)."""
    from core.models import User
    Account.create(name="Kept", owner=school["manager_a"].id)
    manager = as_user(school["manager_a"])

    def options():
        page = manager.get("/records/account/").get_data(as_text=True)
        return page[page.index('name="owner"'):].split("</select>")[0]
    assert "(bob)" in options() and "Renamed Bob" not in options()
    User.update(full_name="Renamed Bob").where(User.id == school["bob"].id).execute()
    assert "Renamed Bob (bob)" in options()
    User.update(position=school["carol"].position_id).where(User.id == school["bob"].id).execute()
    assert "(bob)" not in options()
    User.update(active=False).where(User.id == school["alice"].id).execute()
    assert "(alice)" not in options()
