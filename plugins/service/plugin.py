"""Hook implementations of the service plugin."""
import os

from flask import Blueprint, render_template
from flask_babel import lazy_gettext as _l
from flask_login import login_required

from core import hookimpl
from core.extension import MenuItem, MigrationSet

bp = Blueprint("service", __name__, url_prefix="/service")


@bp.route("/")
@login_required
def index():
    return render_template("service/index.html")


@hookimpl
def zhixin_blueprints(app):
    return [bp]


@hookimpl
def zhixin_menu_items(user):
    return [MenuItem("service", _l("Customer service"), "service.index", group="plugins", order=30)]


@hookimpl
def zhixin_migrations():
    return [MigrationSet("service", os.path.join(os.path.dirname(__file__), "migrations"))]
