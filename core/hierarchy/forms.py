"""Forms of the structure pages (positions, catalogue, sales stages)."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, DecimalField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from core.babel import lazy_gettext as _l


def choices(pairs):
    """(value, label) pairs as WTForms ``SelectChoice`` objects (plain tuples are deprecated)."""
    return [SelectChoice(str(value), label) for value, label in pairs]


def optional_id(value):
    """Select boxes send '' for "none": keep that as None, anything else as an int (or None if garbage)."""
    if value in (None, "", "None"):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class PositionForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    parent = SelectField(_l("Parent position"), coerce=optional_id, validate_choice=False)
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=2000)])


class ChildrenForm(FlaskForm):
    parent = SelectField(_l("Parent position"), coerce=optional_id, validate_choice=False)
    names = TextAreaField(_l("Names, one per line"), validators=[DataRequired(), Length(max=10000)])


class SubtreeMoveForm(FlaskForm):
    position = SelectField(_l("Position (with everything below it)"), coerce=optional_id, validate_choice=False,
                           validators=[DataRequired()])
    parent = SelectField(_l("New parent position"), coerce=optional_id, validate_choice=False)


class RenameForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=2000)])


class MoveForm(FlaskForm):
    parent = SelectField(_l("New parent position"), coerce=optional_id, validate_choice=False)


class DeleteForm(FlaskForm):
    reassign_to = SelectField(_l("Move its users to"), coerce=optional_id, validate_choice=False)


class TemplateForm(FlaskForm):
    classes = IntegerField(_l("Number of classes"), default=3,
                           validators=[InputRequired(), NumberRange(min=1, max=50)])
    departments = IntegerField(_l("Departments per class"), default=2,
                               validators=[InputRequired(), NumberRange(min=1, max=20)])


class CategoryForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    parent = SelectField(_l("Parent category"), coerce=optional_id, validate_choice=False)
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=2000)])


class ProductForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=50)],
                       description=_l("Unique in the catalogue, e.g. PRJ-100."))
    category = SelectField(_l("Category"), coerce=optional_id, validate_choice=False)
    unit_price = DecimalField(_l("Unit price"), places=2,
                              validators=[InputRequired(), NumberRange(min=0, message=_l("The price cannot be negative."))])
    unit = StringField(_l("Unit"), validators=[Optional(), Length(max=20)], description=_l("e.g. piece, set, hour"))
    active = BooleanField(_l("Active (offered on new opportunities)"), default=True)
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])

    def validate_unit_price(self, field):
        if field.data is not None and field.data >= 10 ** 14:
            raise ValidationError(_l("The price is too large."))


class StageForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=50)])
    probability = IntegerField(_l("Probability (%)"), default=10,
                               validators=[InputRequired(), NumberRange(min=0, max=100,
                                                                        message=_l("Enter a number from 0 to 100."))])
    order = IntegerField(_l("Order"), default=0, validators=[InputRequired(), NumberRange(min=0, max=999)])
    is_won = BooleanField(_l("Closed won"))
    is_lost = BooleanField(_l("Closed lost"))

    def validate_is_lost(self, field):
        if field.data and self.is_won.data:
            raise ValidationError(_l("A stage cannot be both won and lost."))
