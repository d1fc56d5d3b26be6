from flask import Blueprint
from flask_login import login_required

from core import hookimpl
from core.extension import MenuItem

bp = Blueprint("alpha", __name__, url_prefix="/alpha")


@bp.route("/")
@login_required
def index():
    return "alpha page"


@hookimpl
def zhixin_blueprints(app):
    return [bp]


@hookimpl
def zhixin_menu_items(user):
    return [MenuItem("alpha", "Alpha", "alpha.index", group="plugins", order=50)]
