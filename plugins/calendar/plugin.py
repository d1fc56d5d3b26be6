"""Hook implementations of the calendar plugin."""
import os

from flask import Blueprint, render_template
from flask_babel import lazy_gettext as _l
from flask_login import login_required

from core import hookimpl
from core.extension import MenuItem, MigrationSet

bp = Blueprint("calendar", __name__, url_prefix="/calendar")


@bp.route("/")
@login_required
def index():
    return render_template("calendar/index.html")


@hookimpl
def zhixin_blueprints(app):
    return [bp]


@hookimpl
def zhixin_menu_items(user):
    return [MenuItem("calendar", _l("Calendar"), "calendar.index", group="plugins", order=50)]


@hookimpl
def zhixin_migrations():
    return [MigrationSet("calendar", os.path.join(os.path.dirname(__file__), "migrations"))]
