"""The plugin in the app: menu, families filled by other plugins, scheduled delivery, switched off cleanly."""
import datetime as dt

from core import scheduler
from core.models import Notification
from core.reports import ReportDefinition
from plugins.reports import service
from plugins.reports.models import SavedReport


def test_menu_and_home_when_enabled(client, login, world):
    login(client, world.ann)
    home = client.get("/")
    assert b'data-menu="reports"' in home.data
    page = client.get("/reports/")
    assert page.status_code == 200
    for family in ("customers", "opportunities", "sales", "leads", "competitors", "service", "campaigns"):
        assert f'data-family="{family}"'.encode() in page.data


def test_families_filled_by_disabled_plugins_explain_themselves(make_app, make_user, login):
    app = make_app(plugins=["reports"])
    with app.app_context():
        user = make_user("sue")
        client = app.test_client()
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        login(client, user)
        service_page = client.get("/reports/family/service")
        assert b"customer service plugin, which is not enabled" in service_page.data
        assert b"campaigns plugin, which is not enabled" in client.get("/reports/family/campaigns").data
        assert b"when the forecast plugin is enabled" in client.get("/reports/family/sales").data
        assert client.get("/reports/family/nonsense").status_code == 404
        assert client.get("/reports/run/nonsense.report").status_code == 404


def test_reports_of_other_plugins_are_gathered_and_stamped(app):
    definitions = service.definitions()
    assert all(isinstance(d, ReportDefinition) for d in definitions.values())
    assert definitions["reports.win_loss"].plugin == "reports"
    assert len([d for d in definitions.values() if d.plugin == "reports"]) == 30


def test_chart_bars_link_to_the_drill_down_and_svg_downloads(client, login, world):
    login(client, world.admin)
    page = client.get("/reports/run/reports.pipeline_by_owner")
    assert b"<svg" in page.data and b"/reports/drill/opportunity/?f=" in page.data
    assert b"kozea.github.io" not in page.data          # offline: no external tooltip script
    svg = client.get("/reports/run/reports.pipeline_by_owner?format=svg")
    assert svg.mimetype == "image/svg+xml" and svg.data.startswith(b"<?xml")
    assert "attachment" in svg.headers["Content-Disposition"]
    printed = client.get("/reports/run/reports.pipeline_by_owner?format=print")
    assert b"data-print" in printed.data and b"sidebar" not in printed.data


def test_bad_report_parameters_are_a_400(client, login, world):
    login(client, world.admin)
    for query in ("date_from=yesterday", "owner=abc", "team=999999", "period=forever"):
        assert client.get(f"/reports/run/reports.win_loss?{query}").status_code == 400, query
    assert client.get("/reports/run/reports.win_loss?period=this_quarter").status_code == 200


def _scheduled(world, schedule="weekly"):
    from flask import current_app
    with current_app.test_request_context("/"):
        spec = {"type": "opportunity", "groups": [{"field": "owner", "unit": ""}], "columns": [], "filters": [],
                "aggregates": [{"func": "count", "field": ""}], "sort": "", "desc": False, "chart": "bar",
                "date_field": "created_at"}
        return service.save(SavedReport(), spec, world.ann, "Weekly pipeline", schedule=schedule)


def test_scheduled_delivery_is_once_per_period(app, world, frozen_clock):
    report = _scheduled(world)
    job = next(j for j in scheduler.all_jobs(app) if j.id == "reports.deliver")
    scheduler.run_job(app, job)
    scheduler.run_job(app, job)
    notes = list(Notification.select().where(Notification.user == world.ann.id))
    assert len(notes) == 1
    assert notes[0].key == f"reports:{report.id}:2026-W20" and notes[0].link == f"/reports/saved/{report.id}"
    assert "Ann" in notes[0].body                    # the figures as ann sees them
    frozen_clock(dt.datetime(2026, 5, 19, 2, 0))     # the next ISO week
    scheduler.run_job(app, job)
    assert Notification.select().where(Notification.user == world.ann.id).count() == 2


def test_scheduled_delivery_is_marked_for_email_when_smtp_is_configured(make_app, world, frozen_clock):
    app = make_app(SMTP_HOST="127.0.0.1")
    with app.app_context():
        _scheduled(world, "daily")
        service.deliver(app)
        assert Notification.get(Notification.user == world.ann.id).email_pending


def test_plugin_off_cleanly(make_app, make_user, login):
    app = make_app(plugins=["forecast", "calendar"])
    with app.app_context():
        user = make_user("carl")
        client = app.test_client()
        login(client, user)
        assert client.get("/").status_code == 200
        assert b'data-menu="reports"' not in client.get("/").data
        assert client.get("/reports/").status_code == 404
        assert client.get("/reports/run/reports.win_loss").status_code == 404
        assert "reports.deliver" not in {j.id for j in scheduler.all_jobs(app)}
        assert not any(d.id.startswith("reports.") for d in app.extensions["zhixin_plugins"].gather("zhixin_reports"))


def test_demo_data_saves_a_shared_and_a_scheduled_report(app, world, client, login):
    import random

    from plugins.reports import plugin
    plugin.zhixin_demo_data(app=app, users=[world.teacher, world.ann], rng=random.Random(1))
    reports = list(SavedReport.select().order_by(SavedReport.id))
    assert [(r.shared, r.schedule) for r in reports] == [(True, ""), (False, "weekly")]
    login(client, world.ann)          # below the teacher: may run the shared one, with her own figures
    assert client.get(f"/reports/saved/{reports[0].id}").status_code == 200
    assert client.get(f"/reports/saved/{reports[1].id}").status_code == 404
