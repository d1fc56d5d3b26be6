"""Administration (系统管理): organisation, positions, users, sharing modes, products, plugins."""
from functools import wraps

from flask import Blueprint, abort, render_template
from flask_login import current_user, login_required

bp = Blueprint("admin", __name__, url_prefix="/admin")


def admin_required(view):
    @wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)
    return wrapper


ADMIN_LINKS = []  # (endpoint, label, help): admin pages add themselves in order


def admin_link(endpoint, label, help_text=""):
    ADMIN_LINKS.append((endpoint, label, help_text))


@bp.app_template_global()
def admin_links():
    return list(ADMIN_LINKS)


@bp.route("/")
@admin_required
def index():
    return render_template("core/admin/index.html")


@bp.route("/logo")
def logo():
    """The organisation's logo (public: the login page shows it)."""
    from flask import current_app, send_from_directory
    from core.models import Organisation
    org = Organisation.get_profile()
    if not org.logo:
        abort(404)
    return send_from_directory(current_app.config["UPLOAD_FOLDER"], org.logo, max_age=300)


from core.admin import views  # noqa: E402,F401  (routes register on bp)
