"""Hook implementations of the reports plugin (报表管理)."""
import os

from core import hookimpl
from core.babel import lazy_gettext as _l
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
def zhixin_class_rows(user_ids):
    from plugins.reports.models import class_rows
    return class_rows(user_ids)


@hookimpl
def zhixin_reports():
    from plugins.reports.standard import definitions
    return definitions()


@hookimpl
def zhixin_jobs():
    from plugins.reports.service import deliver
    return [Job("reports.deliver", deliver, "interval", {"minutes": 30},
                "Deliver scheduled saved reports (daily, weekly, monthly) to their owners")]


@hookimpl
def zhixin_demo_data(app, users, rng):
    """Two saved reports of the teacher: one shared with the whole school, one delivered weekly."""
    from plugins.reports import builder, service
    from plugins.reports.models import SavedReport
    if not users:
        return
    teacher = users[0]
    shared = builder.clean({"type": "opportunity", "groups": [{"field": "owner"}, {"field": "close_date",
                                                                                   "unit": "quarter"}],
                            "aggregates": [{"func": "count"}, {"func": "sum", "field": "amount"}],
                            "filters": [{"field": "close_date", "op": "period", "value": "this_fiscal_year"}],
                            "chart": "stacked", "date_field": "close_date"})
    service.save(SavedReport(), shared, teacher, "本财年销售机会（按负责人、财季）",
                 "本财年预计成交的全部销售机会的数量与金额。", shared=bool(teacher.position_id),
                 positions=[teacher.position_id] if teacher.position_id else [])
    weekly = builder.clean({"type": "lead", "groups": [{"field": "source"}], "aggregates": [{"func": "count"}],
                            "filters": [{"field": "created_at", "op": "period", "value": "last_7_days"}],
                            "chart": "bar"})
    service.save(SavedReport(), weekly, teacher, "最近 7 天的新线索（按来源）", schedule="weekly")
