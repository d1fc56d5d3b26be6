"""Forms of the core records (WTForms). Field names equal the model's field names, so the generic views
can load a record into a form and back. Lookup fields (account, contact, parent, reports-to) get their
choices at request time from ``core.access.visible`` (``core.records.lookups.bind_lookups``) and refuse any
other record."""
import re

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from markupsafe import Markup
from wtforms import BooleanField, DateField, DecimalField, IntegerField, SelectField, SelectMultipleField, \
    StringField, TextAreaField, ValidationError
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import Select, html_params

from core.babel import lazy_gettext as _l
from core.models import ACCOUNT_TYPES, INDUSTRIES, LEAD_RATINGS, LEAD_SOURCES, LEAD_STATUSES, OPPORTUNITY_TYPES

# WTForms' own parse errors, extracted here so our catalog translates them (Flask-WTF asks Flask-Babel).
WTFORMS_MESSAGES = (_l("Not a valid decimal value."), _l("Not a valid integer value."),
                    _l("Not a valid date value."), _l("Not a valid choice."), _l("This field is required."),
                    _l("Number must be at least %(min)s."), _l("Number must be between %(min)s and %(max)s."),
                    _l("Field cannot be longer than %(max)d characters."))

CHOICE_LABELS = {
    "account_type": {"customer": _l("Customer"), "prospect": _l("Prospect"), "partner": _l("Partner"),
                     "reseller": _l("Reseller"), "competitor": _l("Competitor"), "other": _l("Other")},
    "industry": {"manufacturing": _l("Manufacturing"), "retail": _l("Retail"), "finance": _l("Finance"),
                 "education": _l("Education"), "healthcare": _l("Healthcare"), "technology": _l("Technology"),
                 "government": _l("Government"), "hospitality": _l("Hospitality"), "transport": _l("Transport"),
                 "energy": _l("Energy"), "agriculture": _l("Agriculture"), "other": _l("Other")},
    "lead_source": {"web": _l("Website"), "phone": _l("Phone inquiry"), "referral": _l("Referral"),
                    "trade_show": _l("Trade show"), "advertisement": _l("Advertisement"), "email": _l("E-mail"),
                    "partner": _l("Partner"), "campaign": _l("Campaign"), "other": _l("Other")},
    "lead_status": {"new": _l("New"), "contacted": _l("Contacted"), "qualified": _l("Qualified"),
                    "unqualified": _l("Unqualified"), "converted": _l("Converted")},
    "lead_rating": {"hot": _l("Hot"), "warm": _l("Warm"), "cold": _l("Cold")},
    "opportunity_type": {"new_business": _l("New business"), "existing_business": _l("Existing business"),
                         "renewal": _l("Renewal")},
}
assert set(CHOICE_LABELS["account_type"]) == set(ACCOUNT_TYPES)
assert set(CHOICE_LABELS["industry"]) == set(INDUSTRIES)
assert set(CHOICE_LABELS["lead_source"]) == set(LEAD_SOURCES)
assert set(CHOICE_LABELS["lead_status"]) == set(LEAD_STATUSES)
assert set(CHOICE_LABELS["lead_rating"]) == set(LEAD_RATINGS)
assert set(CHOICE_LABELS["opportunity_type"]) == set(OPPORTUNITY_TYPES)

NONE_LABEL = _l("— none —")


def choices(kind, blank=True):
    """(stored English key, translated label) pairs for a select."""
    items = list(CHOICE_LABELS[kind].items())
    return ([("", NONE_LABEL)] if blank else []) + items


def choice_label(kind, key):
    return CHOICE_LABELS.get(kind, {}).get(key, key or "")


