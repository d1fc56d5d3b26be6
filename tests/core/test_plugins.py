"""The plugin system and the plugins admin page: discovery, requirements, enable/disable, errors."""
import pytest

from core.models import PluginState
from core.plugins import PluginInfo, resolve_order
from tests.conftest import BUNDLED
from tests.core.english import fresh, make_app  # noqa: F401  (English default language)

SAMPLES = ["tests.core.sample_plugins.alpha", "tests.core.sample_plugins.beta"]
BROKEN = "tests.core.sample_plugins.broken"


@pytest.fixture
def admin_app(make_app, make_user, login):
    """An app where the admin page decides (no ZHIXIN_PLUGINS), with alpha, beta and a broken plugin."""
    def build():
        app = make_app(PLUGINS=None, extra_plugins=SAMPLES + [BROKEN], **fresh())  # a restart
        ctx = app.app_context()
        ctx.push()
        from core.models import User
        admin = User.get_or_none(User.username == "root") or make_user("root", admin=True)
        app.admin_client = login(app.test_client(), admin)
        ctx.pop()
        return app
    return build


def test_bundled_plugins_are_discovered_through_entry_points(app):
    plugins = app.extensions["zhixin_plugins"]
    for name in BUNDLED:
        info = plugins.available[name]
        assert info.bundled and info.source.startswith("zhixin-crm") and info.version and info.description
        assert plugins.is_enabled(name)


def test_resolve_order_pulls_in_requirements_in_a_deterministic_order():
    available = {n: PluginInfo(name=n, module=n, requires=r) for n, r in
                 [("a", ()), ("b", ("a",)), ("c", ("b",)), ("d", ("zzz",)), ("e", ("f",)), ("f", ("e",))]}
    order, errors = resolve_order(["c"], available)
    assert order == ["a", "b", "c"] and errors == {}
    order, errors = resolve_order(["d", "a", "e"], available)
    assert order == ["a"]
    assert "'zzz'" in errors["d"]
    assert "circular" in errors["e"] or "circular" in errors["f"]


def test_unknown_name_in_plugins_setting_is_a_clear_error_and_the_rest_starts(make_app, make_user, login):
    app = make_app(plugins=["alpha", "nosuch"], extra_plugins=SAMPLES)
    plugins = app.extensions["zhixin_plugins"]
    assert plugins.order == ["alpha"]
    assert "ZHIXIN_PLUGINS names 'nosuch', which is not installed" in plugins.errors["nosuch"]
    with app.app_context():
        client = login(app.test_client(), make_user("root", admin=True))
        html = client.get("/admin/plugins").get_data(as_text=True)
        assert 'data-plugin-error="nosuch"' in html and "not installed" in html
        assert client.get("/alpha/").status_code == 200


def test_broken_plugin_is_reported_and_the_others_still_run(admin_app):
    app = admin_app()
    plugins = app.extensions["zhixin_plugins"]
    assert not plugins.is_enabled("broken") and plugins.is_enabled("alpha")
    assert "plugin 'broken' failed to load: this plugin is broken on purpose" in plugins.errors["broken"]
    with app.app_context():
        html = app.admin_client.get("/admin/plugins").get_data(as_text=True)
        assert "broken on purpose" in html
        assert app.admin_client.get("/alpha/").status_code == 200


def test_plugins_page_lists_name_version_description_requires_source(admin_app):
    app = admin_app()
    with app.app_context():
        html = app.admin_client.get("/admin/plugins").get_data(as_text=True)
    assert 'data-plugin="beta"' in html and "Beta test plugin" in html and "2.0" in html
    assert "in-process" in html and "zhixin-crm" in html
    assert "take effect after the application is restarted" in html
    assert "data-read-only" not in html


def test_plugins_page_is_read_only_when_the_environment_decides(make_app, make_user, login):
    app = make_app(plugins=["forecast"])
    with app.app_context():
        client = login(app.test_client(), make_user("root", admin=True))
        html = client.get("/admin/plugins").get_data(as_text=True)
        assert "data-read-only" in html and "ZHIXIN_PLUGINS" in html
        assert "/admin/plugins/forecast/disable" not in html
        response = client.post("/admin/plugins/forecast/disable")
        assert response.status_code == 409 and "ZHIXIN_PLUGINS decides" in response.get_data(as_text=True)
        assert PluginState.select().count() == 0


def test_disabling_is_refused_while_an_enabled_plugin_requires_it(admin_app):
    app = admin_app()
    with app.app_context():
        client = app.admin_client
        assert "Required by beta" in client.get("/admin/plugins").get_data(as_text=True)
        response = client.post("/admin/plugins/alpha/disable")
        assert response.status_code == 409
        assert "alpha cannot be disabled while beta requires it" in response.get_data(as_text=True)
        assert PluginState.select().count() == 0


def test_disable_then_enable_takes_effect_after_restart_and_pulls_in_requirements(admin_app):
    app = admin_app()
    with app.app_context():
        client = app.admin_client
        client.post("/admin/plugins/beta/disable")
        client.post("/admin/plugins/alpha/disable")
        assert {s.name: s.enabled for s in PluginState.select()} == {"alpha": False, "beta": False}
        html = client.get("/admin/plugins").get_data(as_text=True)
        assert "disabled after restart" in html
    restarted = admin_app()
    plugins = restarted.extensions["zhixin_plugins"]
    assert not plugins.is_enabled("alpha") and not plugins.is_enabled("beta")
    with restarted.app_context():
        client = restarted.admin_client
        assert client.get("/alpha/").status_code == 404
        assert 'data-menu="alpha"' not in client.get("/admin/plugins").get_data(as_text=True)
        response = client.post("/admin/plugins/beta/enable", follow_redirects=True)
        assert "Its requirements are enabled too: alpha." in response.get_data(as_text=True)
        assert {s.name: s.enabled for s in PluginState.select()} == {"alpha": True, "beta": True}
    again = admin_app()
    assert again.extensions["zhixin_plugins"].order[-2:] == ["alpha", "beta"] or \
        {"alpha", "beta"} <= set(again.extensions["zhixin_plugins"].order)
    with again.app_context():
        assert again.admin_client.get("/alpha/").status_code == 200


def test_switching_an_unknown_plugin_is_404(admin_app):
    app = admin_app()
    with app.app_context():
        assert app.admin_client.post("/admin/plugins/nosuch/enable").status_code == 404
        assert app.admin_client.post("/admin/plugins/alpha/explode").status_code == 404


def test_safe_mode_starts_with_no_plugins(make_app, make_user, login):
    app = make_app(PLUGINS=None, SAFE_MODE=True, **fresh())
    assert app.extensions["zhixin_plugins"].order == []
    with app.app_context():
        client = login(app.test_client(), make_user("root", admin=True))
        assert client.get("/").status_code == 200
        assert client.get("/forecast/").status_code == 404


def test_disabled_plugin_has_no_menu_entry_route_or_job(make_app, make_user, login):
    from core.scheduler import all_jobs
    app = make_app(plugins=["alpha"], extra_plugins=SAMPLES)
    with app.app_context():
        client = login(app.test_client(), make_user("alice"))
        html = client.get("/").get_data(as_text=True)
        assert 'data-menu="alpha"' in html and 'data-menu="beta"' not in html
        assert 'data-menu="forecast"' not in html and 'data-menu="campaigns"' not in html
        assert client.get("/campaigns/").status_code == 404 and client.get("/forecast/").status_code == 404
        assert not [j for j in all_jobs(app) if j.id.startswith("campaigns")]
