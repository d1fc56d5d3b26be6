"""Forms of the campaigns plugin."""
from flask_wtf import FlaskForm
from wtforms import (BooleanField, DateField, DateTimeLocalField, DecimalField, IntegerField, RadioField,
                     SelectField, SelectMultipleField, StringField, TextAreaField, ValidationError)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from core.babel import lazy_gettext as _l
from core.publicforms import ChallengeFields
from core.records.forms import choices as record_choices, valid_email, valid_phone
from plugins.campaigns import labels


def _text(value):
    return (value or "").strip()


def options(pairs):
    """(value, label) pairs as WTForms SelectChoice objects (tuples are deprecated in WTForms 3.3)."""
    return [SelectChoice(value, label) for value, label in pairs]


def _choices(mapping):
    return options(mapping.items())


class CampaignForm(FlaskForm):
    name = StringField(_l("Name"), filters=[_text], validators=[DataRequired(), Length(max=200)])
    type = SelectField(_l("Type"), choices=_choices(labels.CAMPAIGN_TYPES))
    status = SelectField(_l("Status"), choices=_choices(labels.CAMPAIGN_STATUSES))
    start_date = DateField(_l("Start date"), validators=[Optional()])
    end_date = DateField(_l("End date"), validators=[Optional()])
    budget = DecimalField(_l("Budget"), places=2, validators=[Optional(), NumberRange(min=0)])
    expected_cost = DecimalField(_l("Expected cost"), places=2, validators=[Optional(), NumberRange(min=0)])
    actual_cost = DecimalField(_l("Actual cost"), places=2, validators=[Optional(), NumberRange(min=0)])
    expected_response = IntegerField(_l("Expected response rate"), description=_l("Per cent of the members."),
                                     validators=[Optional(), NumberRange(min=0, max=100)])
    expected_revenue = DecimalField(_l("Expected revenue"), places=2, validators=[Optional(), NumberRange(min=0)])
    target_audience = StringField(_l("Target audience"), filters=[_text], validators=[Optional(), Length(max=300)])
    reminder_days = IntegerField(
        _l("Reminder days"), validators=[Optional(), NumberRange(min=0, max=90)],
        description=_l("Days before a deadline to remind; empty = the organisation's default, 0 = off."))
    owner = SelectField(_l("Owner"), coerce=int)
    description = TextAreaField(_l("Description"), filters=[_text])

    def validate_end_date(self, field):
        if field.data and self.start_date.data and field.data < self.start_date.data:
            raise ValidationError(_l("The end date cannot be before the start date."))


class TaskForm(FlaskForm):
    subject = StringField(_l("Subject"), filters=[_text], validators=[DataRequired(), Length(max=200)])
    campaign = SelectField(_l("Campaign"), coerce=int, validators=[InputRequired()])
    owner = SelectField(_l("Assigned to"), coerce=int, validators=[InputRequired()])
    due_at = DateTimeLocalField(_l("Due"), format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
                                validators=[InputRequired(message=_l("Enter the due date and time."))])
    priority = SelectField(_l("Priority"), choices=_choices(labels.TASK_PRIORITIES), default="normal")
    status = SelectField(_l("Status"), choices=_choices(labels.TASK_STATUSES), default="open")
    description = TextAreaField(_l("Description"), filters=[_text])
    completion_note = TextAreaField(_l("Completion note"), filters=[_text])

    def validate_completion_note(self, field):
        if self.status.data == "done" and not (field.data or "").strip():
            raise ValidationError(_l("Write a completion note when the task is done."))


class CompleteForm(FlaskForm):
    completion_note = TextAreaField(_l("Completion note"), validators=[DataRequired(
        message=_l("Write what was done."))])


def _optional_int(value):
    if value in (None, "", "None"):
        return None
    return int(value)


class WebFormSetupForm(FlaskForm):
    """A campaign's web form as its owner (or a superior, or the administrator) sets it up."""
    enabled = BooleanField(_l("Take submissions"))
    fields = SelectMultipleField(_l("Fields on the form"), choices=_choices(labels.WEB_FORM_FIELDS),
                                 description=_l("The last name is always asked."))
    required = SelectMultipleField(_l("Required fields"), choices=_choices(labels.WEB_FORM_FIELDS),
                                   description=_l("The last name is always required."))
    thank_you = TextAreaField(_l("Thank-you text"), filters=[_text], validators=[Length(max=2000)],
                              description=_l("Shown after a submission; empty = a standard thank-you."))
    assign_rule = RadioField(_l("Assign new leads"), choices=_choices(labels.ASSIGN_RULES), default="user")
    assign_user = SelectField(_l("User who takes the leads"), coerce=_optional_int, validate_choice=False)
    assign_position = SelectField(_l("Position whose users take turns"), coerce=_optional_int,
                                  validate_choice=False)
    per_address_limit = IntegerField(_l("Submissions per address"), validators=[InputRequired(),
                                                                                 NumberRange(1, 1000)])
    window_minutes = IntegerField(_l("Within minutes"), validators=[InputRequired(), NumberRange(1, 1440)])
    per_form_limit = IntegerField(_l("Submissions from all addresses"),
                                  validators=[InputRequired(), NumberRange(1, 100000)],
                                  description=_l("In the same window: the ceiling for the whole form."))


def _web_field(name, required):
    """The visitor's field for lead field ``name`` (labels and checks as the lead's own form has them)."""
    check = [DataRequired(message=_l("This field is required."))] if required else [Optional()]
    label = labels.WEB_FORM_FIELDS[name]
    if name == "industry":
        return SelectField(label, choices=options(record_choices("industry")), validators=check)
    if name == "description":
        return TextAreaField(label, filters=[_text], validators=check + [Length(max=5000)])
    extra = {"email": [Length(max=254), valid_email], "phone": [Length(max=50), valid_phone],
             "company": [Length(max=200)]}.get(name, [Length(max=100)])
    return StringField(label, filters=[_text], validators=check + extra)


def web_lead_form(webform):
    """The public form of ``webform``: its chosen lead fields, core's challenge and honeypot, no session CSRF
    token (the single-use challenge stands in for it: core.publicforms)."""
    class WebLeadForm(ChallengeFields, FlaskForm):
        class Meta:
            csrf = False

    for name in webform.field_names:
        setattr(WebLeadForm, name, _web_field(name, name in webform.required_names))
    return WebLeadForm()