PHONE_RE = re.compile(r"^\+?[0-9][0-9 ()\-]{4,24}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
URL_RE = re.compile(r"^(https?://)?[A-Za-z0-9.-]+\.[A-Za-z]{2,}(/\S*)?$")


def valid_phone(form, field):
    if field.data and not PHONE_RE.match(field.data.strip()):
        raise ValidationError(_l("Enter a phone number of digits, spaces, dashes or brackets, e.g. 021-5888 0000."))


def valid_email(form, field):
    if field.data and not EMAIL_RE.match(field.data.strip()):
        raise ValidationError(_l("Enter an e-mail address like name@example.com."))


def valid_website(form, field):
    if field.data and not URL_RE.match(field.data.strip()):
        raise ValidationError(_l("Enter a web address like https://example.com."))


def required(message=None):
    return DataRequired(message=message or _l("This field is required."))


def money(label, **kw):
    return DecimalField(label, places=2, validators=[Optional(), NumberRange(
        min=0, max=10**13, message=_l("Enter an amount of 0 or more."))], **kw)


def as_select_choices(value):
    if value is None or callable(value):
        return value
    return [c if isinstance(c, SelectChoice) else SelectChoice(*(c if isinstance(c, tuple) else (c, c)))
            for c in value]


class ChoiceField(SelectField):
    """A select over stored keys whose unknown values fail with our own (translated) message.

    Choices may be given as (value, label) pairs; they are kept as WTForms ``SelectChoice`` objects."""

    def __init__(self, label=None, validators=None, choices=None, **kwargs):
        super().__init__(label, validators, choices=as_select_choices(choices), **kwargs)

    @property
    def choices(self):
        return SelectField.choices.fget(self)

    @choices.setter
    def choices(self, value):
        SelectField.choices.fset(self, as_select_choices(value))

    def pre_validate(self, form):
        if self.data in (None, ""):
            return
        if not any(self.coerce(c.value) == self.data for c in self.choices or []):
            raise ValidationError(_l("Choose one of the offered values."))


def int_or_none(value):
    if value in (None, "", "None"):
        return None
    if isinstance(value, int):
        return value
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1  # never a valid choice: the field reports it


def option_text(record_id, label):
    """What a type-ahead offers and posts for a record: its name and id ("Acme Ltd · #123"), so two records of
    one name stay apart and the server needs no script to know which was meant."""
    return f"{label} · #{record_id}"


class LookupWidget:
    """A select while the field offers every choice; the text input of a type-ahead (its suggestions in a
    datalist that core/static/core.js fills from ``field.search_url``) once ``bind_lookups`` made it one."""

    def __call__(self, field, **kwargs):
        if field.search_url is None:
            return Select()(field, **kwargs)
        kwargs.setdefault("id", field.id)
        suggestions = f"{kwargs['id']}-suggestions"
        attrs = html_params(type="text", name=field.name, value=field.text_value(), list=suggestions,
                            autocomplete="off", placeholder=str(_l("Type a name to search")),
                            data_lookup_search=field.search_url, **kwargs)
        return Markup('<input {}><datalist id="{}"></datalist>').format(Markup(attrs), suggestions)


class LookupField(ChoiceField):
    """A reference to another record the user may see; ``bind_lookups`` gives it its choices, or makes it a
    type-ahead. The posted text names the record: an id (what the select posts), "… · #<id>" (what the
    type-ahead offers) or the record's exact name; ``bind_lookups`` resolves it."""
    widget = LookupWidget()

    def __init__(self, label=None, record_type=None, **kwargs):
        kwargs.setdefault("coerce", int_or_none)
        kwargs.setdefault("validators", [Optional()])
        kwargs.setdefault("choices", [])
        super().__init__(label, **kwargs)
        self.record_type = record_type
        self.locked = None      # the stored link to a record the editor may not read: it must stay
        self.text = None        # the posted text, None when the field was not posted
        self.search_url = None  # set when the field is a type-ahead: the address of its suggestions
        self.problem = None     # why the posted text names no record the editor may choose

    def process_formdata(self, valuelist):
        if valuelist:
            self.text = valuelist[0]
        super().process_formdata(valuelist)

    def text_value(self):
        """The type-ahead's text: the chosen record as it offers it, else what was typed."""
        for choice in self.choices or []:
            if choice.value != "" and choice.value == self.data:
                return option_text(choice.value, choice.label)
        return self.text or ""

    def pre_validate(self, form):
        if self.problem is not None:
            raise ValidationError(self.problem)
        if self.data is None:
            return
        if not any(c.value == self.data for c in self.choices or [] if c.value != ""):
            raise ValidationError(_l("Choose a record you may see."))

    def post_validate(self, form, validation_stopped):
        # after the validators: ``Optional`` clears earlier errors of an emptied field
        if self.locked is not None and self.data != self.locked:
            raise ValidationError(_l("You may not change a link to a record you may not see."))


def name_length():
    return Length(max=200, message=_l("At most %(max)d characters.", max=200))


class RecordForm(FlaskForm):
    """Base of the record forms (the generic views add plugin fields to a subclass at runtime)."""


class AccountForm(RecordForm):
    name = StringField(_l("Account name"), validators=[required(), name_length()])
    type = ChoiceField(_l("Type"), choices=choices("account_type", blank=False), default="customer")
    industry = ChoiceField(_l("Industry"), choices=choices("industry"))
    phone = StringField(_l("Phone"), validators=[valid_phone])
    email = StringField(_l("E-mail"), validators=[valid_email])
    website = StringField(_l("Website"), validators=[valid_website])
    billing_address = TextAreaField(_l("Billing address"))
    region = StringField(_l("Region"), validators=[Length(max=100)])
    annual_revenue = money(_l("Annual revenue"))
    employees = IntegerField(_l("Employees"), validators=[Optional(), NumberRange(
        min=0, message=_l("Enter a number of 0 or more."))])
    parent = LookupField(_l("Parent account"), record_type="account")
    description = TextAreaField(_l("Description"))


class ContactForm(RecordForm):
    last_name = StringField(_l("Last name"), validators=[required(), Length(max=100)])
    first_name = StringField(_l("First name"), validators=[Length(max=100)])
    account = LookupField(_l("Account"), record_type="account")
    title = StringField(_l("Job title"), validators=[Length(max=100)])
    department = StringField(_l("Department"), validators=[Length(max=100)])
    phone = StringField(_l("Phone"), validators=[valid_phone])
    mobile = StringField(_l("Mobile"), validators=[valid_phone])
    email = StringField(_l("E-mail"), validators=[valid_email])
    address = TextAreaField(_l("Address"))
    birthday = DateField(_l("Birthday"), validators=[Optional()])
    lead_source = ChoiceField(_l("Lead source"), choices=choices("lead_source"))
    reports_to = LookupField(_l("Reports to"), record_type="contact")
    description = TextAreaField(_l("Description"))


class LeadForm(RecordForm):
    last_name = StringField(_l("Last name"), validators=[required(), Length(max=100)])
    first_name = StringField(_l("First name"), validators=[Length(max=100)])
    company = StringField(_l("Company"), validators=[Length(max=200)])
    title = StringField(_l("Job title"), validators=[Length(max=100)])
    phone = StringField(_l("Phone"), validators=[valid_phone])
    email = StringField(_l("E-mail"), validators=[valid_email])
    source = ChoiceField(_l("Lead source"), choices=choices("lead_source"))
    status = ChoiceField(_l("Status"), choices=choices("lead_status", blank=False), default="new")
    rating = ChoiceField(_l("Rating"), choices=choices("lead_rating"))
    industry = ChoiceField(_l("Industry"), choices=choices("industry"))
    annual_revenue = money(_l("Annual revenue"))
    description = TextAreaField(_l("Description"))


class OpportunityForm(RecordForm):
    name = StringField(_l("Opportunity name"), validators=[required(), name_length()])
    account = LookupField(_l("Account"), record_type="account")
    contact = LookupField(_l("Contact"), record_type="contact")
    amount = money(_l("Amount"), description=_l("Follows the product lines when the opportunity has lines."))
    close_date = DateField(_l("Expected close date"), validators=[required(_l("Enter a valid date."))])
    stage = ChoiceField(_l("Sales stage"), coerce=int_or_none, validators=[required()])
    probability = IntegerField(_l("Probability (%)"), validators=[Optional(), NumberRange(
        min=0, max=100, message=_l("Enter a percentage between 0 and 100."))],
        description=_l("Leave empty to take the stage's default."))
    type = ChoiceField(_l("Type"), choices=choices("opportunity_type", blank=False), default="new_business")
    lead_source = ChoiceField(_l("Lead source"), choices=choices("lead_source"))
    next_step = StringField(_l("Next step"), validators=[name_length()])
    description = TextAreaField(_l("Description"))


class CompetitorForm(RecordForm):
    name = StringField(_l("Competitor name"), validators=[required(), name_length()])
    website = StringField(_l("Website"), validators=[valid_website])
    strengths = TextAreaField(_l("Strengths"))
    weaknesses = TextAreaField(_l("Weaknesses"))
    description = TextAreaField(_l("Description"))


DOCUMENT_LINK_TYPES = ("account", "contact", "lead", "opportunity")


class DocumentForm(RecordForm):
    title = StringField(_l("Title"), validators=[required(), name_length()])
    folder = StringField(_l("Folder"), validators=[Length(max=100)])
    file = FileField(_l("File"), description=_l(
        "PDF, Office documents, images, text, CSV or ZIP; at most %(size)s MB.", size="10"))
    related_type = ChoiceField(_l("Linked record type"), choices=[("", NONE_LABEL)] + [
        ("account", _l("Account")), ("contact", _l("Contact")), ("lead", _l("Lead")),
        ("opportunity", _l("Opportunity"))])
    related_id = IntegerField(_l("Linked record number"), validators=[Optional()])
    description = TextAreaField(_l("Description"))


class ConvertLeadForm(FlaskForm):
    """Convert a lead (线索转换): account (new or existing), contact, optional opportunity."""
    account = LookupField(_l("Existing account"), record_type="account",
                          description=_l("Leave empty to create a new account from the lead's company."))
    account_name = StringField(_l("New account name"), validators=[name_length()])
    create_opportunity = BooleanField(_l("Also create an opportunity"), default=True)
    opportunity_name = StringField(_l("Opportunity name"), validators=[name_length()])
    close_date = DateField(_l("Expected close date"), validators=[Optional()])
    stage = ChoiceField(_l("Sales stage"), coerce=int_or_none)
    amount = money(_l("Amount"))

    def validate_account_name(self, field):
        if not self.account.data and not (field.data or "").strip():
            raise ValidationError(_l("Choose an existing account or enter a name for a new one."))

    def validate_opportunity_name(self, field):
        if self.create_opportunity.data and not (field.data or "").strip():
            raise ValidationError(_l("Enter a name for the opportunity."))

    def validate_close_date(self, field):
        if self.create_opportunity.data and not field.data:
            raise ValidationError(_l("Enter a valid date."))


class LineForm(FlaskForm):
    """A product line item (产品明细) on an opportunity."""
    product = ChoiceField(_l("Product"), coerce=int_or_none, validators=[required()])
    quantity = DecimalField(_l("Quantity"), places=2, default=1, validators=[required(), NumberRange(
        min=0.01, message=_l("Enter a quantity above 0."))])
    unit_price = DecimalField(_l("Unit price"), places=2, validators=[Optional(), NumberRange(
        min=0, message=_l("Enter an amount of 0 or more."))],
        description=_l("Leave empty to take the product's price."))
    discount_percent = DecimalField(_l("Discount (%)"), places=2, default=0, validators=[Optional(), NumberRange(
        min=0, max=100, message=_l("Enter a percentage between 0 and 100."))])


class CompetitorLinkForm(FlaskForm):
    competitor = LookupField(_l("Competitor"), record_type="competitor", validators=[required()])


class ReassignForm(FlaskForm):
    ids = SelectMultipleField(_l("Records"), coerce=int, validate_choice=False, choices=[])
    owner = ChoiceField(_l("New owner"), coerce=int_or_none, validators=[required(_l("Choose the new owner."))])
