"""The shell in a real browser: first-run credential change, the language switch, the side menu of enabled
plugins, a disabled plugin's page, and the phone-width menu."""
import pytest

from tests.browser.conftest import log_in
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser


def test_first_login_of_admin_forces_new_credentials(live_server, page, make_user):
    server = live_server(plugins=[])
    with server.app.app_context():
        make_user("admin", admin=True, must_change_password=True, must_change_username=True)
    log_in(page, server.url, "admin", TEST_PASSWORD)
    page.wait_for_url("**/account/credentials")
    page.goto(server.url + "/admin/")  # nothing else opens before the change
    page.wait_for_url("**/account/credentials")
    page.fill("input[name=username]", "principal")
    page.fill("input[name=current_password]", TEST_PASSWORD)
    page.fill("input[name=password]", "my-own-secret-1")
    page.fill("input[name=confirm]", "my-own-secret-1")
    page.click("form.stacked button[type=submit]")
    page.wait_for_selector('[data-menu="home"]')
    assert "Your user name and password are saved." in page.content()
    page.click(".user-menu summary")
    page.click(".user-menu button:has-text('Log out')")
    page.wait_for_url("**/login")
    log_in(page, server.url, "principal", "my-own-secret-1")
    page.wait_for_selector('[data-menu="admin"]')
    assert page.url == server.url + "/"


def test_switching_to_chinese_and_back(live_server, page, make_user):
    server = live_server(plugins=[])
    with server.app.app_context():
        make_user("carol")
    log_in(page, server.url, "carol", TEST_PASSWORD)
    page.wait_for_selector('[data-menu="home"]')
    assert page.locator('[data-menu="home"]').inner_text() == "Home"
    page.click("button.lang-switch[data-lang=zh]")
    page.wait_for_selector("html[lang=zh-CN]")
    assert page.locator('[data-menu="home"]').inner_text() == "首页"
    assert page.locator(".user-menu").get_attribute("class") is not None
    page.goto(server.url + "/notifications")  # the choice sticks to the user
    assert "通知" in page.locator("h1").inner_text()
    page.click("button.lang-switch[data-lang=en]")
    page.wait_for_selector("html[lang=en]")
    assert page.locator("h1").inner_text() == "Notifications"


def test_side_menu_shows_exactly_the_enabled_plugins(live_server, page, make_user):
    server = live_server(plugins=["forecast", "reports"])
    with server.app.app_context():
        make_user("dave")
    log_in(page, server.url, "dave", TEST_PASSWORD)
    page.wait_for_selector('[data-menu="home"]')
    ids = [m.get_attribute("data-menu") for m in page.locator("#sidebar [data-menu]").all()]
    owners = {i.split(":")[0].split("-")[0].split(".")[0] for i in ids}
    assert {"forecast", "reports"} <= owners  # each enabled plugin has its entry …
    assert not owners & {"campaigns", "service", "calendar"}  # … and no disabled one has any


def test_disabled_plugin_page_is_404(live_server, page, make_user):
    server = live_server(plugins=["forecast"])
    with server.app.app_context():
        make_user("erin")
    log_in(page, server.url, "erin", TEST_PASSWORD)
    page.wait_for_selector('[data-menu="home"]')
    response = page.goto(server.url + "/campaigns/")
    assert response.status == 404
    assert "There is nothing here" in page.locator("[data-error-message]").inner_text()


def test_phone_width_hides_the_menu_behind_a_toggle(live_server, browser, make_user):
    server = live_server(plugins=[])
    with server.app.app_context():
        make_user("frank")
    context = browser.new_context(locale="en-US", viewport={"width": 375, "height": 740})
    try:
        page = context.new_page()
        log_in(page, server.url, "frank", TEST_PASSWORD)
        page.wait_for_selector(".menu-toggle")
        assert page.locator(".menu-toggle").is_visible()
        assert not page.locator('[data-menu="home"]').is_visible() or \
            page.locator("#sidebar").bounding_box()["x"] < 0
        page.click(".menu-toggle")
        page.wait_for_function("document.body.classList.contains('menu-open')")
        page.wait_for_timeout(300)  # the slide-in transition
        assert page.locator("#sidebar").bounding_box()["x"] >= 0
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
    finally:
        context.close()
