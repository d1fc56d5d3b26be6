"""Demo data of the sales plugin: for a few of each class's customers, a quote from one of their opportunities
(accepted, sent or draft), and for the accepted ones an order and an invoice, every other one half paid.

The steps go by turn, not by ``rng``: drawing from the shared generator would change what every plugin loaded
after this one makes (the same seed gives the same school with or without this plugin)."""
import datetime as dt

from core import clock
from core.models import Account, Opportunity, OpportunityLine
from plugins.sales import services, totals

CUSTOMERS_PER_USER = 1


STEPS = ("accepted", "sent", "accepted", "draft")


def create_demo(users):
    today = clock.today()
    turn = 0
    for user in users:
        accounts = list(Account.select().where(Account.owner == user.id).order_by(Account.id).limit(CUSTOMERS_PER_USER))
        for account in accounts:
            opp = Opportunity.select().where((Opportunity.account == account.id) & Opportunity.id.in_(
                OpportunityLine.select(OpportunityLine.opportunity))).order_by(Opportunity.id).first()
            if opp is None:
                continue
            quote = services.quote_from_opportunity(opp, user)
            step, turn = STEPS[turn % len(STEPS)], turn + 1
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
