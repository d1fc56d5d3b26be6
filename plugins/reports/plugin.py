"""Hook implementations of the reports plugin."""
import os

from flask import Blueprint, render_template
from flask_babel import lazy_gettext as _l
from flask_login import login_required

from core import hookimpl
from core.extension import MenuItem, MigrationSet

bp = Blueprint("reports", __name__, url_prefix="/reports")


@bp.route("/")
@login_required
def index():
    return render_template("reports/index.html")


@hookimpl
def zhixin_blueprints(app):
    return [bp]


@hookimpl
def zhixin_menu_items(user):
    return [MenuItem("reports", _l("Reports"), "reports.index", group="plugins", order=40)]


@hookimpl
def zhixin_migrations():
    return [MigrationSet("reports", os.path.join(os.path.dirname(__file__), "migrations"))]
