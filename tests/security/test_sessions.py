"""Sessions that can be ended (issue 15, items 2, 3 and 11): a copied session cookie stops working after logout,
a password change or reset, a deactivation (and stays dead after a reactivation), "log out everywhere", the idle
timeout and the absolute lifetime, in real time; cookies are Secure over HTTPS; a login costs one hash check of
the configured method whoever the name belongs to. Two browsers are two test clients; a copy is a client given
the other's cookie. Pages are read in Chinese."""
import base64
import datetime as dt
import re

import pytest

from core import clock, passwords
from core.db import ConfigError, db
from core.models import User, UserSession
from tests.conftest import TEST_PASSWORD
from tests.migrations import run_steps

COOKIE = "zhixin_session"
NEW_PASSWORD = "Lab-Room-7-Quartz"
T0 = dt.datetime(2026, 5, 15, 2, 0)


@pytest.fixture
def app(make_app, request):
    """Core alone; ``@pytest.mark.parametrize("app", [{setting: value}], indirect=True)`` for other settings."""
    app = make_app(plugins=[], **getattr(request, "param", {}))
    with app.app_context():
        yield app


@pytest.fixture
def people(app, make_school):
    return make_school(language="zh")


def browser(app):
    return app.test_client()


def log_in(client, username, password=TEST_PASSWORD):
    response = client.post("/login", data={"username": username, "password": password})
    assert response.status_code == 302 and "/login" not in response.headers["Location"], username
    return client


def copy_of(app, client):
    """Another browser, elsewhere, holding a copy of ``client``'s session cookie."""
    thief = app.test_client()
    thief.set_cookie(COOKIE, client.get_cookie(COOKIE).value)
    return thief


def logged_in(client):
    response = client.get("/account")
    assert response.status_code in (200, 302)
    return response.status_code == 200


def at(minutes):
    return clock.freeze(T0 + dt.timedelta(minutes=minutes))


def test_logout_ends_that_session_and_every_copy_of_its_cookie(app, people):
    alice = log_in(browser(app), "alice")
    thief = copy_of(app, alice)
    other = log_in(browser(app), "alice")
    assert logged_in(thief)
    response = alice.post("/logout", follow_redirects=True)
    assert "您已退出登录。" in response.get_data(as_text=True)
    assert not logged_in(thief) and not logged_in(alice)
    assert logged_in(other)  # logging out in one browser leaves the others


def test_a_password_change_ends_every_other_session_of_the_account_but_this_one(app, people):
    alice, laptop = log_in(browser(app), "alice"), log_in(browser(app), "alice")
    thief = copy_of(app, laptop)
    bob = log_in(browser(app), "bob")
    assert "除这个浏览器外，另有 1 个浏览器登录了您的账户。" in alice.get("/account").get_data(as_text=True)
    html = alice.post("/account", data={"pw-current_password": TEST_PASSWORD, "pw-password": NEW_PASSWORD,
                                        "pw-confirm": NEW_PASSWORD}, follow_redirects=True).get_data(as_text=True)
    assert "您的密码已修改；登录了您账户的其他浏览器都须重新登录。" in html
    assert "目前只有这个浏览器登录了您的账户。" in html
    assert not logged_in(laptop) and not logged_in(thief)
    assert logged_in(alice) and logged_in(bob)
    log_in(browser(app), "alice", NEW_PASSWORD)


