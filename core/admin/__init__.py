"""Administration (系统管理): organisation, positions, users, sharing modes, products, plugins."""
from functools import wraps

from flask import Blueprint, abort, render_template
from flask_login import current_user, login_required

from core import filestore
from core.models import Organisation

bp = Blueprint("admin", __name__, url_prefix="/admin")


def admin_required(view):
    @wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)
    return wrapper


ADMIN_LINKS = {}  # endpoint -> (order, label, help): admin pages add themselves when imported


def admin_link(endpoint, label, help_text="", order=100):
    """A panel on the admin index. ``order`` places it (never the import order of the modules)."""
    ADMIN_LINKS[endpoint] = (order, label, help_text)


@bp.app_template_global()
def admin_links():
    ranked = sorted(ADMIN_LINKS.items(), key=lambda item: (item[1][0], item[0]))
    return [(endpoint, label, help_text) for endpoint, (_order, label, help_text) in ranked]


@bp.route("/")
@admin_required
def index():
    return render_template("core/admin/index.html")


@bp.route("/logo")
def logo():
    """The organisation's logo (public: the login page shows it)."""
    org = Organisation.get_profile()
    response = filestore.response(org.logo, mimetype=None, max_age=300)
    if response is None:
        abort(404)
    return response

