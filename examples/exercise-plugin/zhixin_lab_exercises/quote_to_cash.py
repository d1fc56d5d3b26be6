"""The quote-to-cash exercise (从报价到开票): quote the customer 星辰打印服务有限公司 three laser printers with a 5 %
discount, turn the quote into a sales order and invoice it.

The sales documents are read through core's record registry (the record types ``"quote"``, ``"sales_order"``
and ``"invoice"`` give their models; a quote's lines are its ``lines``), never by importing the sales plugin,
and only the student's own documents since the exercise opened count (``core.exercises.mine``). The discount
counts as a percentage (5 % in the line's *Discount (%)*) or as the same amount (5 % of quantity × unit price,
to the cent, in *Discount amount*): the customer pays the same either way. The document's own discount (taken
off after tax) is not a line discount and does not count."""
from decimal import ROUND_HALF_UP, Decimal

from flask import current_app

from core.exercises import mine, seed
from core.models import Account, AuditEntry, Product
from core.records import registry, service

from zhixin_lab_exercises.checks import say

CUSTOMER = "星辰打印服务有限公司"
CONTACT = {"last_name": "林", "first_name": "晓星", "title": "采购经理"}
PRINTER = {"code": "LAB-LASER-PRINTER", "name": "激光打印机 / Laser printer", "unit_price": Decimal("2600.00"),
           "unit": "台"}
QUANTITY = Decimal(3)
DISCOUNT = Decimal(5)   # percent
INVOICED = ("issued", "partly_paid", "paid")   # issued, whatever has been paid since


def seed_customer_and_printer(user, by):
    """Set-up: the customer and its contact for the student (added once each), and the printer in the school's
    product catalogue, which is shared (products have no owner): created once, by code, if missing."""
    account = seed(user, "account", by, name=CUSTOMER)
    seed(user, "contact", by, account=account.id, **CONTACT)
    printer(by)


def printer(by=None):
    """The catalogue's printer (by its code); created if missing (``by`` given, the set-up), else None."""
    found = Product.get_or_none(Product.code == PRINTER["code"])
    if found is None and by is not None:
        found = Product(**PRINTER)
        service.save("product", found, by, check=False)
    return found


def _sales_off(user):
    """The message for a student whose class has the Sales module off (core hides the exercise then, so
    this is only seen if a check runs anyway), else None."""
    plugins = current_app.extensions["zhixin_plugins"]
    if "quote" in registry.registry() and plugins.is_on("sales", user):
        return None
    return say("The Sales module is off for your class, so this exercise cannot be done.",
               "你所在班级未启用“报价到收款”模块，无法完成此练习。")


def _model(kind):
    return registry.get(kind).model


def _created_since(user, kind, since):
    """The student's documents of ``kind`` that they created since the opening (real time, the audit log)."""
    model = _model(kind)
    created = AuditEntry.select(AuditEntry.record_id).where(
        (AuditEntry.record_type == kind) & (AuditEntry.action == "create") & (AuditEntry.user == user.id)
        & (AuditEntry.at >= since))
    return mine(user, kind, since).where(model.id.in_(created)).order_by(model.id.desc())


def _quotes_for_customer(user, since):
    Quote = _model("quote")
    customers = mine(user, "account").where(Account.name == CUSTOMER).select(Account.id)
    return _created_since(user, "quote", since).where(Quote.account.in_(customers))


def _line_problem(line, product):
    """Why a quote line is not the asked one (a rank, the closer the higher, and the message), or None."""
    if line.product_id != product.id:
        return 0, say(f"Add a line with the product {product.name} to your quote for {CUSTOMER}.",
                      f"在给“{CUSTOMER}”的报价单中添加产品“{product.name}”的明细行。")
    if line.quantity != QUANTITY:
        return 1, say(f"The printer line must be for 3 printers (yours: {line.quantity.normalize():f}).",
                      f"打印机明细行的数量应为 3 台（你的：{line.quantity.normalize():f}）。")
    if line.unit_price != product.unit_price:
        return 2, say(f"Keep the printer at its catalogue price ({product.unit_price:,.2f}): the discount is the 5 %.",
                      f"打印机请按目录价格（{product.unit_price:,.2f}）报价：优惠体现在 5% 的折扣上。")
    equal_amount = (line.quantity * line.unit_price * DISCOUNT / 100).quantize(Decimal("0.01"), ROUND_HALF_UP)
    if not ((line.discount_percent == DISCOUNT and not line.discount_amount)
            or (not line.discount_percent and line.discount_amount == equal_amount)):
        return 3, say("Give the printer line a 5 % discount (the line's Discount (%), not the document's discount).",
                      "给打印机明细行 5% 的折扣（填在明细行的“折扣（%）”中，而不是整单折扣）。")
    return None


