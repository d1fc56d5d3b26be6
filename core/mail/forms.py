"""Forms of e-mail to customers: compose a message, keep a template."""
from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice
from wtforms import HiddenField, SelectField, SelectMultipleField, StringField, TextAreaField, widgets
from wtforms.validators import DataRequired, Length, ValidationError

from core.babel import lazy_gettext as _l
from core.mail import merge, smtp

LANGUAGE_LABELS = {"zh": _l("Chinese"), "en": _l("English")}


def _merge_fields(form, field):
    try:
        merge.check(field.data or "")
    except merge.MergeError as exc:
        raise ValidationError(str(exc)) from None


def _address(form, field):
    if not smtp.valid_address((field.data or "").strip()):
        raise ValidationError(_l("Enter one e-mail address, such as name@example.com."))


class ComposeForm(FlaskForm):
    to = StringField(_l("Recipient"), validators=[DataRequired(), Length(max=254), _address])
    subject = StringField(_l("Subject"), validators=[DataRequired(), Length(max=300), _merge_fields])
    body = TextAreaField(_l("Message text"), validators=[DataRequired(), Length(max=20000), _merge_fields])
    attachments = SelectMultipleField(_l("Attachments (documents of this record)"), coerce=int,
                                      option_widget=widgets.CheckboxInput(),
                                      widget=widgets.ListWidget(prefix_label=False))
    template = HiddenField()


class TemplateForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    language = SelectField(_l("Language"), choices=[SelectChoice(k, v) for k, v in LANGUAGE_LABELS.items()])
    subject = StringField(_l("Subject"), validators=[DataRequired(), Length(max=300), _merge_fields])
    body = TextAreaField(_l("Message text"), validators=[DataRequired(), Length(max=20000), _merge_fields],
                         render_kw={"rows": 10})
