"""The records blueprint, shared by the generic views (``core.records.views``) and the views of single
record types (``core.records.specific``), so neither imports the other to add its routes."""
from flask import Blueprint
from flask_login import current_user

bp = Blueprint("records", __name__, url_prefix="/records")


def _user():
    return current_user._get_current_object()
