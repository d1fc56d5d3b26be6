"""Shared WTForms bits."""
from flask_babel import lazy_gettext as _l
from wtforms import ValidationError


class PasswordStrength:
    """At least 8 characters, not all digits, not the user name."""

    def __init__(self, username_field=None):
        self.username_field = username_field

    def __call__(self, form, field):
        value = field.data or ""
        if len(value) < 8:
            raise ValidationError(_l("The password needs at least 8 characters."))
        if value.isdigit():
            raise ValidationError(_l("The password cannot be only digits."))
        if self.username_field and value == (form[self.username_field].data or ""):
            raise ValidationError(_l("The password cannot be the user name."))
