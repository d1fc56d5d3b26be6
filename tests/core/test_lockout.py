"""The login lock-out made for a lab (core.lockout): per account and browser, growing locks, decided under a
row lock, a per-address flood ceiling only, X-Forwarded-For only behind trusted proxies, real time, unlock."""
import datetime as dt
import json
import re

import pytest

from core.db import ConfigError, db
from core.models import AuditEntry, LoginAttempt, Organisation, User
from tests.concurrency import run_at_once
from tests.conftest import TEST_PASSWORD
from tests.core.english import fresh, make_app  # noqa: F401  (English default language)
from tests.migrations import run_steps

START = dt.datetime(2026, 5, 15, 2, 0, 0)


@pytest.fixture
def app(make_app):
    app = make_app(plugins=[])
    with app.app_context():
        yield app


def post_login(client, username, password=TEST_PASSWORD, **kwargs):
    return client.post("/login", data={"username": username, "password": password}, **kwargs)


def fail(client, username, times, **kwargs):
    return [post_login(client, username, "wrong-password", **kwargs).status_code for _ in range(times)]


def locked_for(response):
    """The minutes a refused login's message names."""
    assert response.status_code == 429
    return int(re.search(r"locked for (\d+) minute", response.get_data(as_text=True)).group(1))


def at(minutes):
    return START + dt.timedelta(minutes=minutes)


def test_five_failures_lock_the_account_for_a_minute_and_each_further_lock_lasts_twice_as_long(
        app, client, make_user, frozen_clock):
    make_user("alice")
    app.config["LOGIN_LOCK_MAX_MINUTES"] = 3
    assert fail(client, "alice", 5) == [200] * 5
    assert locked_for(post_login(client, "alice")) == 1      # even the right password waits
    frozen_clock(at(1))
    assert fail(client, "alice", 5) == [200] * 5
    assert locked_for(post_login(client, "alice")) == 2
    frozen_clock(at(3))
    fail(client, "alice", 5)
    assert locked_for(post_login(client, "alice")) == 3      # capped at LOGIN_LOCK_MAX_MINUTES
    frozen_clock(at(6))
    assert post_login(client, "alice").status_code == 302   # a success clears the count and the locks
    client.post("/logout")
    fail(client, "alice", 5)
    assert locked_for(post_login(client, "alice")) == 1


def test_a_success_resets_the_count(app, client, make_user, frozen_clock):
    make_user("alice")
    fail(client, "alice", 4)
    assert post_login(client, "alice").status_code == 302
    client.post("/logout")
    assert fail(client, "alice", 4) == [200] * 4             # four more without a lock


def test_guesses_at_one_account_do_not_lock_the_others_on_the_same_address(app, client, make_user):
    make_user("alice")
    make_user("bob")
    fail(client, "alice", 5)
    assert post_login(client, "alice").status_code == 429
    assert post_login(client, "bob").status_code == 302


def test_a_classmate_cannot_lock_the_teacher_out_of_the_teachers_own_browser(app, make_user):
    make_user("teacher")
    teachers_browser, students_browser, new_browser = app.test_client(), app.test_client(), app.test_client()
    assert post_login(teachers_browser, "teacher").status_code == 302   # the teacher's browser is now known
    teachers_browser.post("/logout")
    fail(students_browser, "teacher", 8)                                # same address, another browser
    assert post_login(students_browser, "teacher").status_code == 429
    assert post_login(new_browser, "teacher").status_code == 429       # every unknown browser waits
    assert post_login(teachers_browser, "teacher").status_code == 302  # the teacher's own does not
    assert teachers_browser.get("/").status_code == 200


def test_a_known_browser_has_a_limit_of_its_own(app, make_user):
    make_user("alice")
    browser = app.test_client()
    post_login(browser, "alice")
    browser.post("/logout")
    assert fail(browser, "alice", 5) == [200] * 5
    assert post_login(browser, "alice").status_code == 429
    assert post_login(app.test_client(), "alice").status_code == 302  # the untrusted count was not touched


def test_a_device_cookie_trusts_one_account_and_cannot_be_forged(app, make_user):
    make_user("alice")
    make_user("bob")
    browser = app.test_client()
    post_login(browser, "alice")
    browser.post("/logout")
    fail(app.test_client(), "bob", 5)
    assert post_login(browser, "bob").status_code == 429               # alice's browser is unknown to bob
    forged = app.test_client()
    forged.set_cookie("zhixin_device", browser.get_cookie("zhixin_device").value.replace("a", "b", 1) + "x")
    fail(app.test_client(), "alice", 5)
    assert post_login(forged, "alice").status_code == 429


