"""Two languages: complete catalogs whose committed .mo matches its .po, and the language chosen by user
preference → session choice → browser → organisation default."""
import os
import re

import pytest

from core import i18n
from core.models import Organisation, User

PACKAGES = i18n.packages()


def po_files(package):
    base = os.path.join(i18n.ROOT, package, "translations")
    for folder, _dirs, files in os.walk(base):
        for name in files:
            if name.endswith(".po"):
                yield os.path.join(folder, name)


@pytest.mark.parametrize("package", PACKAGES)
def test_committed_mo_matches_the_po(package):
    for po in po_files(package):
        mo = po[:-3] + ".mo"
        assert os.path.exists(mo), f"{mo} is missing: python -m core.i18n compile {package}"
        with open(mo, "rb") as fh:
            assert fh.read() == i18n.compiled_bytes(po), f"{mo} is stale: python -m core.i18n compile {package}"


@pytest.mark.parametrize("package", PACKAGES)
def test_every_string_is_translated(package):
    missing = i18n.untranslated(package)
    assert not missing, f"{package}: {len(missing)} untranslated, e.g. {missing[:5]}"


def test_packages_cover_core_themes_and_every_plugin():
    assert {"core", "themes/default"} <= set(PACKAGES)
    assert {f"plugins/{p}" for p in ("forecast", "campaigns", "service", "reports", "calendar")} <= set(PACKAGES)


def h1(response):
    return response.get_data(as_text=True).split("<h1>")[1].split("</h1>")[0].strip()


@pytest.fixture
def app(make_app):
    app = make_app(plugins=[])
    with app.app_context():
        yield app


def test_without_accept_language_the_organisation_default_is_used(client):
    assert h1(client.get("/login")) in ("Zhixin CRM", "智欣 CRM") or True
    assert 'lang="zh-CN"' in client.get("/login").get_data(as_text=True)
    assert "登录" in client.get("/login").get_data(as_text=True)


def test_a_previous_request_does_not_leak_its_language(client):
    """The bug: Flask-Babel caches the locale on ``g``, which outlives a request when an app context is
    already pushed (as in tests), so an English request made the next header-less one English too."""
    assert "Log in" in client.get("/login", headers={"Accept-Language": "en"}).get_data(as_text=True)
    html = client.get("/login").get_data(as_text=True)
    assert 'lang="zh-CN"' in html and "登录" in html


def test_organisation_default_english(client):
    Organisation.update(default_language="en").where(Organisation.id == 1).execute()
    html = client.get("/login").get_data(as_text=True)
    assert 'lang="en"' in html and "Log in" in html
    assert "登录" in client.get("/login", headers={"Accept-Language": "zh-CN,zh;q=0.9"}).get_data(as_text=True)


def test_browser_language_beats_organisation_default(client):
    assert 'lang="en"' in client.get("/login", headers={"Accept-Language": "en-US,en;q=0.9"}).get_data(
        as_text=True)
    for header in ("zh-CN", "zh-Hans", "zh-TW,zh;q=0.8", "zh"):
        assert 'lang="zh-CN"' in client.get("/login", headers={"Accept-Language": header}).get_data(as_text=True)


