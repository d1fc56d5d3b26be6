"""The shell answers: login page, home after login, menu with the enabled plugins only."""
from tests.conftest import BUNDLED


def test_login_page_is_shown_to_anonymous_users(client):
    response = client.get("/", follow_redirects=True)
    assert response.status_code == 200
    assert b'name="password"' in response.data


def test_menu_lists_exactly_the_enabled_plugins(make_app, make_user, login):
    app = make_app(plugins=["forecast", "reports"])
    with app.app_context():
        user = make_user("alice")
        client = login(app.test_client(), user)
        html = client.get("/").get_data(as_text=True)
    assert 'data-menu="forecast"' in html and 'data-menu="reports"' in html
    for name in set(BUNDLED) - {"forecast", "reports"}:
        assert f'data-menu="{name}"' not in html


def test_disabled_plugin_route_is_404(make_app, make_user, login):
    app = make_app(plugins=["forecast"])
    with app.app_context():
        client = login(app.test_client(), make_user("bob"))
        assert client.get("/forecast/").status_code in (200, 302)
        assert client.get("/campaigns/").status_code == 404