def test_twelve_parallel_guesses_get_no_more_password_checks_than_the_limit(app, make_user):
    make_user("alice")

    def guess():
        return post_login(app.test_client(), "alice", "wrong-password").status_code
    codes = run_at_once(guess, 12)
    assert sorted(codes) == [200] * 5 + [429] * 7
    assert LoginAttempt.select().where(LoginAttempt.username == "alice").count() == 5


def test_locks_run_on_real_time_not_on_the_teaching_clock(app, client, make_user, frozen_clock):
    make_user("alice")
    make_user("bob")

    def shift(days):
        Organisation.update(clock_offset_seconds=days * 86400).where(Organisation.id == 1).execute()
    shift(44)
    fail(client, "alice", 5)
    shift(0)                                                 # the shift undone: a minute, not 63375
    assert locked_for(post_login(client, "alice")) == 1
    fail(client, "bob", 5)
    shift(44)                                                # a forward shift does not end a lock
    assert locked_for(post_login(client, "bob")) == 1
    frozen_clock(at(2))
    assert post_login(client, "bob").status_code == 302
    assert User.get(User.username == "bob").last_login_at == at(2)  # the session's time is real too


def test_the_lock_message_on_the_login_page_in_chinese(app, client, make_user):
    make_user("alice")
    fail(client, "alice", 5)
    html = post_login(client, "alice", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "此账户登录失败次数过多，已锁定 1 分钟" in html


def test_one_address_is_refused_only_past_the_flood_ceiling(app, make_user, frozen_clock):
    app.config["LOGIN_ADDRESS_MAX_FAILURES"] = 6
    make_user("teacher")
    make_user("carol")
    teachers_browser = app.test_client()
    post_login(teachers_browser, "teacher")
    teachers_browser.post("/logout")
    lab = app.test_client()
    for name in ("a1", "a2", "a3", "b1", "b2", "b3"):       # six accounts, one failure each
        assert post_login(lab, name, "wrong").status_code == 200
    refused = post_login(lab, "carol")
    assert refused.status_code == 429 and "from this network address" in refused.get_data(as_text=True)
    assert post_login(teachers_browser, "teacher").status_code == 302  # a known browser passes the ceiling
    frozen_clock(at(10))                                     # the window (10 minutes) has passed
    assert post_login(lab, "carol").status_code == 302


@pytest.mark.parametrize("proxies, separate", [(0, False), (1, True)])
def test_x_forwarded_for_counts_only_behind_a_trusted_proxy(make_app, make_user, proxies, separate):
    app = make_app(plugins=[], PROXY_COUNT=proxies, LOGIN_ADDRESS_MAX_FAILURES=3)
    with app.app_context():
        make_user("alice")
        client = app.test_client()
        for i in range(3):
            post_login(client, f"guess{i}", "wrong", headers={"X-Forwarded-For": "10.1.1.1"})
        other_pc = post_login(client, "alice", headers={"X-Forwarded-For": "10.2.2.2"})
        assert (other_pc.status_code == 302) is separate
        addresses = {a.address for a in LoginAttempt.select()}
        assert addresses == ({"10.1.1.1"} if separate else {"127.0.0.1"})


@pytest.mark.parametrize("value", ["abc", "-1", "1.5"])
def test_a_bad_proxy_count_is_a_configuration_error_naming_it(make_app, value):
    with pytest.raises(ConfigError, match="ZHIXIN_PROXY_COUNT"):
        make_app(plugins=[], PROXY_COUNT=value, **fresh())


def test_the_administrator_unlocks_an_account_on_the_users_page(app, client, make_user, login):
    alice = make_user("alice")
    admin = make_user("admin", admin=True)
    students_browser = app.test_client()
    fail(students_browser, "alice", 5)
    login(client, admin)
    page = client.get(f"/admin/users/{alice.id}").get_data(as_text=True)
    assert "data-login-locked" in page and "Unlock login" in page
    response = client.post(f"/admin/users/{alice.id}/unlock")
    assert response.status_code == 302
    assert "data-login-locked" not in client.get(f"/admin/users/{alice.id}").get_data(as_text=True)
    assert post_login(students_browser, "alice").status_code == 302
    entry = AuditEntry.get(AuditEntry.record_type == "teaching")
    assert (entry.action, entry.user_id, json.loads(entry.changes)) == ("unlock", admin.id, {"account": "alice"})


def test_only_the_administrator_may_unlock_there(app, client, make_user, login):
    alice = make_user("alice")
    login(client, make_user("bob"))
    assert client.post(f"/admin/users/{alice.id}/unlock").status_code == 403


def test_the_migration_adds_the_lock_table_to_an_older_database(app, make_user):
    run_steps("core.migrations.0006_login_lock", "down")
    assert "login_lock" not in db.get_tables()
    run_steps("core.migrations.0006_login_lock", "up")
    assert "login_lock" in db.get_tables()
    make_user("alice")
    assert fail(app.test_client(), "alice", 6) == [200] * 5 + [429]
