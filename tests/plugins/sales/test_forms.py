"""Bad input gets a clear message and writes nothing: a line with two discounts or a discount above the line, a
payment on a draft invoice; the numbering prefixes are the administrator's."""
from decimal import Decimal

from plugins.sales.models import Quote, SalesSettings


def test_a_wrong_line_is_refused_with_its_reason_and_the_lines_stay(app, school, as_user, make_quote, printer):
    alice = school["alice"]
    quote = make_quote(alice)
    client = as_user(alice)
    for extra, reason in (({"lines-0-discount_percent": "5", "lines-0-discount_amount": "10"}, "not both"),
                          ({"lines-0-discount_amount": "99999"}, "larger than the line"),
                          ({"lines-0-quantity": "-1"}, "above 0")):
        data = {"lines-0-product": printer.id, "lines-0-quantity": "1", **extra}
        response = client.post(f"/sales/quote/{quote.id}/lines", data=data)
        assert response.status_code == 400 and reason in response.get_data(as_text=True), reason
    kept = Quote.get_by_id(quote.id)
    assert kept.total == quote.total and [ln.quantity for ln in kept.lines] == [3]


def test_a_payment_on_a_draft_invoice_is_refused(app, school, as_user, make_quote):
    from plugins.sales import services
    alice = school["alice"]
    quote = make_quote(alice)
    for status in ("sent", "accepted"):
        services.change_status("quote", quote, status, alice)
    invoice = services.invoice_from("quote", quote, alice)
    response = as_user(alice).post(f"/sales/invoice/{invoice.id}/payments",
                                   data={"paid_on": "2026-05-15", "amount": "1", "method": "cash"})
    assert response.status_code == 400 and "issued invoices only" in response.get_data(as_text=True)
    assert not invoice.payments.exists()


def test_only_the_administrator_sets_the_prefixes(app, school, as_user):
    assert as_user(school["alice"]).get("/sales/settings").status_code == 403
    admin = as_user(school["admin"])
    assert admin.post("/sales/settings", data={"quote_prefix": "BJ", "order_prefix": "SO", "invoice_prefix": "FP",
                                               "default_tax_rate": "6"}).status_code == 302
    row = SalesSettings.get_by_id(1)
    assert (row.quote_prefix, row.invoice_prefix, row.default_tax_rate) == ("BJ", "FP", Decimal(6))
    assert admin.post("/sales/settings", data={"quote_prefix": "", "order_prefix": "SO",
                                               "invoice_prefix": "FP"}).status_code == 400
