"""Browser fixtures: the app served on 127.0.0.1 by the test, driven by Playwright in Debian's Chromium.

Without a browser the tests skip — except under CI=true, where a missing browser is a failure.
"""
import os
import shutil
import threading

import pytest
from werkzeug.serving import make_server

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def _chromium_path():
    for candidate in (os.environ.get("ZHIXIN_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if candidate and os.path.exists(candidate):
            return candidate
    return shutil.which("chromium")


def _no_browser(reason):
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"browser tests cannot run under CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _no_browser("playwright is not installed (pip install -e '.[test]')")
    path = _chromium_path()
    if not path:
        _no_browser("no Chromium found (apt-get install chromium)")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class LiveServer:
    def __init__(self, app):
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.thread.join(5)


@pytest.fixture
def live_server(make_app):
    """``live_server(plugins=[...], **config)`` serves a fresh app; returns the server (``.url``, ``.app``).
    CSRF is on, as in production."""
    servers = []

    def start(plugins=None, **config):
        config.setdefault("WTF_CSRF_ENABLED", True)
        server = LiveServer(make_app(plugins=plugins, **config))
        servers.append(server)
        return server
    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 860})
    context.set_default_timeout(10000)
    page = context.new_page()
    yield page
    context.close()


def log_in(page, base_url, username, password):
    page.goto(base_url + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.press("input[name=password]", "Enter")
