"""Shared WTForms bits."""
from flask_login import current_user
from wtforms import ValidationError

from core import passwords


class PasswordStrength:
    """The password rule of core.passwords, checked against the user name typed in ``username_field`` or,
    without one, the logged-in user's; the field shows the rule as its hint."""

    def __init__(self, username_field=None):
        self.username_field = username_field

    def __call__(self, form, field):
        if self.username_field:
            username = form[self.username_field].data
        else:
            username = current_user.username if current_user.is_authenticated else None
        reason = passwords.problem(field.data, username)
        if reason:
            raise ValidationError(reason)
