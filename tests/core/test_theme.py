"""The theme: lookup order (theme → plugin → core), ZHIXIN_THEME with an extra themes folder, the base
layout's parts, and the money/date filters in the organisation's currency and time zone."""
import datetime as dt
import decimal
import re

import pytest
from flask import render_template_string

from core.db import ConfigError
from core.models import Organisation
from tests.core.english import make_app  # noqa: F401  (English default language)


@pytest.fixture
def school_theme(tmp_path):
    """A theme made in the test: overrides the login page and the stylesheet, nothing else."""
    root = tmp_path / "themes"
    (root / "school" / "templates" / "core").mkdir(parents=True)
    (root / "school" / "static").mkdir()
    (root / "school" / "templates" / "core" / "login.html").write_text(
        '{% extends "base.html" %}{% block content %}<p data-school-login>{{ _("Log in") }} · school</p>'
        '{% endblock %}', encoding="utf-8")
    (root / "school" / "static" / "zhixin.css").write_text("body { background: pink; }")
    return root


def test_a_theme_overrides_one_template_and_inherits_the_rest(make_app, make_user, login, school_theme):
    app = make_app(plugins=[], THEME="school", THEMES_PATH=str(school_theme))
    with app.app_context():
        client = app.test_client()
        html = client.get("/login").get_data(as_text=True)
        assert "data-school-login" in html and 'class="lang-corner"' in html  # default base.html around it
        assert client.get("/static/zhixin.css").get_data(as_text=True) == "body { background: pink; }"
        assert "addEventListener" in client.get("/static/zhixin.js").get_data(as_text=True)  # from default
        login(client, make_user("alice"))
        assert 'class="topbar"' in client.get("/notifications").get_data(as_text=True)


def test_theme_template_wins_over_plugin_and_core(make_app, tmp_path):
    root = tmp_path / "themes"
    (root / "x" / "templates" / "core").mkdir(parents=True)
    (root / "x" / "templates" / "core" / "error.html").write_text("theme error page {{ code }}")
    app = make_app(plugins=[], THEME="x", THEMES_PATH=str(root))
    with app.app_context():
        response = app.test_client().get("/nothing-here")
        assert response.status_code == 404 and response.get_data(as_text=True) == "theme error page 404"


def test_unknown_theme_is_a_clear_configuration_error(make_app):
    with pytest.raises(ConfigError, match="ZHIXIN_THEME: no theme folder named 'nope'"):
        make_app(plugins=[], THEME="nope")


def test_default_theme_files_are_served_and_unknown_ones_are_404(client):
    assert "--c-primary" in client.get("/static/zhixin.css").get_data(as_text=True)
    assert client.get("/static/nothing.css").status_code == 404
    assert client.get("/static/../../setup.cfg").status_code == 404


def test_layout_has_menu_breadcrumb_flashes_user_menu_bell_and_phone_width(make_app, make_user, login):
    from core import notify
    app = make_app(plugins=[])
    with app.app_context():
        user = make_user("alice", full_name="Alice Wang")
        client = login(app.test_client(), user)
        notify.send(user, "Hello")
        notify.send(user, "Again")
        client.post("/notifications/read-all")
        notify.send(user, "New one")
        html = client.get("/notifications").get_data(as_text=True)
        assert 'name="viewport" content="width=device-width' in html
        assert 'class="breadcrumb"' in html and ">Home</a>" in html
        assert "2 notifications marked as read." in html  # the flash of the previous request
        assert '<details class="user-menu">' in html and "Alice Wang" in html and "/account" in html
        assert 'data-unread>1<' in html
        assert 'data-menu="home"' in html
    css = app.test_client().get("/static/zhixin.css").get_data(as_text=True)
    assert "@media (max-width: 760px)" in css


def test_money_and_dates_follow_the_organisation_profile(app, client):
    Organisation.update(currency="EUR", timezone="America/New_York").where(Organisation.id == 1).execute()
    at = dt.datetime(2026, 1, 1, 3, 0)  # UTC: still 31 December in New York
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        app.preprocess_request()
        out = render_template_string("{{ amount|money }}|{{ at|date }}|{{ at|datetime('short') }}|{{ n|number }}",
                                     amount=decimal.Decimal("1234.5"), at=at, n=12345)
    assert out.startswith("€1,234.50|Dec 31, 2025|12/31/25") and out.endswith("|12,345")
    Organisation.update(currency="CNY", timezone="Asia/Shanghai").where(Organisation.id == 1).execute()
    with app.test_request_context("/", headers={"Accept-Language": "zh"}):
        app.preprocess_request()
        out = render_template_string("{{ amount|money }}|{{ at|date('short') }}", amount=decimal.Decimal("8"), at=at)
    assert out.startswith("¥8.00|2026/1/1")


def test_only_the_menu_entry_matching_the_page_furthest_is_active(make_app, make_user, login):
    """/service/feedback/ lies under both "Customer service" (/service/) and "Feedback": only the latter is
    highlighted."""
    import re
    app = make_app(plugins=["service"])
    with app.app_context():
        client = login(app.test_client(), make_user("mia"))
        html = client.get("/service/feedback/").get_data(as_text=True)
    active = re.findall(r'data-menu="([^"]+)"\s+class="active"', html)
    assert active == ["service-feedback"]


def test_every_page_names_a_favicon_that_is_served(client):
    html = client.get("/auth/login").get_data(as_text=True)
    href = re.search(r'<link rel="icon" type="image/svg\+xml" href="([^"]+)"', html).group(1)
    icon = client.get(href)
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"


def test_the_layouts_fixed_links_follow_the_prefix_the_app_is_mounted_under(make_app, make_user, login):
    # the layout builds its fixed links once per process (core.templating.fixed_url): one app served under
    # two prefixes (two mounts, or a proxy's SCRIPT_NAME) must still link each page under its own prefix
    app = make_app(plugins=[])
    with app.app_context():
        user = make_user("pat")
        client = app.test_client()
        login(client, user)
        plain = client.get("/").get_data(as_text=True)
        mounted = client.get("/", environ_overrides={"SCRIPT_NAME": "/crm"}).get_data(as_text=True)
        again = client.get("/").get_data(as_text=True)
    for page, prefix in ((plain, ""), (mounted, "/crm"), (again, "")):
        assert f'href="{prefix}/static/zhixin.css"' in page and f'action="{prefix}/logout"' in page
        assert f'src="{prefix}/static/core.js"' in page
    assert 'href="/crm/static/zhixin.css"' not in plain + again
