"""The indexed quick search and the lookup type-ahead find exactly what the plain LIKE scan finds, and the index
follows every write."""
import peewee
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from core import search
from core.db import db, is_postgres
from core.models import Account, Contact
from core.records import lookups, registry as records
from core.records.views import list_query, search_expression

ALPHABET = "abcAB 王芳华东公司-@._%"
text = st.text(alphabet=ALPHABET, max_size=12)


def ids(query):
    return sorted(r.id for r in query)


def indexed_ids(rt, user, q):
    """The list's own query (the index narrowing applied for a wide viewer); on PostgreSQL with sequential
    scans off, so that the pg_trgm indexes answer."""
    query, _state = list_query(rt, user, {"q": q})
    if not is_postgres():
        return ids(query)
    with db.atomic():
        db.execute_sql("SET LOCAL enable_seqscan = off")
        return ids(query)


def scan_ids(rt, q):
    return ids(rt.model.select(rt.model.id).where(search_expression(rt, q)))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.tuples(text, text, text), min_size=1, max_size=6), pick=st.integers(0, 100),
       start=st.integers(0, 11), length=st.integers(1, 6), free=text)
def test_indexed_search_finds_what_the_scan_finds(app, school, rows, pick, start, length, free):
    admin, owner = school["admin"], school["alice"]
    Account.delete().execute()
    Contact.delete().execute()
    for name, email, last in rows:
        Account.create(name=name, email=email, phone=last, owner=owner, created_by=owner)
        first, _, last = last.partition(" ")
        Contact.create(last_name=last or "x", first_name=first, email=email, owner=owner, created_by=owner)
    source = " ".join(" ".join(r) for r in rows)
    terms = [source[start + pick % max(len(source), 1):][:length + 2].strip(), free.strip(),
             " ".join(reversed(rows[0][2].split()))]
    with app.test_request_context():
        for name in ("account", "contact"):
            rt = records.get(name)
            for q in terms:
                if q:
                    assert indexed_ids(rt, admin, q) == scan_ids(rt, q), (name, q)
                    found, _more = lookups.find_readable(admin, rt, q, limit=100)
                    named = rt.model.select(rt.model.id).where(lookups._name_contains(rt, q))
                    assert sorted(r.id for r in found) == ids(named), (name, q)


@pytest.mark.parametrize("q", ["华东机械", "HUADONG", "machinery co", "ng Ma"])
def test_the_index_narrows_a_wide_viewers_search(app, school, q):
    Account.create(name="华东机械 Huadong Machinery Co", owner=school["alice"], created_by=school["alice"])
    with app.test_request_context():
        rt = records.get("account")
        narrowing = search.narrowing(rt, school["admin"], q)
        assert (narrowing is None) == is_postgres()  # PostgreSQL's GIN indexes serve the ILIKE itself
        assert len(indexed_ids(rt, school["admin"], q)) == 1


def test_a_narrow_viewer_and_a_short_term_keep_the_scan(app, school):
    with app.test_request_context():
        rt = records.get("account")
        assert search.narrowing(rt, school["alice"], "华东机械") is None   # the owner index is faster
        assert search.narrowing(rt, school["admin"], "华东") is None       # two characters: no trigram


def test_index_follows_create_edit_and_delete(app, school, as_user):
    admin = as_user(school["admin"])
    owner = as_user(school["alice"])

    def found(q, account):
        return f'href="/records/account/{account.id}"' in admin.get(f"/records/account/?q={q}").get_data(as_text=True)

    response = owner.post("/records/account/new", data={"name": "北方重工 Northern", "type": "", "industry": ""})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    account = Account.get(Account.name == "北方重工 Northern")
    assert found("北方重工", account) and found("NORTHERN", account)
    owner.post(f"/records/account/{account.id}/edit", data={"name": "南方电力 Southern", "type": "", "industry": ""})
    assert found("南方电力", account) and not found("北方重工", account)
    owner.post(f"/records/account/{account.id}/delete")
    assert not found("南方电力", account)
    assert not Account.select().where(Account.id == account.id).exists()


def test_index_tables_are_not_application_tables(app):
    tables = set(search.data_tables(db.obj))
    assert "account" in tables
    assert not {t for t in tables if t.startswith("account_search")}


def test_index_follows_writes_that_leave_the_search_fields_alone(app, school):
    """A reassign changes no search field (SQLite's trigger does not fire); a later rename still replaces the
    old name in the index."""
    alice, bob = school["alice"], school["bob"]
    account = Account.create(name="西部矿业 Western", owner=alice, created_by=alice)
    Account.update(owner=bob).where(Account.id == account.id).execute()
    Account.update(name="东部港口 Eastern").where(Account.id == account.id).execute()
    with app.test_request_context():
        rt = records.get("account")
        assert indexed_ids(rt, school["admin"], "东部港口") == [account.id]
        assert indexed_ids(rt, school["admin"], "西部矿业") == []
        assert indexed_ids(rt, school["admin"], "western") == []


@pytest.mark.parametrize("cap", [1, 500])
def test_the_type_ahead_finds_a_common_and_a_rare_term_alike(app, school, monkeypatch, cap):
    """A term the index holds for more than LOOKUP_CANDIDATES records is left to the scan in name order,
    a rarer one is looked up among its candidates: the suggestions are the same."""
    owner = school["alice"]
    made = [Account.create(name=f"{word} printer {i}", owner=owner, created_by=owner)
            for i, word in enumerate(("Acme", "Huaxin", "Acme", "Dongfang"))]
    monkeypatch.setattr(lookups, "LOOKUP_CANDIDATES", cap)
    with app.test_request_context():
        rt = records.get("account")
        held = search.candidates(rt, school["admin"], "printer", cap)
        if is_postgres():
            assert held is None  # the GIN indexes serve the ILIKE itself
        else:
            assert held is None if cap == 1 else sorted(held) == sorted(a.id for a in made)
        found, more = lookups.find_readable(school["admin"], rt, "printer")
        assert [a.name for a in found] == sorted(a.name for a in made) and not more
        found, _more = lookups.find_readable(school["admin"], rt, "acme PRINTER")
        assert [a.id for a in found] == [made[0].id, made[2].id]


@pytest.mark.parametrize("share", [0, 1])
def test_a_term_too_common_for_the_index_is_left_to_the_scan(app, school, monkeypatch, share):
    """The list reads the index for a term it holds at most search.common_limit() times, and scans in its own
    order for a commoner one: the rows found are the same."""
    owner = school["alice"]
    made = [Account.create(name=f"华东 printer {i}", owner=owner, created_by=owner) for i in range(3)]
    other = Account.create(name="Huadong other", owner=owner, created_by=owner)
    monkeypatch.setattr(search, "COMMON_SHARE", {"sqlite": share, "mysql": share})
    with app.test_request_context():
        rt = records.get("account")
        if not is_postgres():  # where the planner chooses, no narrowing and no limit
            assert search.common_limit(rt, 1000) == int(share * (other.id * 1000) ** 0.5)
        chosen = search.narrowing(rt, school["admin"], "printer", count_cap=1000)
        assert (chosen is None) == (share == 0 or is_postgres())
        assert indexed_ids(rt, school["admin"], "printer") == sorted(a.id for a in made) \
            == scan_ids(rt, "printer")
