"""Login (the lock-out is in test_lockout.py), deactivated users, the forced change of credentials, own
password and language."""
import pytest

from core.models import User
from tests.conftest import TEST_PASSWORD
from tests.core.english import make_app  # noqa: F401  (English default language)


@pytest.fixture
def app(make_app):
    """Core alone: these tests are about the shell, not about the plugins' pages."""
    app = make_app(plugins=[])
    with app.app_context():
        yield app


def post_login(client, username, password=TEST_PASSWORD, next_url=None):
    url = "/login" + (f"?next={next_url}" if next_url else "")
    return client.post(url, data={"username": username, "password": password})


def test_login_with_right_password_goes_home(client, make_user):
    make_user("alice")
    response = post_login(client, "alice")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/").status_code == 200


def test_wrong_password_and_unknown_user_get_the_same_message(client, make_user):
    make_user("alice")
    for name, password in (("alice", "wrong-password"), ("nobody", TEST_PASSWORD)):
        html = post_login(client, name, password).get_data(as_text=True)
        assert "Wrong user name or password." in html
    assert client.get("/").status_code == 302  # still anonymous


def test_deactivated_user_cannot_log_in_and_is_logged_out(client, make_user, login):
    user = make_user("alice", active=False)
    html = post_login(client, "alice").get_data(as_text=True)
    assert "Wrong user name or password." in html  # as for an unknown name: no one learns who exists
    assert client.get("/").status_code == 302
    other = make_user("bob")
    login(client, other)
    User.update(active=False).where(User.id == other.id).execute()
    assert client.get("/").status_code == 302  # a session of a deactivated user stops working
    assert user.id


def test_login_follows_only_a_relative_next(client, make_user):
    make_user("alice")
    response = post_login(client, "alice", next_url="/notifications")
    assert response.headers["Location"] == "/notifications"
    client.post("/logout")
    for evil in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = post_login(client, "alice", next_url=evil)
        assert response.headers["Location"] == "/", evil
        client.post("/logout")


def test_first_login_of_admin_forces_new_user_name_and_password(client, make_user):
    make_user("admin", admin=True, must_change_password=True, must_change_username=True)
    post_login(client, "admin")
    for path in ("/", "/admin/", "/notifications", "/account"):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"] == "/account/credentials", path
    # keeping the initial user name is refused
    html = client.post("/account/credentials", data={
        "username": "admin", "current_password": TEST_PASSWORD, "password": "new-secret-9",
        "confirm": "new-secret-9"}).get_data(as_text=True)
    assert "Choose a user name of your own" in html
    # a wrong current password is refused
    html = client.post("/account/credentials", data={
        "username": "principal", "current_password": "nope-nope", "password": "new-secret-9",
        "confirm": "new-secret-9"}).get_data(as_text=True)
    assert "The current password is wrong." in html
    response = client.post("/account/credentials", data={
        "username": "principal", "current_password": TEST_PASSWORD, "password": "new-secret-9",
        "confirm": "new-secret-9"})
    assert response.status_code == 302
    user = User.get(User.username == "principal")
    assert user.check_password("new-secret-9") and not user.must_change_password and not user.must_change_username
    assert client.get("/admin/").status_code == 200


def test_user_with_reset_password_must_change_it_but_may_keep_the_name(client, make_user):
    make_user("alice", must_change_password=True)
    post_login(client, "alice")
    assert client.get("/").headers["Location"] == "/account/credentials"
    short = client.post("/account/credentials", data={
        "username": "alice", "current_password": TEST_PASSWORD, "password": "short", "confirm": "short"})
    assert "at least 10 characters" in short.get_data(as_text=True)
    same = client.post("/account/credentials", data={
        "username": "alice", "current_password": TEST_PASSWORD, "password": TEST_PASSWORD,
        "confirm": TEST_PASSWORD})
    assert "different from the current one" in same.get_data(as_text=True)
    response = client.post("/account/credentials", data={
        "username": "alice", "current_password": TEST_PASSWORD, "password": "brand-new-77",
        "confirm": "brand-new-77"})
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_user_changes_own_password(client, make_user, login):
    user = make_user("alice")
    login(client, user)
    html = client.post("/account", data={"pw-current_password": "wrong-one", "pw-password": "another-pass-1",
                                         "pw-confirm": "another-pass-1"}).get_data(as_text=True)
    assert "The current password is wrong." in html
    html = client.post("/account", data={"pw-current_password": TEST_PASSWORD, "pw-password": "another-pass-1",
                                         "pw-confirm": "another-pass-2"}).get_data(as_text=True)
    assert "The passwords differ." in html
    response = client.post("/account", data={"pw-current_password": TEST_PASSWORD,
                                              "pw-password": "another-pass-1", "pw-confirm": "another-pass-1"})
    assert response.status_code == 302
    assert User.get_by_id(user.id).check_password("another-pass-1")


def test_user_chooses_own_language(client, make_user, login):
    user = make_user("alice")
    login(client, user)
    client.post("/account", data={"prefs-language": "en"})
    assert User.get_by_id(user.id).language == "en"
    assert "My account" in client.get("/account").get_data(as_text=True)
    client.post("/account", data={"prefs-language": "zh"})
    assert "我的账户" in client.get("/account", headers={"Accept-Language": "en"}).get_data(as_text=True)
    bad = client.post("/account", data={"prefs-language": "fr"})
    assert bad.status_code == 200 and User.get_by_id(user.id).language == "zh"


def test_logout_needs_post_and_ends_the_session(client, make_user, login):
    login(client, make_user("alice"))
    assert client.get("/logout").status_code == 405
    client.post("/logout")
    assert client.get("/").status_code == 302


def test_session_cookie_is_httponly_and_samesite_lax(client, make_user):
    make_user("alice")
    response = post_login(client, "alice")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_passwords_are_stored_hashed(app, make_user):
    user = make_user("alice")
    assert TEST_PASSWORD not in user.password_hash and user.password_hash.startswith("pbkdf2:")
    from core.models import User as U
    fresh = U(username="x")
    fresh.set_password("some-password-1", method="scrypt")
    assert fresh.password_hash.startswith("scrypt:")
