"""The money rule (plugins/sales/totals.py) against a reference written with fractions, for any lines."""
from decimal import Decimal
from fractions import Fraction
from types import SimpleNamespace

from hypothesis import given, settings, strategies as st

from plugins.sales.totals import document_totals, line_total

money = st.decimals(min_value=0, max_value=100000, places=2, allow_nan=False, allow_infinity=False)
quantity = st.decimals(min_value=Decimal("0.01"), max_value=1000, places=2, allow_nan=False, allow_infinity=False)
percent = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False)


@st.composite
def a_line(draw):
    qty, price = draw(quantity), draw(money)
    if draw(st.booleans()):
        pct, amount = draw(percent), Decimal(0)
    else:
        pct, amount = Decimal(0), min(draw(money), qty * price).quantize(Decimal("0.01"), rounding="ROUND_DOWN")
    return SimpleNamespace(quantity=qty, unit_price=price, discount_percent=pct, discount_amount=amount,
                           tax_rate=draw(st.sampled_from([Decimal(0), Decimal(6), Decimal(9), Decimal(13),
                                                          Decimal("7.25")])))


def half_up_cents(fraction):
    """Round a non-negative Fraction half up to hundredths, as a Decimal."""
    hundredths = fraction * 100
    whole = int(hundredths + Fraction(1, 2))  # floor of x + 1/2 for x >= 0
    return Decimal(whole) / 100


def reference_line(ln):
    gross = Fraction(ln.quantity) * Fraction(ln.unit_price)
    net = gross - gross * Fraction(ln.discount_percent) / 100 - Fraction(ln.discount_amount)
    return net, half_up_cents(net * (100 + Fraction(ln.tax_rate)) / 100)


@settings(max_examples=300, deadline=None)
@given(lines=st.lists(a_line(), max_size=8), discount=money, shipping=money)
def test_the_lines_totals_add_up_to_the_document_total(lines, discount, shipping):
    result = document_totals(lines, discount, shipping)
    expected_lines = [reference_line(ln)[1] for ln in lines]
    assert [line_total(ln.quantity, ln.unit_price, ln.discount_percent, ln.discount_amount, ln.tax_rate)
            for ln in lines] == expected_lines
    assert result.total == sum(expected_lines, Decimal(0)) - discount + shipping
    assert result.subtotal + result.tax == sum(expected_lines, Decimal(0))
    assert result.subtotal == half_up_cents(sum((reference_line(ln)[0] for ln in lines), Fraction(0)))
    assert all(value == value.quantize(Decimal("0.01")) for value in (result.subtotal, result.tax, result.total))


def test_half_a_cent_rounds_up_once_per_line():
    # 0.125 + 0.125 would be 0.26 if each were rounded twice, 0.25 rounded on the sum: the rule rounds per line
    line = SimpleNamespace(quantity=Decimal("0.05"), unit_price=Decimal("2.50"), discount_percent=Decimal(0),
                           discount_amount=Decimal(0), tax_rate=Decimal(0))
    assert line_total(line.quantity, line.unit_price) == Decimal("0.13")
    assert document_totals([line, line]).total == Decimal("0.26")
