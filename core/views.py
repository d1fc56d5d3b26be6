"""Home (dashboard), notifications and the theme's static files."""
import os

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_from_directory, \
    url_for
from flask_login import current_user, login_required

from core import deadlines, notify
from core.babel import gettext as _
from core.themes import theme_dirs
from core.web import paginate, safe_next

CORE_STATIC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "static")

bp = Blueprint("main", __name__)


@bp.route("/")
@login_required
def home():
    plugins = current_app.extensions["zhixin_plugins"]
    user = current_user._get_current_object()
    widgets = sorted(plugins.gather("zhixin_dashboard_widgets", user=user), key=lambda w: (w.order, w.id))
    return render_template("core/home.html", widgets=widgets, user=user)


@bp.route("/notifications")
@login_required
def notifications():
    page = paginate(notify.for_user(current_user))
    return render_template("core/notifications.html", page=page)


@bp.route("/notifications/<int:note_id>/read", methods=["POST"])
@login_required
def mark_read(note_id):
    if not notify.mark_read(current_user, note_id):
        abort(404)
    return redirect(safe_next(request.form.get("next"), url_for("main.notifications")))


@bp.route("/notifications/read-all", methods=["POST"])
@login_required
def mark_all_read():
    count = notify.mark_all_read(current_user)
    flash(_("%(count)d notifications marked as read.", count=count), "success")
    return redirect(url_for("main.notifications"))


@bp.route("/healthz")
def healthz():
    return {"status": "ok"}


@bp.app_template_global()
def unread_notifications():
    if not current_user.is_authenticated:
        return 0
    return notify.unread_count(current_user)


# the on-page "ends in 2 days" / "due in 3 hours" badges of any module's lists
bp.add_app_template_global(deadlines.ends_soon, "ends_soon")
bp.add_app_template_global(deadlines.due_soon, "due_soon")


def theme_static(filename):
    """A file of the theme's static folder, then the default theme's, then core's (core/static: the page
    behaviours every template relies on, which a theme may override)."""
    for static in [os.path.join(base, "static") for base in theme_dirs(current_app)] + [CORE_STATIC]:
        if os.path.isfile(os.path.join(static, filename)):
            return send_from_directory(static, filename, max_age=3600)
    abort(404)

