"""Forms of the sales plugin: the documents' headers (the generic record form), their line rows, payments and
the school's numbering settings. Field names equal the model's."""
from decimal import Decimal

from flask_wtf import FlaskForm
from wtforms import DateField, DecimalField, FieldList, Form, FormField, StringField, TextAreaField
from wtforms.validators import Length, NumberRange, Optional

from core.babel import lazy_gettext as _l
from core.records.forms import ChoiceField, LookupField, RecordForm, int_or_none, money, required
from plugins.sales import totals
from plugins.sales.models import PAYMENT_METHODS


def percent(label, **kw):
    return DecimalField(label, places=2, validators=[Optional(), NumberRange(
        min=0, max=100, message=_l("Enter a percentage between 0 and 100."))], **kw)


class DocumentForm(RecordForm):
    account = LookupField(_l("Account"), record_type="account")
    contact = LookupField(_l("Contact"), record_type="contact")
    opportunity = LookupField(_l("Opportunity"), record_type="opportunity")
    discount = money(_l("Discount"), default=0, description=_l("Taken off the whole document, after tax."))
    shipping = money(_l("Shipping"), default=0)
    notes = TextAreaField(_l("Notes"))


class QuoteForm(DocumentForm):
    valid_until = DateField(_l("Valid until"), validators=[Optional()])


class OrderForm(DocumentForm):
    pass


class InvoiceForm(DocumentForm):
    due_date = DateField(_l("Due date"), validators=[Optional()],
                         description=_l("Leave empty: issuing the invoice sets 30 days from the issue date."))


class LineRow(Form):
    """One line row of the lines form; a row with neither product nor description is left out."""
    product = ChoiceField(_l("Product"), coerce=int_or_none, validators=[Optional()])
    description = StringField(_l("Description"), validators=[Length(max=300)])
    quantity = DecimalField(_l("Quantity"), places=2, validators=[Optional(), NumberRange(
        min=Decimal("0.01"), max=10**9, message=_l("Enter a quantity above 0."))])
    unit_price = money(_l("Unit price"), description=_l("Leave empty to take the product's price."))
    discount_percent = percent(_l("Discount (%)"))
    discount_amount = money(_l("Discount amount"))
    tax_rate = percent(_l("Tax rate (%)"))

    def is_blank(self):
        return not self.product.data and not (self.description.data or "").strip()


class LinesForm(FlaskForm):
    lines = FieldList(FormField(LineRow), min_entries=1)

    def bind(self, product_choices):
        for entry in self.lines:
            entry.form.product.choices = product_choices

    def rows(self, default_price, default_tax_rate):
        """The non-blank rows as dicts of line fields, or None (with the errors on the rows) when one is wrong."""
        out, ok = [], True
        for entry in self.lines:
            row = entry.form
            if row.is_blank():
                continue
            values = {name: row[name].data for name in ("product", "quantity", "discount_percent",
                                                         "discount_amount", "tax_rate")}
            values["description"] = (row.description.data or "").strip()
            values["quantity"] = values["quantity"] if values["quantity"] is not None else Decimal(1)
            values["unit_price"] = row.unit_price.data if row.unit_price.data is not None \
                else default_price(values["product"])
            values["discount_percent"] = values["discount_percent"] or Decimal(0)
            values["discount_amount"] = values["discount_amount"] or Decimal(0)
            values["tax_rate"] = values["tax_rate"] if values["tax_rate"] is not None else default_tax_rate
            if values["discount_percent"] and values["discount_amount"]:
                row.discount_amount.errors = list(row.discount_amount.errors) + [
                    _l("Give a discount as a percentage or as an amount, not both.")]
                ok = False
            elif totals.line_net(values["quantity"], values["unit_price"], 0, values["discount_amount"]) < 0:
                row.discount_amount.errors = list(row.discount_amount.errors) + [
                    _l("The discount is larger than the line.")]
                ok = False
            out.append(values)
        return out if ok else None


class PaymentForm(FlaskForm):
    paid_on = DateField(_l("Payment date"), validators=[required(_l("Enter a valid date."))])
    amount = DecimalField(_l("Amount"), places=2, validators=[required(), NumberRange(
        min=Decimal("0.01"), message=_l("Enter an amount above 0."))])
    method = ChoiceField(_l("Method"), choices=list(PAYMENT_METHODS.items()), default="bank_transfer")
    reference = StringField(_l("Reference"), validators=[Length(max=100)])


class SettingsForm(FlaskForm):
    quote_prefix = StringField(_l("Quote number prefix"), validators=[required(), Length(max=10)])
    order_prefix = StringField(_l("Sales order number prefix"), validators=[required(), Length(max=10)])
    invoice_prefix = StringField(_l("Invoice number prefix"), validators=[required(), Length(max=10)])
    default_tax_rate = percent(_l("Tax rate of new lines (%)"))
