"""Hook implementations of the campaigns plugin."""
import os

from flask import Blueprint, render_template
from flask_babel import lazy_gettext as _l
from flask_login import login_required

from core import hookimpl
from core.extension import MenuItem, MigrationSet

bp = Blueprint("campaigns", __name__, url_prefix="/campaigns")


@bp.route("/")
@login_required
def index():
    return render_template("campaigns/index.html")


@hookimpl
def zhixin_blueprints(app):
    return [bp]


@hookimpl
def zhixin_menu_items(user):
    return [MenuItem("campaigns", _l("Campaigns"), "campaigns.index", group="plugins", order=20)]


@hookimpl
def zhixin_migrations():
    return [MigrationSet("campaigns", os.path.join(os.path.dirname(__file__), "migrations"))]
