"""The money rule of every sales document, in exact decimals (never float).

Each line is rounded once, half up to the cent: ``line total = (quantity × unit price − discount) × (1 + tax
rate)``, where the discount is a percentage of ``quantity × unit price`` or an amount. The document's subtotal is
the lines' amounts before tax, added exactly and rounded once half up; its tax is the lines' totals minus that
subtotal, so ``subtotal + tax`` is exactly the sum of the line totals; and ``total = lines' totals − discount +
shipping``. Nothing here reads the form's totals: they are always recomputed from the lines.
"""
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


def cents(value):
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def line_net(quantity, unit_price, discount_percent=0, discount_amount=0):
    """The line's exact amount before tax (not rounded)."""
    gross = Decimal(quantity) * Decimal(unit_price)
    return gross - gross * Decimal(discount_percent) / HUNDRED - Decimal(discount_amount)


def line_total(quantity, unit_price, discount_percent=0, discount_amount=0, tax_rate=0):
    """The line's total, tax included: the one rounding of the line."""
    net = line_net(quantity, unit_price, discount_percent, discount_amount)
    return cents(net * (HUNDRED + Decimal(tax_rate)) / HUNDRED)


@dataclass(frozen=True)
class Totals:
    subtotal: Decimal
    tax: Decimal
    total: Decimal


def document_totals(lines, discount=0, shipping=0):
    """``Totals`` of a document from its ``lines`` (objects with the line fields)."""
    line_sum = sum((line_total(ln.quantity, ln.unit_price, ln.discount_percent, ln.discount_amount, ln.tax_rate)
                    for ln in lines), Decimal(0))
    subtotal = cents(sum((line_net(ln.quantity, ln.unit_price, ln.discount_percent, ln.discount_amount)
                          for ln in lines), Decimal(0)))
    return Totals(subtotal=subtotal, tax=line_sum - subtotal,
                  total=line_sum - Decimal(discount or 0) + Decimal(shipping or 0))