def good_quotes(user, since):
    """``(the ids of the student's quotes that do what (a) asks, the message of the closest miss)``."""
    product = printer()
    quotes = list(_quotes_for_customer(user, since))
    if not quotes or product is None:
        return [], say(f"Create a quote for your customer {CUSTOMER} (Quotes → New).",
                       f"为你的客户“{CUSTOMER}”新建一张报价单（报价单 → 新建）。")
    good, misses = [], []
    for quote in quotes:
        problems = [_line_problem(line, product) for line in quote.lines]
        if problems and None in problems:
            good.append(quote.id)
        else:
            misses.extend(p for p in problems if p)
    if good:
        return good, None
    if not misses:
        return [], say("Your quote has no lines yet: Edit lines and add the printer.",
                       "你的报价单还没有明细：点击“编辑明细”添加打印机。")
    return [], max(misses, key=lambda p: p[0])[1]


def quote_three_printers(user, since):
    """(a) A quote for the customer, created by the student, with the printer line: 3 at 5 % off."""
    off = _sales_off(user)
    if off:
        return False, off
    good, miss = good_quotes(user, since)
    if good:
        number = str(_model("quote").get_by_id(good[0]))
        return True, say(f"Quote {number}: 3 printers for {CUSTOMER} at 5 % off.",
                         f"报价单 {number}：为“{CUSTOMER}”报价 3 台打印机，优惠 5%。")
    return False, miss


def _orders_from(user, since, quote_ids):
    SalesOrder = _model("sales_order")
    return _created_since(user, "sales_order", since).where(SalesOrder.quote.in_(quote_ids or [0]))


def order_from_the_quote(user, since):
    """(b) A sales order converted from that quote (the order's ``quote`` is it)."""
    off = _sales_off(user)
    if off:
        return False, off
    good, _miss = good_quotes(user, since)
    order = _orders_from(user, since, good).first()
    if order is not None:
        return True, say(f"Sales order {order} was made from the quote.", f"已由报价单生成销售订单 {order}。")
    Quote = _model("quote")
    if good and Quote.select().where(Quote.id.in_(good) & (Quote.status == "accepted")).exists():
        return False, say("Create the sales order from the accepted quote (Create sales order).",
                          "由已接受的报价单创建销售订单（“创建销售订单”）。")
    return False, say("Send the printer quote, mark it accepted, then create a sales order from it.",
                      "发送打印机报价单并标记为已接受，再由它创建销售订单。")


def invoice_issued(user, since):
    """(c) An invoice from that order (or straight from the quote), issued."""
    off = _sales_off(user)
    if off:
        return False, off
    Invoice = _model("invoice")
    good, _miss = good_quotes(user, since)
    orders = _orders_from(user, since, good).select(_model("sales_order").id)
    invoices = _created_since(user, "invoice", since).where(
        Invoice.order.in_(orders) | Invoice.quote.in_(good or [0]))
    issued = invoices.where(Invoice.status.in_(INVOICED)).first()
    if issued is not None:
        return True, say(f"Invoice {issued} is issued.", f"发票 {issued} 已开具。")
    draft = invoices.where(Invoice.status == "draft").first()
    if draft is not None:
        return False, say(f"Issue the invoice {draft} (Issue invoice).", f"开具发票 {draft}（“开具此发票”）。")
    return False, say("Create the invoice from the sales order (Create invoice) and issue it.",
                      "由销售订单开具发票（“开具发票”），并开具此发票。")


__all__ = ["CUSTOMER", "PRINTER", "good_quotes", "invoice_issued", "order_from_the_quote", "printer",
           "quote_three_printers", "seed_customer_and_printer"]
