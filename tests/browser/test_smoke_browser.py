"""The shell in a real browser: a user logs in and sees the home page with the enabled plugins' menu."""
from tests.browser.conftest import log_in
from tests.conftest import TEST_PASSWORD


def test_user_logs_in_and_sees_enabled_plugins_in_menu(live_server, page, make_user):
    server = live_server(plugins=["forecast"])
    with server.app.app_context():
        make_user("carol")
    log_in(page, server.url, "carol", TEST_PASSWORD)
    page.wait_for_selector('[data-menu="home"]')
    assert page.locator('[data-menu="forecast"]').count() == 1
    assert page.locator('[data-menu="campaigns"]').count() == 0
