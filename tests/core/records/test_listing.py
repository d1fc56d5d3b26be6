"""Record lists for big sets (core.records.listing): keyset pages walked forward and back visit every visible
row exactly once in the order asked for, the count is exact below the cap and "more than" above it, a
tampered cursor is a 400 with a reason, and only indexed columns sort."""
import datetime as dt
import html as html_lib
import re
from decimal import Decimal

import peewee
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from core.db import db
from core.models import Account, Opportunity
from core.records import listing, registry
from tests.core.records.conftest import stage

PAGE_SIZE, CAP = 3, 5
# who each viewer may see under the private sharing mode (owners by username), by the position tree
SEES = {"alice": {"alice"}, "manager_a": {"manager_a", "alice", "bob"}, "carol": {"carol"},
        "teacher": {"teacher", "alice", "bob", "carol", "manager_a"}}
OWNERS = ("alice", "bob", "carol", "manager_a", "teacher")
SORTS = ("amount", "probability", "close_date", "name")


@pytest.fixture
def app(make_app):
    app = make_app(plugins=[], PAGE_SIZE=PAGE_SIZE, LIST_COUNT_CAP=CAP)
    with app.app_context():
        yield app


@pytest.fixture
def people(app, make_school):
    return make_school(language="")


def _ids(page_html):
    return [int(i) for i in re.findall(r'<tr data-id="(\d+)"', page_html)]


def _link(page_html, rel):
    m = re.search(r'<a href="([^"]+)" rel="%s">' % rel, page_html)
    return html_lib.unescape(m.group(1)) if m else None


def _walk(client, url):
    """Every page from ``url`` by Next, then back by Previous: (rows forward, rows backward as pages)."""
    forward, pages = [], []
    while url:
        r = client.get(url)
        assert r.status_code == 200, url
        text = r.get_data(as_text=True)
        pages.append((url, _ids(text)))
        forward += _ids(text)
        last_text, url = text, _link(text, "next")
    backward, url = [], _link(last_text, "prev")
    while url:
        text = client.get(url).get_data(as_text=True)
        backward = _ids(text) + backward
        url = _link(text, "prev")
    return forward, [i for _u, ids in pages[-1:] for i in ids], backward, len(pages)


ROW = st.tuples(st.sampled_from(OWNERS), st.sampled_from([Decimal("0"), Decimal("10.50"), Decimal("99")]),
                st.sampled_from([10, 50, 90]), st.sampled_from([dt.date(2026, 1, 1), dt.date(2026, 6, 30)]),
                st.sampled_from(["甲", "乙", "A", "b"]))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(ROW, min_size=0, max_size=14), sort=st.sampled_from(SORTS), desc=st.booleans(),
       viewer=st.sampled_from(sorted(SEES)))
