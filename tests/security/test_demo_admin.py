"""The demo administrator (issue 15, item 1): `zhixin demo` gives the administrator its own generated password,
printed once and apart from the students' shared one, with the forced change at the first login; run on an
instance made by `zhixin init`, it never touches that administrator. Logins go through the web login form."""
import re

import pytest

from core.db import db
from core.models import User
from tests.cli import lands_on, run_cli


@pytest.fixture
def app(make_app):
    app = make_app(plugins=[])  # empties the tables; the command line below writes into the same database
    if not db.is_closed():
        db.close()
    return app


@pytest.fixture
def zhixin(app, database_url, tmp_path):
    """``zhixin(args, **env)`` runs the command line on the test database."""
    def run(args, **env):
        result = run_cli(args, database_url, tmp_path / "cli", **env)
        assert result.exit_code == 0, result.output
        return result.output
    return run


def test_the_demo_administrator_has_its_own_password_and_must_change_it(app, zhixin):
    output = zhixin(["demo", "--no-run", "--demo-password", "Demo-Class-2026"])
    password = re.search(r"Administrator: admin\b.*\nPassword \(shown once\): (\S+)", output).group(1)
    assert password != "Demo-Class-2026" and len(password) >= 12
    assert output.count(password) == 1
    assert lands_on(app, "admin", "Demo-Class-2026") == "/login"
    assert lands_on(app, "admin", password) == "/account/credentials"
    assert lands_on(app, "teacher", "Demo-Class-2026") == "/"


def test_a_given_administrator_password_is_used_and_not_printed(app, zhixin):
    output = zhixin(["demo", "--no-run", "--demo-password", "Demo-Class-2026"], ZHIXIN_ADMIN_PASSWORD="Own-Chief-7731")
    assert "Own-Chief-7731" not in output and "Password (shown once)" not in output
    assert lands_on(app, "admin", "Own-Chief-7731") == "/account/credentials"


def test_demo_on_an_instance_made_by_init_leaves_its_administrator_alone(app, zhixin):
    zhixin(["init", "--admin-password", "Init-Chief-9931"])
    with db.connection_context():
        before = User.get(User.is_admin)
    output = zhixin(["demo", "--no-run", "--demo-password", "Demo-Class-2026"])
    assert "The administrator admin existed already and keeps its password." in output
    assert "Password (shown once)" not in output
    with db.connection_context():
        after = User.get(User.is_admin)
    assert (after.password_hash, after.must_change_password, after.must_change_username) == (
        before.password_hash, True, True)
    assert lands_on(app, "admin", "Demo-Class-2026") == "/login"
    assert lands_on(app, "admin", "Init-Chief-9931") == "/account/credentials"
