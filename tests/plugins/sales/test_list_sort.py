"""The quote, order and invoice lists (the generic record lists are the sales plugin's pages) sort by every
column they show but the customer: walked by Next and back by Previous, every row the viewer may see comes
once, in the order asked for — from the owner's, a superior's, another department's and the teacher's side."""
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from core.db import db
from core.records import listing, registry
from plugins.sales.models import Invoice, Quote
from tests.core.records.test_listing import OWNERS, PAGE_SIZE, SEES, _walk


@pytest.fixture
def app(make_app):
    app = make_app(plugins=["sales"], PAGE_SIZE=PAGE_SIZE, LIST_COUNT_CAP=5)
    with app.app_context():
        yield app


@pytest.fixture
def people(app, make_school):
    return make_school(language="")


def test_every_shown_column_but_the_customer_and_dates_that_may_be_empty_sorts(app):
    assert listing.sortable(registry.get("quote")) == ["number", "revision", "status", "total"]
    assert listing.sortable(registry.get("invoice")) == ["number", "status", "total", "balance_due"]


QUOTE = st.tuples(st.sampled_from(OWNERS), st.sampled_from(["Q-1", "Q-2", "报价-3"]), st.integers(1, 2),
                  st.sampled_from(["draft", "sent", "accepted"]),
                  st.sampled_from([Decimal("0.00"), Decimal("99.50"), Decimal("1200.00")]))


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(QUOTE, max_size=12, unique_by=lambda r: (r[1], r[2])),
       sort=st.sampled_from(["number", "revision", "status", "total"]), desc=st.booleans(),
       viewer=st.sampled_from(sorted(SEES)))
def test_quotes_walk_in_each_column_s_order_with_ties(app, people, as_user, rows, sort, desc, viewer):
    with db.atomic():
        Quote.delete().execute()
        for owner, number, revision, status, total in rows:
            Quote.create(owner=people[owner], created_by=people[owner], number=number, revision=revision,
                         status=status, total=total)
    seen = [q for q in Quote.select() if q.owner.username in SEES[viewer]]
    expected = [q.id for q in sorted(seen, key=lambda q: (getattr(q, sort), q.id), reverse=desc)]
    forward, last_page, backward, _pages = _walk(as_user(people[viewer]),
                                                 f"/records/quote/?sort={'-' if desc else ''}{sort}")
    assert forward == expected
    assert backward + last_page == expected


def test_the_invoice_list_sorts_by_balance_due(app, people, as_user):
    for n, due in enumerate([Decimal("50.00"), Decimal("0.00"), Decimal("700.10"), Decimal("50.00")]):
        Invoice.create(owner=people["alice"], number=f"INV-{n}", total=due, balance_due=due)
    forward, *_rest = _walk(as_user(people["manager_a"]), "/records/invoice/?sort=-balance_due")
    by_id = {i.id: i.balance_due for i in Invoice.select()}
    assert [by_id[i] for i in forward] == sorted(by_id.values(), reverse=True) and len(forward) == 4
    page = as_user(people["alice"]).get("/records/invoice/").get_data(as_text=True)
    assert "sort=balance_due" in page and "sort=number" in page and "sort=account" not in page
