"""Helpers for the sales plugin's tests: the app with the plugin, a customer and documents made through the
plugin's own services."""
from decimal import Decimal

import pytest

from core.models import Account, Product
from plugins.sales import services
from plugins.sales.models import Quote


@pytest.fixture
def app(make_app):
    """The app with only the sales plugin."""
    app = make_app(plugins=["sales"])
    with app.test_request_context():   # labels and messages are translated, which needs a request
        yield app


@pytest.fixture
def printer():
    return Product.create(name="Laser printer", code="P-100", unit_price=Decimal("1999.00"))


@pytest.fixture
def make_quote(printer):
    """``make_quote(owner, quantity=3, discount_percent=5, by=None)``: a draft quote for a new account of
    ``owner`` with one printer line, made through the service."""
    def factory(owner, quantity=3, discount_percent=0, tax_rate=13, by=None, **fields):
        account = Account.create(name=f"Customer of {owner.username}", owner=owner.id)
        quote = Quote(owner=owner.id, account=account.id, **fields)
        lines = [{"product": printer.id, "description": "", "quantity": Decimal(quantity),
                  "unit_price": printer.unit_price, "discount_percent": Decimal(discount_percent),
                  "discount_amount": Decimal(0), "tax_rate": Decimal(tax_rate)}]
        return services.create("quote", quote, by or owner, lines)
    return factory


@pytest.fixture
def school(app, make_school):
    """The canonical school (tests/conftest.py), the language left to the browser, made after the app (whose first build empties the database)."""
    return make_school(language="")
