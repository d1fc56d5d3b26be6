"""Hook implementations of the forecast plugin."""
import os

from flask import Blueprint, render_template
from flask_babel import lazy_gettext as _l
from flask_login import login_required

from core import hookimpl
from core.extension import MenuItem, MigrationSet

bp = Blueprint("forecast", __name__, url_prefix="/forecast")


@bp.route("/")
@login_required
def index():
    return render_template("forecast/index.html")


@hookimpl
def zhixin_blueprints(app):
    return [bp]


@hookimpl
def zhixin_menu_items(user):
    return [MenuItem("forecast", _l("Sales forecast"), "forecast.index", group="plugins", order=10)]


@hookimpl
def zhixin_migrations():
    return [MigrationSet("forecast", os.path.join(os.path.dirname(__file__), "migrations"))]