def test_keyset_walk_forward_and_back_visits_every_visible_row_once_in_order(app, people, as_user, rows, sort,
                                                                             desc, viewer):
    prospecting = stage("Prospecting")
    with db.atomic():
        Opportunity.delete().execute()
        for owner, amount, probability, close_date, name in rows:
            Opportunity.create(owner=people[owner], created_by=people[owner], amount=amount,
                               probability=probability, close_date=close_date, name=name, stage=prospecting)
    seen = [o for o in Opportunity.select() if o.owner.username in SEES[viewer]]
    expected = [o.id for o in sorted(seen, key=lambda o: (getattr(o, sort), o.id), reverse=desc)]
    client = as_user(people[viewer])
    forward, last_page, backward, pages = _walk(client, f"/records/opportunity/?sort={'-' if desc else ''}{sort}")
    assert forward == expected
    assert pages == max(1, -(-len(expected) // PAGE_SIZE))
    # back from the last page: every row before it once, in the same order
    assert backward + last_page == expected


def test_names_sort_bytewise_the_same_on_every_database(app, people, as_user):
    """Case and script mixed: the walk follows the database's own order of the index, the one Python's
    reference cannot know (collations differ), so it is compared with the database's ORDER BY."""
    for name in ["b", "A", "甲", "a", "B", "乙"] * 2:
        Opportunity.create(owner=people["alice"], created_by=people["alice"], name=name,
                           close_date=dt.date(2026, 1, 1), stage=stage("Prospecting"))
    for sort in ("name", "-name"):
        column = Opportunity.name.desc() if sort.startswith("-") else Opportunity.name.asc()
        tie = Opportunity.id.desc() if sort.startswith("-") else Opportunity.id.asc()
        expected = [o.id for o in Opportunity.select().order_by(column, tie)]
        forward, last_page, backward, _pages = _walk(as_user(people["alice"]), f"/records/opportunity/?sort={sort}")
        assert forward == expected and backward + last_page == expected


def _make(people, n, owner="alice"):
    with db.atomic():
        for i in range(n):
            Opportunity.create(owner=people[owner], created_by=people[owner], name=f"Deal {i:02d}",
                               close_date=dt.date(2026, 1, 1 + i % 28), stage=stage("Prospecting"))


def test_count_is_exact_up_to_the_cap_then_more_than_until_asked(app, people, as_user):
    _make(people, CAP)
    client = as_user(people["alice"])
    text = client.get("/records/opportunity/").get_data(as_text=True)
    assert "5 records" in text and "More than" not in text and "count-exactly" not in text
    _make(people, 2)
    text = client.get("/records/opportunity/").get_data(as_text=True)
    assert "More than 5 records" in text and 'data-action="count-exactly"' in text
    exact = html_lib.unescape(re.search(r'<a href="([^"]+)" data-action="count-exactly"', text).group(1))
    text = client.get(exact).get_data(as_text=True)
    assert "7 records" in text and "More than" not in text
    # the exact count follows the Next link
    assert "7 records" in client.get(_link(text, "next")).get_data(as_text=True)
    # a salesperson of the other class sees none of it: the empty state, no count
    text = as_user(people["carol"]).get("/records/opportunity/").get_data(as_text=True)
    assert "empty-state" in text and "data-count" not in text


def test_count_and_links_are_rendered_in_chinese(app, people, as_user):
    _make(people, 1)
    text = as_user(people["alice"], language="zh-CN").get("/records/opportunity/").get_data(as_text=True)
    assert "共 1 条" in text and "上一页" not in text
    _make(people, CAP + 1)
    text = as_user(people["alice"], language="zh-CN").get("/records/opportunity/").get_data(as_text=True)
    assert "超过 5 条" in text and "精确计数" in text and "下一页" in text
    assert "More than" not in text and "Count exactly" not in text


def test_filters_search_and_sort_stay_in_the_links(app, people, as_user):
    _make(people, 2 * PAGE_SIZE + 1)
    client = as_user(people["alice"])
    text = client.get("/records/opportunity/?q=Deal&sort=name&filter_type=new_business").get_data(as_text=True)
    following = _link(text, "next")
    assert "q=Deal" in following and "sort=name" in following and "filter_type=new_business" in following
    assert "after=" in following


@pytest.mark.parametrize("cursor", ["garbage", "W10", "x" * 500, "%00", ""])
def test_a_tampered_cursor_is_refused_with_a_reason_not_a_500(app, people, as_user, cursor):
    _make(people, 2 * PAGE_SIZE)
    client = as_user(people["alice"])
    r = client.get(f"/records/opportunity/?after={cursor}")
    if cursor == "":
        assert r.status_code == 200
    else:
        assert r.status_code == 400 and "page link is damaged" in r.get_data(as_text=True)


def test_a_well_signed_cursor_with_a_wrong_value_is_refused_and_one_of_another_sort_is_the_first_page(
        app, people, as_user):
    _make(people, 2 * PAGE_SIZE)
    client = as_user(people["alice"])
    with app.test_request_context():
        bad_value = listing._serializer().dumps(["amount", "not a number", 1])
        bad_id = listing._serializer().dumps(["amount", "10", "1 OR 1=1"])
        other_sort = listing._serializer().dumps(["name", "Deal 00", 1])
    for token in (bad_value, bad_id):
        assert client.get(f"/records/opportunity/?sort=amount&after={token}").status_code == 400
    first = client.get("/records/opportunity/?sort=amount").get_data(as_text=True)
    again = client.get(f"/records/opportunity/?sort=amount&after={other_sort}").get_data(as_text=True)
    assert _ids(again) == _ids(first)


def test_numbered_pages_still_work_within_the_cap_and_beyond_it_are_a_404(app, people, as_user):
    _make(people, 2 * PAGE_SIZE)
    client = as_user(people["alice"])
    first = _ids(client.get("/records/opportunity/?sort=name").get_data(as_text=True))
    second = client.get("/records/opportunity/?sort=name&page=2").get_data(as_text=True)
    assert _ids(second) and not set(_ids(second)) & set(first)
    assert _ids(client.get(_link(second, "prev")).get_data(as_text=True)) == first
    assert client.get("/records/opportunity/?sort=name&page=99").status_code == 404


def test_the_export_still_holds_every_matching_row(app, people, as_user):
    _make(people, CAP + 4)
    body = as_user(people["alice"]).get("/records/opportunity/export.csv?sort=amount").get_data(as_text=True)
    assert len(body.strip().splitlines()) == 1 + CAP + 4


def test_only_indexed_own_columns_sort_and_lookups_do_not(app, people, as_user):
    rt = registry.get("opportunity")
    assert listing.sortable(rt) == ["name", "amount", "probability", "close_date"]
    _make(people, 1)
    text = as_user(people["alice"]).get("/records/opportunity/?sort=account").get_data(as_text=True)
    assert "sort=account" not in text and "sort=-amount" not in text  # lookups are headers, not links
    assert "sort=amount" in text


ACCOUNT = st.tuples(st.sampled_from(OWNERS), st.sampled_from(["甲", "乙", "Acme"]),
                    st.sampled_from(["customer", "partner"]), st.sampled_from(["", "021-1", "021-2"]),
                    st.sampled_from([dt.datetime(2026, 3, 1, 8, 0, 0), dt.datetime(2026, 3, 1, 8, 0, 0, 250000),
                                     dt.datetime(2025, 12, 31, 23, 59, 59)]))


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(ACCOUNT, max_size=12), sort=st.sampled_from(["type", "phone", "modified_at"]),
       desc=st.booleans(), viewer=st.sampled_from(sorted(SEES)))
def test_account_keyset_walk_on_text_and_time_columns_with_ties(app, people, as_user, rows, sort, desc, viewer):
    """Accounts: times with and without fractions of a second (MariaDB keeps whole seconds), empty strings."""
    with db.atomic():
        Account.delete().execute()
        for owner, name, kind, phone, modified_at in rows:
            Account.create(owner=people[owner], created_by=people[owner], name=name, type=kind, phone=phone,
                           modified_at=modified_at)
    seen = [a for a in Account.select() if a.owner.username in SEES[viewer]]
    expected = [a.id for a in sorted(seen, key=lambda a: (getattr(a, sort), a.id), reverse=desc)]
    forward, last_page, backward, _pages = _walk(as_user(people[viewer]),
                                                 f"/records/account/?sort={'-' if desc else ''}{sort}")
    assert forward == expected
    assert backward + last_page == expected


def test_a_linked_row_is_named_from_the_columns_a_list_reads_of_it(make_app):
    """Lists join only ``listing.name_columns`` of a linked table: for every list column that links a row (core's
    types and every bundled plugin's), the row's name from those columns alone is its name from all of them."""
    app = make_app()  # every bundled plugin
    with app.app_context():
        targets = {rt.model._meta.fields[n].rel_model for rt in registry.registry().values() for n in rt.list_columns
                   if isinstance(rt.model._meta.fields.get(n), peewee.ForeignKeyField)}
        assert {"account", "user", "salesstage"} <= {t.__name__.lower() for t in targets}
        for target in targets:
            every = {n: f"{n}-value" for n, f in target._meta.fields.items()
                     if isinstance(f, peewee.CharField) and not isinstance(f, peewee.ForeignKeyField)}
            full = target(id=7, **every)
            wanted = {c.name for c in listing.name_columns(target)}
            partial = target(id=7, **{n: v for n, v in every.items() if n in wanted})
            assert str(partial) == str(full), target
            if target.__name__ == "User":
                assert partial.display_name == full.display_name


def test_every_record_type_s_default_order_is_read_from_an_index(make_app):
    """A list opens in its type's default order: without an index starting (column, id) every first page
    would read and sort all the rows the viewer may see (the teacher's leads at 200k: 270 ms). Every bundled
    plugin's types too, and the index is in the migrated database, not only in the model."""
    app = make_app()
    with app.app_context():
        unsorted = []
        for rt in registry.registry(app).values():
            column = rt.model._meta.fields[rt.default_sort.lstrip("-")].column_name
            present = {tuple(i.columns)[:2] for i in db.get_indexes(rt.model._meta.table_name)}
            if rt.default_sort.lstrip("-") not in listing.indexed_orders(rt.model) or (column, "id") not in present:
                unsorted.append((rt.name, rt.default_sort))
        assert unsorted == []


def test_every_list_column_a_list_can_be_sorted_by_is_sortable_from_an_index(make_app):
    """A list's column headers sort it (keyset pages, access checked from the index) by every column of its
    own that is never empty — not only core's types: every bundled plugin's too, with both of
    ``list_sort_indexes``' indexes in the migrated database (the walk for who sees most rows, and the
    per-owner one for who sees a few). Lookups (sorted by id, meaningless to a reader) and columns that may
    be empty (keyset pages over NULLs) are left out."""
    import peewee
    app = make_app()
    with app.app_context():
        missing = []
        for rt in registry.registry(app).values():
            meta = rt.model._meta
            owned = "owner" in meta.fields
            present = {tuple(i.columns) for i in db.get_indexes(meta.table_name)}
            sortable = set(listing.sortable(rt))
            for name in rt.list_columns:
                field = meta.fields.get(name)
                if field is None or isinstance(field, peewee.ForeignKeyField) or field.null:
                    continue
                column = field.column_name
                wanted = [(column, "id", "owner_id"), ("owner_id", column, "id")] if owned else [(column, "id")]
                if name not in sortable or not all(shape in present for shape in wanted):
                    missing.append((rt.name, name))
        assert missing == [], missing
