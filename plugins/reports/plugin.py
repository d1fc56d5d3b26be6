"""Hook implementations of the reports plugin (报表管理)."""
import os

from flask_babel import lazy_gettext as _l

from core import hookimpl
from core.extension import Job, MenuItem, MigrationSet


@hookimpl
def zhixin_blueprints(app):
    from plugins.reports.views import bp
    return [bp]


@hookimpl
def zhixin_menu_items(user):
    return [MenuItem("reports", _l("Reports"), "reports.index", group="plugins", order=40, icon="chart")]


@hookimpl
def zhixin_migrations():
    return [MigrationSet("reports", os.path.join(os.path.dirname(__file__), "migrations"))]


@hookimpl
def zhixin_models():
    from plugins.reports.models import MODELS
    return list(MODELS)


@hookimpl
def zhixin_reports():
    from plugins.reports.standard import definitions
    return definitions()


@hookimpl
def zhixin_jobs():
    from plugins.reports.service import deliver
    return [Job("reports.deliver", deliver, "interval", {"minutes": 30},
                "Deliver scheduled saved reports (daily, weekly, monthly) to their owners")]