def test_a_reset_by_the_administrator_ends_all_and_the_forced_change_ends_the_others(app, people, login):
    alice = log_in(browser(app), "alice")
    thief = copy_of(app, alice)
    admin = login(browser(app), people["admin"])
    page = admin.post(f"/admin/users/{people['alice'].id}/reset-password").get_data(as_text=True)
    password = re.search(r"<code class=\"secret\" data-password>([^<]+)</code>", page).group(1)
    assert not logged_in(alice) and not logged_in(thief)
    first, second = log_in(browser(app), "alice", password), log_in(browser(app), "alice", password)
    first.post("/account/credentials", data={"username": "alice2", "current_password": password,
                                             "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert logged_in(first) and not logged_in(second)


def test_deactivation_ends_every_session_and_a_reactivation_brings_none_back(app, people, login):
    bob = log_in(browser(app), "bob")
    thief = copy_of(app, bob)
    admin = login(browser(app), people["admin"])
    admin.post(f"/admin/users/{people['bob'].id}/active", data={"active": "0"})
    assert not logged_in(bob) and not logged_in(thief)
    admin.post(f"/admin/users/{people['bob'].id}/active", data={"active": "1"})
    assert not logged_in(bob) and not logged_in(thief)
    assert logged_in(log_in(browser(app), "bob"))


def test_a_roster_import_that_deactivates_ends_the_sessions_too(app, people, login):
    bob = log_in(browser(app), "bob")
    admin = login(browser(app), people["admin"])
    roster = base64.b64encode(b"student_number,name,class,department\nalice,Alice,Class A,Dept A\n").decode()
    answer = admin.post("/classroom/roster", data={"action": "commit", "content": roster,
                                                   "deactivate_missing": "y", "create_missing": "y"})
    assert answer.status_code == 200 and not User.get_by_id(people["bob"].id).active
    User.update(active=True).where(User.id == people["bob"].id).execute()
    assert not logged_in(bob)


def test_log_out_everywhere_ends_every_session_of_the_account_this_one_too(app, people):
    alice, laptop = log_in(browser(app), "alice"), log_in(browser(app), "alice")
    page = alice.get("/account").get_data(as_text=True)
    assert "退出所有登录" in page and 'action="/account/logout-everywhere"' in page
    html = alice.post("/account/logout-everywhere", follow_redirects=True).get_data(as_text=True)
    assert "您已在所有地方退出登录：每个浏览器都须重新登录。" in html
    assert not logged_in(alice) and not logged_in(laptop)
    assert UserSession.select().count() == 0


@pytest.mark.parametrize("app, idle", [({}, 120), ({"SESSION_IDLE_MINUTES": 30}, 30)], indirect=["app"])
def test_a_session_ends_after_the_idle_time_without_a_request(app, people, frozen_clock, idle):
    alice = log_in(browser(app), "alice")
    thief = copy_of(app, alice)
    at(idle - 1)
    assert logged_in(alice)
    at(2 * idle - 2)
    assert logged_in(thief)  # the copy's requests count as use of the same session
    at(3 * idle)
    assert not logged_in(alice) and not logged_in(thief)
    assert "请先登录再查看此页面。" in alice.get("/account", follow_redirects=True).get_data(as_text=True)


def test_a_session_ends_at_its_absolute_lifetime_however_busy(app, people, frozen_clock):
    alice = log_in(browser(app), "alice")
    for minute in range(100, 12 * 60, 100):
        at(minute)
        assert logged_in(alice), minute
    at(12 * 60 + 1)
    assert not logged_in(alice)
    assert logged_in(log_in(browser(app), "alice"))


def test_shifting_the_teaching_clock_ends_no_session(app, people, frozen_clock):
    teacher, alice = log_in(browser(app), "teacher"), log_in(browser(app), "alice")
    html = teacher.post("/classroom/clock", data={"days": "400"}, follow_redirects=True).get_data(as_text=True)
    assert "2027-06-19" in html
    assert logged_in(teacher) and logged_in(alice)
    at(60)
    assert logged_in(teacher) and logged_in(alice)


def test_a_cookie_signed_before_sessions_had_keys_is_not_read(app, people):
    """Cookies issued before the upgrade (Flask's "session" cookie, no key) are void, not adopted."""
    old = app.session_interface.get_signing_serializer(app).dumps({"_user_id": str(people["alice"].id),
                                                                   "_fresh": True})
    client = browser(app)
    client.set_cookie("session", old)
    assert not logged_in(client)


def test_a_session_whose_row_is_gone_is_anonymous_and_forgets_the_login(app, people):
    alice = log_in(browser(app), "alice")
    UserSession.delete().execute()
    assert not logged_in(alice)
    with alice.session_transaction() as session:
        assert "_user_id" not in session and "_sid" not in session


def set_cookies(response):
    return {header.split("=", 1)[0]: header for header in response.headers.getlist("Set-Cookie")}


@pytest.mark.parametrize("app, base_url, secure", [({"WTF_CSRF_ENABLED": True}, "https://localhost", True),
                                                   ({"WTF_CSRF_ENABLED": True}, "http://localhost", False)],
                         indirect=["app"])
def test_the_cookie_holding_the_csrf_token_is_secure_over_https_only(app, base_url, secure):
    page = browser(app).get("/login", base_url=base_url)
    assert 'name="csrf_token"' in page.get_data(as_text=True)
    cookie = set_cookies(page)[COOKIE]
    assert ("Secure" in cookie) is secure and "HttpOnly" in cookie


def test_the_login_cookies_are_secure_over_https(app, people):
    response = browser(app).post("/login", data={"username": "alice", "password": TEST_PASSWORD},
                                 base_url="https://localhost")
    cookies = set_cookies(response)
    assert "Secure" in cookies[COOKIE] and "Secure" in cookies["zhixin_device"]


@pytest.mark.parametrize("app, secure", [({"PROXY_COUNT": 1}, True), ({}, False)], indirect=["app"])
def test_behind_the_proxy_its_forwarded_scheme_decides(app, people, secure):
    response = browser(app).post("/login", data={"username": "alice", "password": TEST_PASSWORD},
                                 headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "10.0.0.9"})
    cookies = set_cookies(response)
    assert ("Secure" in cookies[COOKIE]) is secure and ("Secure" in cookies["zhixin_device"]) is secure


@pytest.mark.parametrize("app", [{"SECURE_COOKIES": "true"}], indirect=True)
def test_secure_cookies_setting_marks_them_secure_on_plain_http(app, people):
    response = browser(app).post("/login", data={"username": "alice", "password": TEST_PASSWORD})
    cookies = set_cookies(response)
    assert "Secure" in cookies[COOKIE] and "Secure" in cookies["zhixin_device"]


@pytest.mark.parametrize("settings, variable", [
    ({"SESSION_IDLE_MINUTES": "0"}, "ZHIXIN_SESSION_IDLE_MINUTES"),
    ({"SESSION_LIFETIME_HOURS": "twelve"}, "ZHIXIN_SESSION_LIFETIME_HOURS"),
    ({"SESSION_IDLE_MINUTES": 180, "SESSION_LIFETIME_HOURS": 2}, "ZHIXIN_SESSION_IDLE_MINUTES"),
    ({"SECURE_COOKIES": "maybe"}, "ZHIXIN_SECURE_COOKIES"),
])
def test_session_settings_are_validated_at_start(make_app, settings, variable):
    with pytest.raises(ConfigError, match=variable):
        make_app(plugins=[], **settings)


@pytest.fixture
def hash_checks(monkeypatch):
    """Every password hash the login checks, as the method it was made with (counted, not timed)."""
    checked = []
    real = passwords.check_hash

    def counting(password_hash, password):
        checked.append(password_hash.split("$", 1)[0])
        return real(password_hash, password)
    monkeypatch.setattr(passwords, "check_hash", counting)
    return checked


def test_every_login_answer_costs_one_hash_check_of_the_configured_method(app, people, hash_checks):
    User.update(active=False).where(User.username == "carol").execute()
    method = app.config["PASSWORD_METHOD"]
    pages = {}
    for username, password in (("nobody", TEST_PASSWORD), ("carol", TEST_PASSWORD), ("alice", "wrong-Pass-9")):
        hash_checks.clear()
        response = browser(app).post("/login", data={"username": username, "password": password})
        assert hash_checks == [method], username
        pages[username] = (response.status_code, "用户名或密码错误。" in response.get_data(as_text=True))
    assert set(pages.values()) == {(200, True)}  # unknown, deactivated and wrong look alike
    hash_checks.clear()
    log_in(browser(app), "alice")
    assert hash_checks == [method]


def test_the_migration_adds_the_session_table_to_an_older_database(app, people):
    run_steps("core.migrations.0008_user_session", "down")
    assert "user_session" not in db.get_tables()
    run_steps("core.migrations.0008_user_session", "up")
    assert "user_session" in db.get_tables()
    alice = log_in(browser(app), "alice")
    alice.post("/logout")
    assert not logged_in(alice)