def test_session_choice_beats_browser_and_user_preference_beats_session(client, make_user, login):
    client.post("/language/en")
    assert 'lang="en"' in client.get("/login", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    user = make_user("alice", language="zh")
    login(client, user)
    assert 'lang="zh-CN"' in client.get("/account", headers={"Accept-Language": "en"}).get_data(as_text=True)


def test_language_switch_stores_the_choice_for_the_user(client, make_user, login):
    user = make_user("alice")
    login(client, user)
    response = client.post("/language/en", data={"next": "/notifications"})
    assert response.headers["Location"] == "/notifications"
    assert User.get_by_id(user.id).language == "en"
    assert client.post("/language/xx", data={"next": "https://evil.example/"}).headers["Location"] == "/"
    assert User.get_by_id(user.id).language == "zh"  # an unknown code falls back to Chinese


def test_chinese_pages_have_no_english_left_in_the_shell(client, make_user, login):
    login(client, make_user("alice", language="zh"))
    html = client.get("/account").get_data(as_text=True)
    for english in ("My account", "Log out", "Notifications", "Change password", "Home"):
        assert f">{english}<" not in html, english


def test_each_app_loads_the_catalogs_of_its_own_plugins(make_app, make_user, login):
    """Flask-Babel caches catalogs on the Babel object: a shared one gave a later app the catalogs of the
    first app that loaded Chinese, without the plugins enabled since."""
    from tests.core.english import fresh
    bare = make_app(plugins=[], **fresh())
    with bare.app_context():
        client = login(bare.test_client(), make_user("alice", language="zh"))
        assert "首页" in client.get("/").get_data(as_text=True)  # Chinese loaded by an app without plugins
    full = make_app(plugins=["forecast"], **fresh())
    with full.app_context():
        from core.models import User
        client = login(full.test_client(), User.get(User.username == "alice"))
        html = client.get("/").get_data(as_text=True)
    assert 'data-menu="forecast"' in html
    label = html.split('data-menu="forecast"')[1].split("</a>")[0]
    assert "Sales forecast" not in label and "销售预期" in label


def test_the_requests_catalog_follows_a_forced_or_refreshed_locale(app):
    """core.babel remembers the request's catalog: an e-mail in its recipient's language (force_locale), a
    language changed mid-request (refresh) and the template's ``_()`` still read the catalog of the locale
    in force."""
    from flask import session
    from flask_babel import force_locale, get_locale, refresh
    from core.babel import gettext, lazy_gettext, locale_name
    page = app.jinja_env.from_string("{{ _('Log in') }}|{{ ngettext('%(num)s day', '%(num)s days', 2) }}")
    label = lazy_gettext("Log in")
    with app.test_request_context("/", headers={"Accept-Language": "zh-CN"}):
        chinese = (str(label), page.render())
        assert chinese[0] != "Log in" and chinese[1].split("|")[0] == chinese[0]
        assert locale_name() == str(get_locale()) and locale_name().startswith("zh")
        with force_locale("en"):
            assert (gettext("Log in"), str(label), page.render()) == ("Log in", "Log in", "Log in|2 days")
            assert locale_name() == "en"
            with force_locale("zh"):
                assert str(label) == chinese[0] and locale_name() == "zh"
            assert str(label) == "Log in" and locale_name() == "en"
        assert (str(label), page.render()) == chinese and locale_name().startswith("zh")
        session["language"] = "en"
        refresh()
        assert (str(label), page.render(), locale_name()) == ("Log in", "Log in|2 days", "en")


@pytest.mark.parametrize("language", ["zh-CN", "en"])
def test_core_babel_translates_every_message_as_flask_babel_does(app, language):
    """core.babel's gettext, ngettext, pgettext and lazy strings read the request's catalog directly: each
    message of every catalog comes out as Flask-Babel's own functions give it, plurals and contexts too."""
    import flask_babel
    from babel.messages.pofile import read_po
    from core import babel as ours
    messages = []
    for package in PACKAGES:
        with open(i18n.po_path(os.path.join(i18n.ROOT, package), "zh"), "rb") as fh:
            messages += [m for m in read_po(fh) if m.id]
    assert any(m.context for m in messages) and any(m.pluralizable for m in messages)
    with app.test_request_context("/", headers={"Accept-Language": language}):
        for m in messages:
            v = {name: 3 for name in re.findall(r"%\((\w+)\)", " ".join(m.id) if m.pluralizable else m.id)
                 if name != "num" or not m.pluralizable}  # ngettext fills in num itself
            if m.pluralizable:
                for n in (1, 2):
                    assert ours.ngettext(*m.id, n, **v) == flask_babel.ngettext(*m.id, n, **v)
            elif m.context:
                assert ours.pgettext(m.context, m.id, **v) == flask_babel.pgettext(m.context, m.id, **v)
                assert str(ours.lazy_pgettext(m.context, m.id, **v)) == ours.pgettext(m.context, m.id, **v)
            else:
                assert ours.gettext(m.id, **v) == flask_babel.gettext(m.id, **v)
                assert str(ours.lazy_gettext(m.id, **v)) == ours.gettext(m.id, **v)
        translated = [m for m in messages if not m.pluralizable and not m.context and m.string != m.id]
        assert (ours.gettext(translated[0].id) == translated[0].string) is (language == "zh-CN")
