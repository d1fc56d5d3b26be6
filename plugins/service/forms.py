"""Forms of the service plugin: staff entry, status, reply, assignment, settings and the public form."""
from flask_wtf import FlaskForm
from wtforms import (BooleanField, DateTimeLocalField, HiddenField, IntegerField, RadioField, SelectField,
                     StringField, TextAreaField)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp, ValidationError

from core.babel import lazy_gettext as _l
from core.publicforms import ChallengeFields
from plugins.service.models import CATEGORIES, CHANNELS, PRIORITIES, SEVERITIES, STATUSES

EMAIL = r"^[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"']+$"
MAX_MESSAGE = 5000


def optional_int(value):
    if value in (None, "", "None"):
        return None
    return int(value)


def opts(pairs):
    """Choices as WTForms ``SelectChoice`` objects (tuples are deprecated in WTForms 3.3)."""
    return [SelectChoice(value, label) for value, label in pairs]


def choices(mapping):
    return opts(mapping.items())


class ItemForm(FlaskForm):
    subject = StringField(_l("Subject"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Length(max=MAX_MESSAGE * 4)])
    channel = SelectField(_l("Channel"), choices=choices(CHANNELS), default="phone")
    priority = SelectField(_l("Priority"), choices=choices(PRIORITIES), default="normal")
    status = SelectField(_l("Status"), choices=choices(STATUSES), default="new")
    owner = SelectField(_l("Assigned to"), coerce=optional_int, validate_choice=True,
                        description=_l("Leave empty to assign by the rule set by the administrator."))
    account = SelectField(_l("Account"), coerce=optional_int)
    contact = SelectField(_l("Contact"), coerce=optional_int)
    received_at = DateTimeLocalField(_l("Received at"), validators=[Optional()], format="%Y-%m-%dT%H:%M")
    resolution = TextAreaField(_l("Resolution"), validators=[Length(max=MAX_MESSAGE * 4)])
    satisfaction = SelectField(_l("Customer satisfaction"), coerce=optional_int,
                               choices=opts([(None, "—")] + [(i, str(i)) for i in range(1, 6)]))
    submitter_name = StringField(_l("Customer name"), validators=[Length(max=100)])
    submitter_email = StringField(_l("Customer e-mail"), validators=[Optional(), Length(max=254),
                                                                      Regexp(EMAIL, message=_l("Enter an e-mail address."))])
    submitter_phone = StringField(_l("Customer phone"), validators=[Length(max=50)])


class ComplaintForm(ItemForm):
    category = SelectField(_l("Category"), choices=choices(CATEGORIES), default="other")
    severity = SelectField(_l("Severity"), choices=choices(SEVERITIES), default="minor")


class CaseForm(ItemForm):
    feedback = SelectField(_l("From feedback"), coerce=optional_int)
    complaint = SelectField(_l("From complaint"), coerce=optional_int)
    product = SelectField(_l("Product"), coerce=optional_int)


FORMS = {"feedback": ItemForm, "complaint": ComplaintForm, "case": CaseForm}


class StatusForm(FlaskForm):
    status = SelectField(_l("New status"), choices=choices(STATUSES))
    resolution = TextAreaField(_l("Resolution"), validators=[Length(max=MAX_MESSAGE * 4)])


class AssignForm(FlaskForm):
    owner = SelectField(_l("Assign to"), coerce=optional_int, validators=[DataRequired()])


class ReplyForm(FlaskForm):
    body = TextAreaField(_l("Reply"), validators=[DataRequired(), Length(max=MAX_MESSAGE)])
    to_customer = BooleanField(_l("Reply to the customer (otherwise an internal comment)"))
    parent_id = HiddenField()


