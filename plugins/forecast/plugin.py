"""Hook implementations of the forecast plugin (销售预期管理)."""
import os

from flask import render_template
from markupsafe import Markup

from core import hookimpl
from core.babel import lazy_gettext as _l
from core.extension import Job, MenuItem, MigrationSet, Widget


@hookimpl
def zhixin_blueprints(app):
    from plugins.forecast.views import bp
    return [bp]


@hookimpl
def zhixin_migrations():
    return [MigrationSet("forecast", os.path.join(os.path.dirname(__file__), "migrations"))]


@hookimpl
def zhixin_models():
    from plugins.forecast.models import MODELS
    return list(MODELS)


@hookimpl
def zhixin_class_rows(user_ids):
    from plugins.forecast.models import class_rows
    return class_rows(user_ids)


@hookimpl
def zhixin_record_types():
    from core.records.registry import RecordType
    from plugins.forecast.models import Commit
    return [RecordType("forecast_commit", Commit, _l("Forecast commit"), _l("Forecast commits"),
                       family="forecast", menu_group="", plugin="forecast",
                       list_columns=("owner", "quarter_start", "kind", "likely", "best", "created_at"),
                       default_sort="-created_at",
                       labels={"quarter_start": _l("Quarter"), "kind": _l("Kind"), "likely": _l("Likely"),
                               "best": _l("Best case"), "comment": _l("Comment")})]


@hookimpl
def zhixin_menu_items(user):
    from plugins.forecast import services
    items = [MenuItem("forecast", _l("My forecast"), "forecast.my", group="plugins", order=10)]
    if services.has_team(user):
        items.append(MenuItem("forecast-team", _l("Team forecast"), "forecast.team", group="plugins", order=11))
    items.append(MenuItem("forecast-quotas", _l("Quotas"), "forecast.quotas", group="plugins", order=12))
    return items


@hookimpl
def zhixin_dashboard_widgets(user):
    return [Widget("forecast", _l("This quarter's attainment"), render=_render_widget, order=20)]


def _render_widget(user):
    from plugins.forecast import services
    quarter = services.current_quarter()
    figures = services.user_figures(user, user, quarter)
    team = None
    if services.has_team(user):
        users_query, _label = services.scope_users(user, "team", None)
        team, _count = services.scope_figures(user, users_query, quarter)
    return Markup(render_template("forecast/widget.html", user=user, quarter=quarter, figures=figures, team=team))


@hookimpl
def zhixin_jobs():
    from plugins.forecast import jobs
    return [Job(jobs.JOB_ID, jobs.run, "interval", {"hours": 1},
                "Store every user's forecast figures when a fiscal quarter ends")]


@hookimpl
def zhixin_reports():
    from plugins.forecast.reports import sales_against_quota
    return [sales_against_quota()]


@hookimpl
def zhixin_demo_data(app, users, rng):
    from plugins.forecast.demo import load
    load(users, rng)
