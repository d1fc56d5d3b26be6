"""Quote → order → invoice → payments through HTTP, as a salesperson does it, with the totals the rule gives."""
import datetime as dt
import re
from decimal import Decimal

from plugins.sales.models import Invoice, Payment, Quote, SalesOrder


def _post_action(client, kind, doc_id, action):
    confirm = client.get(f"/sales/{kind}/{doc_id}/do/{action}")
    assert confirm.status_code == 200 and "data-confirm-action" in confirm.get_data(as_text=True)
    return client.post(f"/sales/{kind}/{doc_id}/do/{action}")


def test_quote_to_cash_end_to_end(school, as_user, printer, frozen_clock):
    alice = school["alice"]
    client = as_user(alice)
    from core.models import Account
    account = Account.create(name="Huaxia Trading", owner=alice.id)
    created = client.post("/records/quote/new", data={"account": account.id, "valid_until": "2026-06-14",
                                                     "discount": "0", "shipping": "50.00",
                                                     "subtotal": "1", "total": "999999"})
    assert created.status_code == 302, created.get_data(as_text=True)
    quote = Quote.get()
    assert quote.number == "Q-2026-0001" and quote.total == Decimal("50.00")   # the form's totals are ignored
    saved = client.post(f"/sales/quote/{quote.id}/lines", data={
        "lines-0-product": printer.id, "lines-0-quantity": "3", "lines-0-unit_price": "",
        "lines-0-discount_percent": "5", "lines-0-tax_rate": "13",
        "lines-1-description": "Installation", "lines-1-quantity": "1", "lines-1-unit_price": "200",
        "lines-1-discount_amount": "20", "lines-1-tax_rate": "6",
        "lines-2-product": "", "lines-2-description": ""})
    assert saved.status_code == 302, saved.get_data(as_text=True)
    quote = Quote.get_by_id(quote.id)
    # 3 × 1999 × 0.95 × 1.13 = 6437.7795 → 6437.78; (200 − 20) × 1.06 = 190.80
    assert quote.subtotal == Decimal("5877.15") and quote.tax == Decimal("751.43")
    assert quote.total == Decimal("6437.78") + Decimal("190.80") + Decimal("50.00")
    page = client.get(f"/records/quote/{quote.id}").get_data(as_text=True)
    assert "Q-2026-0001" in page and "6,437.78" in page and "data-rounding" in page and "half up" in page

    assert _post_action(client, "quote", quote.id, "send").status_code == 302
    assert _post_action(client, "quote", quote.id, "accept").status_code == 302
    assert _post_action(client, "quote", quote.id, "order").status_code == 302
    order = SalesOrder.get()
    assert order.number == "SO-2026-0001" and order.total == quote.total and order.owner_id == alice.id
    assert _post_action(client, "sales_order", order.id, "invoice").status_code == 302
    invoice = Invoice.get()
    assert invoice.number == "INV-2026-0001" and invoice.total == quote.total and invoice.order_id == order.id
    assert SalesOrder.get_by_id(order.id).status == "invoiced"
    assert _post_action(client, "invoice", invoice.id, "issue").status_code == 302
    invoice = Invoice.get_by_id(invoice.id)
    assert invoice.status == "issued" and invoice.due_date == dt.date(2026, 6, 14)

    too_much = client.post(f"/sales/invoice/{invoice.id}/payments", data={
        "paid_on": "2026-05-15", "amount": str(invoice.total + 1), "method": "cash"})
    assert too_much.status_code == 400 and Payment.select().count() == 0
    assert client.post(f"/sales/invoice/{invoice.id}/payments", data={
        "paid_on": "2026-05-15", "amount": "1000.00", "method": "bank_transfer"}).status_code == 302
    invoice = Invoice.get_by_id(invoice.id)
    assert invoice.status == "partly_paid" and invoice.balance_due == invoice.total - Decimal("1000.00")
    client.post(f"/sales/invoice/{invoice.id}/payments", data={
        "paid_on": "2026-05-16", "amount": str(invoice.balance_due), "method": "alipay"})
    invoice = Invoice.get_by_id(invoice.id)
    assert invoice.status == "paid" and invoice.balance_due == 0
    page = client.get(f"/records/invoice/{invoice.id}").get_data(as_text=True)
    assert re.search(r"Paid", page) and "data-overdue" not in page


def test_a_document_discount_survives_every_conversion(school, as_user, make_quote, frozen_clock):
    """The copy's header is saved before its lines: a discount larger than no lines must not refuse it."""
    alice = school["alice"]
    client = as_user(alice)
    quote = make_quote(alice, discount=Decimal("500.00"), shipping=Decimal("20.00"))
    assert quote.total == Decimal("6776.61") - Decimal("500.00") + Decimal("20.00")   # 3 × 1999 × 1.13
    for action in ("send", "accept", "order"):
        assert _post_action(client, "quote", quote.id, action).status_code == 302
    order = SalesOrder.get()
    assert (order.discount, order.shipping, order.total) == (quote.discount, quote.shipping, quote.total)
    assert _post_action(client, "sales_order", order.id, "invoice").status_code == 302
    assert Invoice.get().total == quote.total
    revised = _post_action(client, "quote", quote.id, "revise")
    assert revised.status_code in (302, 404, 409)   # an accepted quote offers no revision; never a 500


def test_a_discount_larger_than_the_lines_is_refused_and_uses_no_number(school, make_quote, frozen_clock):
    import pytest
    from core.records.service import RecordError
    with pytest.raises(RecordError):
        make_quote(school["alice"], discount=Decimal("100000.00"))
    assert Quote.select().count() == 0
    assert make_quote(school["alice"]).number.endswith("-0001")
