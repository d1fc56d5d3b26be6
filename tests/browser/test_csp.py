"""Under the Content-Security-Policy (issue 15, item 9) the main pages run with no CSP violation in the
console, and the page behaviours that used to be inline script still work from core/static/core.js."""
from core.models import Account
from tests.browser.conftest import log_in
from tests.conftest import TEST_PASSWORD

MAIN_PAGES = ("/", "/records/account/", "/records/account/new", "/records/opportunity/new", "/forecast/",
              "/forecast/team", "/forecast/quotas", "/campaigns/", "/campaigns/tasks/", "/calendar/",
              "/service/", "/service/report", "/reports/", "/reports/run/reports.accounts_by_industry",
              "/admin/users", "/account")


def test_main_pages_show_no_csp_violation_and_behaviours_run(live_server, page, make_user):
    server = live_server()
    with server.app.app_context():
        admin = make_user("admin", admin=True, language="zh")
        Account.create(name="Acme", owner=admin, industry="IT")
    problems = []

    def on_console(msg):
        if msg.type == "error" and not msg.location.get("url", "").endswith("/favicon.ico"):
            problems.append(msg.text)
    page.on("console", on_console)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    log_in(page, server.url, "admin", TEST_PASSWORD)
    for path in MAIN_PAGES:
        resp = page.goto(server.url + path)
        assert resp.status == 200, path
        assert "script-src 'self'" in resp.headers["content-security-policy"], path
    assert problems == []

    # the opportunity form's probability follows the stage (formerly an inline script)
    page.goto(server.url + "/records/opportunity/new")
    page.fill("input[name=probability]", "")
    page.select_option("select[data-probabilities]", index=2)
    assert page.input_value("input[name=probability]") != ""
    # the records list's "select all" box ticks every row (formerly an inline script)
    page.goto(server.url + "/records/account/")
    page.check("[data-select-all]")
    assert page.locator('input[name="ids"]:checked').count() == page.locator('input[name="ids"]').count() == 1
    assert problems == []
