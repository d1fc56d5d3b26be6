"""Event and task forms (plain HTML forms: everything works without JavaScript)."""
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (BooleanField, DateField, IntegerField, SelectField, SelectMultipleField, StringField,
                     TextAreaField, TimeField, ValidationError, widgets)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from core.babel import lazy_gettext as _l
from plugins.calendar.models import PRIORITIES, TASK_STATUSES
from plugins.calendar.recurrence import WEEKDAY_LABELS, WEEKDAYS



def ch(pairs):
    """WTForms 3.3 wants SelectChoice objects rather than (value, label) tuples."""
    return [SelectChoice(value, label) for value, label in pairs]


PRIORITY_LABELS = {"high": _l("High"), "normal": _l("Normal"), "low": _l("Low")}
STATUS_LABELS = {"not_started": _l("Not started"), "in_progress": _l("In progress"), "waiting": _l("Waiting"),
                 "completed": _l("Completed"), "deferred": _l("Deferred")}
ANSWER_LABELS = {"needs_action": _l("No answer yet"), "accepted": _l("Accepted"), "tentative": _l("Tentative"),
                 "declined": _l("Declined")}
REMINDERS = ch([("", _l("No reminder")), ("0", _l("At the start")), ("5", _l("5 minutes before")),
             ("15", _l("15 minutes before")), ("30", _l("30 minutes before")), ("60", _l("1 hour before")),
             ("120", _l("2 hours before")), ("1440", _l("1 day before")), ("10080", _l("1 week before"))])


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class EventForm(FlaskForm):
    subject = StringField(_l("Subject"), validators=[DataRequired(), Length(max=200)])
    all_day = BooleanField(_l("All day"))
    start_date = DateField(_l("Start date"), validators=[DataRequired()])
    start_time = TimeField(_l("Start time"), validators=[Optional()])
    end_date = DateField(_l("End date"), validators=[DataRequired()])
    end_time = TimeField(_l("End time"), validators=[Optional()])
    location = StringField(_l("Location"), validators=[Optional(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional()])
    private = BooleanField(_l("Private (others see only \"busy\")"))
    reminder = SelectField(_l("Reminder"), choices=REMINDERS, default="")
    related_type = SelectField(_l("Related to"), choices=[], validate_choice=False)
    related_id = IntegerField(_l("Related record number"), validators=[Optional(), NumberRange(min=1)],
                              description=_l("The number in the record's address, e.g. 12 for …/12."))
    invite_users = SelectMultipleField(_l("Invite colleagues"), coerce=int, choices=[], validate_choice=False)
    invite_contacts = SelectMultipleField(_l("Invite contacts"), coerce=int, choices=[], validate_choice=False)
    freq = SelectField(_l("Repeat"), choices=ch([("", _l("Does not repeat")), ("DAILY", _l("Daily")),
                                                 ("WEEKLY", _l("Weekly")), ("MONTHLY", _l("Monthly")),
                                                 ("YEARLY", _l("Yearly"))]), default="")
    interval = IntegerField(_l("Every"), default=1, validators=[Optional(), NumberRange(min=1, max=99)])
    byday = MultiCheckboxField(_l("On these days (weekly)"),
                               choices=ch(zip(WEEKDAYS, WEEKDAY_LABELS)))
    monthly_by = SelectField(_l("Monthly on"), default="date", choices=ch([
        ("date", _l("the same day of the month")), ("weekday", _l("the same weekday (e.g. 2nd Tuesday)")),
        ("last_day", _l("the last day of the month"))]))
    ends = SelectField(_l("Ends"), default="never", choices=ch([
        ("never", _l("Never")), ("until", _l("On a date")), ("count", _l("After a number of times"))]))
    until = DateField(_l("Until"), validators=[Optional()])
    count = IntegerField(_l("Times"), validators=[Optional(), NumberRange(min=1, max=1000)])

    def validate_start_time(self, field):
        if not self.all_day.data and field.data is None:
            raise ValidationError(_l("Give a start time, or mark the event as all day."))

    def validate_end_date(self, field):
        if self.start_date.data and field.data and field.data < self.start_date.data:
            raise ValidationError(_l("The end cannot be before the start."))

    def validate_end_time(self, field):
        if self.all_day.data:
            return
        if field.data is None:
            raise ValidationError(_l("Give an end time, or mark the event as all day."))
        if (self.start_date.data == self.end_date.data and self.start_time.data
                and field.data < self.start_time.data):
            raise ValidationError(_l("The end cannot be before the start."))


class TaskForm(FlaskForm):
    subject = StringField(_l("Subject"), validators=[DataRequired(), Length(max=200)])
    due_date = DateField(_l("Due date"), validators=[DataRequired()])
    due_time = TimeField(_l("Due time"), validators=[Optional()])
    priority = SelectField(_l("Priority"), choices=ch((p, PRIORITY_LABELS[p]) for p in PRIORITIES),
                           default="normal")
    status = SelectField(_l("Status"), choices=ch((s, STATUS_LABELS[s]) for s in TASK_STATUSES),
                         default="not_started")
    owner = SelectField(_l("Assigned to"), coerce=int, choices=[], validate_choice=False)
    related_type = SelectField(_l("Related to"), choices=[], validate_choice=False)
    related_id = IntegerField(_l("Related record number"), validators=[Optional(), NumberRange(min=1)],
                              description=_l("The number in the record's address, e.g. 12 for …/12."))
    description = TextAreaField(_l("Description"), validators=[Optional()])


class QuickTaskForm(FlaskForm):
    subject = StringField(_l("New task for today"), validators=[DataRequired(), Length(max=200)])


class ImportForm(FlaskForm):
    file = FileField(_l("iCalendar file (.ics)"))