class SettingsForm(FlaskForm):
    assign_position = SelectField(_l("Assign round-robin within position"), coerce=optional_int,
                                  description=_l("New items go in turn to the users holding this position or "
                                                 "one below it."))
    default_owner = SelectField(_l("Default owner"), coerce=optional_int,
                                description=_l("Takes new items when no position is chosen or nobody holds it."))
    public_form_enabled = BooleanField(_l("Public feedback form is open"))
    public_limit = IntegerField(_l("Submissions per address"), validators=[DataRequired(), NumberRange(1, 1000)])
    public_window_minutes = IntegerField(_l("Within minutes"), validators=[DataRequired(), NumberRange(1, 10080)])
    public_global_limit = IntegerField(_l("Submissions from all addresses"),
                                       validators=[DataRequired(), NumberRange(1, 100000)],
                                       description=_l("In the same window: the ceiling for the whole form."))


class PublicForm(ChallengeFields, FlaskForm):
    """The public feedback form (no login): with core's challenge, answer and honeypot (core.publicforms)."""
    kind = RadioField(_l("Type"), choices=opts([("feedback", _l("Feedback")), ("complaint", _l("Complaint"))]),
                      default="feedback")
    category = SelectField(_l("Complaint category"), choices=choices(CATEGORIES), default="other")
    name = StringField(_l("Your name"), validators=[Length(max=100)])
    email = StringField(_l("Your e-mail"), validators=[DataRequired(), Length(max=254),
                                                        Regexp(EMAIL, message=_l("Enter an e-mail address."))])
    phone = StringField(_l("Phone"), validators=[Length(max=50)])
    subject = StringField(_l("Subject"), validators=[DataRequired(), Length(max=200)])
    message = TextAreaField(_l("Message"), validators=[DataRequired(), Length(max=MAX_MESSAGE)])


class LocalDateTimeField(DateTimeLocalField):
    """A date and time typed in the organisation's time zone, kept as naive UTC (how times are stored).
    Accepts ``2026-01-31 23:30``, ``2026-01-31T23:30`` and a bare date."""
    FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y-%m-%d", "%Y/%m/%d")

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, format=list(self.FORMATS), **kwargs)

    def process_formdata(self, valuelist):
        import datetime as dt
        from core import clock
        raw = " ".join(valuelist).strip() if valuelist else ""
        if not raw:
            self.data = None
            return
        for fmt in self.FORMATS:
            try:
                self.data = clock.to_utc(dt.datetime.strptime(raw, fmt))
                return
            except ValueError:
                continue
        self.data = None
        raise ValueError(self.gettext("Not a valid datetime value."))

    def _value(self):
        from core import clock
        if self.raw_data:
            return " ".join(self.raw_data)
        return clock.to_local(self.data).strftime("%Y-%m-%dT%H:%M") if self.data else ""


class ServiceRecordForm(FlaskForm):
    """The generic record views' form (CSV import, /records/…): field names equal the model's."""
    subject = StringField(_l("Subject"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Length(max=MAX_MESSAGE * 4)])
    channel = SelectField(_l("Channel"), choices=choices(CHANNELS), default="phone")
    priority = SelectField(_l("Priority"), choices=choices(PRIORITIES), default="normal")
    status = SelectField(_l("Status"), choices=choices(STATUSES), default="new")
    received_at = LocalDateTimeField(_l("Received at"), validators=[Optional()])
    submitter_name = StringField(_l("Customer name"), validators=[Length(max=100)])
    submitter_email = StringField(_l("Customer e-mail"), validators=[Optional(), Length(max=254),
                                                                      Regexp(EMAIL, message=_l("Enter an e-mail address."))])
    submitter_phone = StringField(_l("Customer phone"), validators=[Length(max=50)])
    resolution = TextAreaField(_l("Resolution"), validators=[Length(max=MAX_MESSAGE * 4)])


class ComplaintRecordForm(ServiceRecordForm):
    category = SelectField(_l("Category"), choices=choices(CATEGORIES), default="other")
    severity = SelectField(_l("Severity"), choices=choices(SEVERITIES), default="minor")
