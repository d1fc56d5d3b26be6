"""Demo data of the sales plugin: in every class, quotes for the customers of two opportunities of each user
(their product lines, or two of a catalogue product), the class's students first, so that even a class of two
students has one of each: an invoice issued and half paid, a sent quote, an overdue invoice (issued 35 days
before today, its 30 days' terms passed, unpaid), a draft, a rejected quote and an open sales order. The
users after them go on through the same cycle.

The steps go by turn, not by ``rng``: drawing from the shared generator would change what every plugin loaded
after this one makes (the same seed gives the same school with or without this plugin). Turns count within
each class, so a class reset (its users alone) gives the class the same kind of documents as the school's
demo did."""
import datetime as dt

from core import clock
from core.classroom.scope import class_of
from core.models import Opportunity, OpportunityLine, Position, Product
from plugins.sales import services, totals
from plugins.sales.models import SalesSettings

STEPS = ("part_paid", "sent", "overdue", "draft", "rejected", "ordered")
QUOTES_PER_USER = 2
OVERDUE_ISSUED_DAYS_AGO = services.PAYMENT_TERMS_DAYS + 5


def create_demo(users):
    products = list(Product.select().where(Product.active == True).order_by(Product.code))  # noqa: E712
    for members in _by_class(users).values():
        turn = 0
        for user in members:
            for opp in _opportunities(user):
                _make(opp, user, STEPS[turn % len(STEPS)], products, turn)
                turn += 1


def _by_class(users):
    """{class id or None: its users, the deepest positions (the students) first, else in the given order}."""
    depth = {p.id: p.depth for p in Position.select(Position.id, Position.depth)}
    groups = {}
    for index, user in sorted(enumerate(users), key=lambda iu: (-depth.get(iu[1].position_id, -1), iu[0])):
        cls = class_of(user)
        groups.setdefault(cls.id if cls else None, []).append(user)
    return groups


def _opportunities(user):
    with_lines = Opportunity.id.in_(OpportunityLine.select(OpportunityLine.opportunity))
    return list(Opportunity.select().where(Opportunity.owner == user.id)
                .order_by(with_lines.desc(), Opportunity.id).limit(QUOTES_PER_USER))


def _make(opp, user, step, products, turn):
    today = clock.today()
    quote = services.quote_from_opportunity(opp, user)
    if not quote.lines.exists() and products:
        product = products[turn % len(products)]
        services.set_lines("quote", quote, [{"product": product.id, "quantity": 2, "unit_price": product.unit_price,
                                             "tax_rate": SalesSettings.current().default_tax_rate}], user)
    if step == "draft":
        return
    services.change_status("quote", quote, "sent", user)
    if step == "sent":
        return
    if step == "rejected":
        services.change_status("quote", quote, "rejected", user)
        return
    services.change_status("quote", quote, "accepted", user)
    order = services.order_from_quote(quote, user)
    if step == "ordered":
        return
    invoice = services.invoice_from("sales_order", order, user)
    if step == "overdue":
        invoice.issue_date = today - dt.timedelta(days=OVERDUE_ISSUED_DAYS_AGO)  # due date: 30 days on, passed
    services.change_status("invoice", invoice, "issued", user)
    if step == "part_paid" and invoice.total > 0:   # a school without products quotes nothing to pay
        services.add_payment(invoice, user, today - dt.timedelta(days=turn % 10),
                             totals.cents(invoice.total / 2), "bank_transfer", "DEMO")
