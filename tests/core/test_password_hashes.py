"""Password hashes (core.passwords): Argon2id by default, Werkzeug's methods still accepted, and a hash made
with other settings than the configured ones replaced at the next correct login — through the login page."""
import pytest

from core import passwords
from core.models import User
from tests.core.english import make_app  # noqa: F401  (English default language)

SMALL_ARGON2 = "argon2id:m=8,t=1,p=1"  # the smallest settings argon2 takes: the cost is not under test here


@pytest.fixture
def app(make_app):
    app = make_app(plugins=[], PASSWORD_METHOD=SMALL_ARGON2)
    with app.app_context():
        yield app


def user_with(username, password, method):
    user = User(username=username, full_name=username.title())
    user.set_password(password, method)
    user.save()
    return user


def log_in(client, username, password):
    return client.post("/login", data={"username": username, "password": password})


def stored_hash(username):
    return User.get(User.username == username).password_hash


def test_the_default_is_argon2id_at_an_owasp_minimum():
    digest = passwords.make_hash("a long pass phrase 7")
    assert digest.startswith("$argon2id$v=19$m=7168,t=5,p=1$")
    assert passwords.check_hash(digest, "a long pass phrase 7")
    assert not passwords.check_hash(digest, "a long pass phrase 8")


@pytest.mark.parametrize("method", [SMALL_ARGON2, "pbkdf2:sha256:1000", "scrypt:1024:8:1"])
def test_each_kind_checks_its_own_hashes(method):
    digest = passwords.make_hash("correct horse 42", method)
    assert "correct horse" not in digest
    assert passwords.check_hash(digest, "correct horse 42")
    assert not passwords.check_hash(digest, "correct horse 43")
    assert not passwords.outdated(digest, method)


@pytest.mark.parametrize("broken", ["", None, "$argon2id$v=19$m=8,t=1,p=1$bm90IGJhc2U2NA", "$argon2id$garbage"])
def test_a_missing_or_damaged_hash_matches_nothing(broken):
    assert passwords.check_hash(broken, "anything at all") is False


def test_a_misspelt_method_is_refused_with_the_right_spelling():
    with pytest.raises(ValueError, match="argon2id:m=7168,t=5,p=1"):
        passwords.make_hash("whatever", "argon2id:memory=64")


def test_an_older_scrypt_hash_logs_in_and_is_replaced_by_the_configured_one(client):
    user_with("alice", "old-school pass 1", "scrypt:1024:8:1")
    assert stored_hash("alice").startswith("scrypt:")
    assert log_in(client, "alice", "old-school pass 1").status_code == 302
    replaced = stored_hash("alice")
    assert replaced.startswith("$argon2id$v=19$m=8,t=1,p=1$")
    client.get("/logout")
    assert log_in(client, "alice", "old-school pass 1").status_code == 302  # the new hash is the same password
    assert stored_hash("alice") == replaced  # and, made with the configured settings, is kept as it is


def test_a_wrong_password_replaces_nothing(client):
    user_with("alice", "old-school pass 1", "scrypt:1024:8:1")
    before = stored_hash("alice")
    assert "Wrong user name or password." in log_in(client, "alice", "old-school pass 2").get_data(as_text=True)
    assert stored_hash("alice") == before


def test_changed_argon2_settings_are_taken_up_at_the_next_login(client):
    user_with("alice", "old-school pass 1", "argon2id:m=16,t=1,p=1")
    assert passwords.outdated(stored_hash("alice"), SMALL_ARGON2)
    assert log_in(client, "alice", "old-school pass 1").status_code == 302
    assert stored_hash("alice").startswith("$argon2id$v=19$m=8,t=1,p=1$")


def test_unknown_names_are_checked_against_a_hash_of_the_configured_kind():
    assert passwords.dummy_hash(SMALL_ARGON2).startswith("$argon2id$v=19$m=8,t=1,p=1$")
    assert passwords.dummy_hash("pbkdf2:sha256:1000").startswith("pbkdf2:sha256:1000$")
