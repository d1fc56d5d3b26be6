"""Demo data of the sales plugin: for every demo user a quote from one of their opportunities (its product lines,
or two of a catalogue product), accepted, sent or left a draft by turn; the accepted ones ordered and invoiced,
every other invoice half paid.

The steps go by turn, not by ``rng``: drawing from the shared generator would change what every plugin loaded
after this one makes (the same seed gives the same school with or without this plugin)."""
import datetime as dt

from core import clock
from core.models import Opportunity, OpportunityLine, Product
from plugins.sales import services, totals
from plugins.sales.models import SalesSettings



STEPS = ("accepted", "sent", "accepted", "draft")


def create_demo(users):
    today = clock.today()
    products = list(Product.select().where(Product.active == True).order_by(Product.code))  # noqa: E712
    for turn, user in enumerate(users):
        opp = (Opportunity.select().where(Opportunity.owner == user.id)
               .order_by(Opportunity.id.in_(OpportunityLine.select(OpportunityLine.opportunity)).desc(),
                         Opportunity.id).first())
        if opp is None:
            continue
        quote = services.quote_from_opportunity(opp, user)
        if not quote.lines.exists() and products:
            product = products[turn % len(products)]
            services.set_lines("quote", quote, [{"product": product.id, "quantity": 2, "unit_price": product.unit_price,
                                                 "tax_rate": SalesSettings.current().default_tax_rate}], user)
        step = STEPS[turn % len(STEPS)]
        if step == "draft":
            continue
        services.change_status("quote", quote, "sent", user)
        if step == "sent":
            continue
        services.change_status("quote", quote, "accepted", user)
        order = services.order_from_quote(quote, user)
        invoice = services.invoice_from("sales_order", order, user)
        services.change_status("invoice", invoice, "issued", user)
        if turn % 2:
            services.add_payment(invoice, user, today - dt.timedelta(days=turn % 10),
                                 totals.cents(invoice.total / 2), "bank_transfer", "DEMO")
