"""Forms of the campaigns plugin."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (DateField, DateTimeLocalField, DecimalField, IntegerField, SelectField, StringField,
                     TextAreaField, ValidationError)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

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
