"""Numbers per document kind and fiscal year: unique and gap-free when twenty people create at the same moment,
each on their own connection (threads), on whichever database the tests run; a prefix from the settings; a
document that fails to save gives its number back."""
import datetime as dt

import pytest

from core import clock
from core.db import db
from core.records import RecordError
from plugins.sales import services
from plugins.sales.models import NumberCounter, Quote, SalesOrder, SalesSettings
from tests.concurrency import run_at_once

CREATORS = 20


def test_twenty_concurrent_creators_get_numbers_one_to_twenty(app, school):
    alice = school["alice"]

    def create():
        with app.test_request_context(), db.connection_context():
            return services.create("quote", Quote(owner=alice.id), alice).number
    numbers = run_at_once(create, CREATORS)
    year = clock.today().year
    assert sorted(numbers) == [f"Q-{year}-{n:04d}" for n in range(1, CREATORS + 1)]
    assert sorted(q.number for q in Quote.select()) == sorted(numbers)
    assert NumberCounter.get(kind="quote").last_number == CREATORS


def test_each_kind_and_fiscal_year_counts_from_one_with_the_configured_prefix(app, school, frozen_clock):
    alice = school["alice"]
    SalesSettings.update(order_prefix="XS").execute()
    frozen_clock(dt.datetime(2026, 12, 31, 3))
    assert services.create("quote", Quote(owner=alice.id), alice).number == "Q-2026-0001"
    assert services.create("sales_order", SalesOrder(owner=alice.id), alice).number == "XS-2026-0001"
    frozen_clock(dt.datetime(2027, 1, 1, 3))
    assert services.create("quote", Quote(owner=alice.id), alice).number == "Q-2027-0001"


def test_a_document_that_fails_to_save_leaves_no_gap(app, school):
    alice = school["alice"]
    with pytest.raises(RecordError):
        services.create("quote", Quote(owner=alice.id, discount=5), alice)  # a discount on nothing
    assert not Quote.select().exists()
    assert services.create("quote", Quote(owner=alice.id), alice).number.endswith("-0001")
