"""Browser security headers (issue 15, item 9): a Content-Security-Policy that refuses inline script on every
response, framing refused, no MIME sniffing, a Referrer-Policy; and no page that needs inline script."""
import os
import re

import pytest

from core.app import CORE_DIR
from core.models import Account

ROOT = os.path.dirname(CORE_DIR)
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.I)
HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)


@pytest.fixture
def zh_school(make_school):
    return make_school(language="zh")


def assert_secure_headers(resp):
    csp = resp.headers.get("Content-Security-Policy", "")
    directives = dict((d.split(" ", 1) + [""])[:2] for d in csp.split("; "))
    assert directives.get("script-src") == "'self'", csp          # no 'unsafe-inline', no other host
    assert directives.get("frame-ancestors") == "'none'"
    assert directives.get("object-src") == "'none'"
    assert resp.headers["X-Frame-Options"] == "DENY"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Referrer-Policy"] == "same-origin"


def test_headers_on_login_page_redirect_404_and_static_file(client):
    for url in ("/login", "/", "/no-such-page", "/static/zhixin.css", "/static/core.js"):
        resp = client.get(url)
        assert resp.status_code in (200, 302, 404), url
        assert_secure_headers(resp)


def test_headers_on_pages_posts_and_downloads_of_a_student(client, login, zh_school):
    login(client, zh_school["alice"])
    for resp in (client.get("/"), client.get("/records/account/export.csv"),
                 client.post("/records/account/new", data={"name": ""})):
        assert_secure_headers(resp)


def _template_files():
    for top in ("core", "plugins", "themes", "examples"):
        for folder, _dirs, files in os.walk(os.path.join(ROOT, top)):
            for name in files:
                if name.endswith(".html"):
                    yield os.path.join(folder, name)


def test_no_template_carries_inline_script_or_event_handler():
    offenders = []
    for path in _template_files():
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
        if INLINE_SCRIPT.search(text) or HANDLER.search(text):
            offenders.append(os.path.relpath(path, ROOT))
    assert offenders == []


def _plain_get_pages(app):
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and not rule.arguments and "static" not in rule.endpoint:
            yield rule.rule


def test_every_page_the_administrator_opens_is_free_of_inline_script(app, client, login, zh_school):
    login(client, zh_school["admin"])
    checked = 0
    for url in _plain_get_pages(app):
        resp = client.get(url)
        if resp.status_code != 200 or resp.mimetype != "text/html":
            continue
        html = resp.get_data(as_text=True)
        assert not INLINE_SCRIPT.search(html), url
        assert not HANDLER.search(html), url
        checked += 1
    assert checked > 20


def test_chart_pages_have_no_inline_script_from_pygal(client, login, zh_school):
    Account.create(name="Acme", owner=zh_school["alice"], industry="IT")
    login(client, zh_school["admin"])
    html = client.get("/reports/run/reports.accounts_by_industry").get_data(as_text=True)
    assert '<figure class="chart"><svg' in html
    assert "window.pygal" not in html and not INLINE_SCRIPT.search(html)


def test_page_behaviours_are_served_as_a_static_script(client, login, zh_school):
    login(client, zh_school["admin"])
    html = client.get("/").get_data(as_text=True)
    assert '<script src="/static/core.js" defer></script>' in html
    script = client.get("/static/core.js")
    assert script.status_code == 200 and "data-auto-submit" in script.get_data(as_text=True)
    assert script.mimetype in ("text/javascript", "application/javascript")
