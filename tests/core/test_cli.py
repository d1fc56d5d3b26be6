"""The ``zhixin`` command line on the test database."""
import os
import subprocess
import sys

import pytest

from core.db import db
from core.models import User
from tests.cli import run_cli
from tests.conftest import BUNDLED


@pytest.fixture
def cli(make_app, database_url, tmp_path):
    """``cli(args, plugins="", **env)`` runs ``zhixin`` on the emptied test database."""
    make_app(plugins=[])  # empties the tables
    if not db.is_closed():
        db.close()

    def run(args, plugins="", input=None, **env):
        return run_cli(args, database_url, tmp_path / "cli", input=input, ZHIXIN_PLUGINS=plugins, **env)
    return run


def user(username):
    with db.connection_context():
        return User.get_or_none(User.username == username)


def test_help_lists_the_commands(cli):
    output = cli(["--help"]).output
    for command in ("init", "run", "demo", "plugins", "plugin", "positions", "upgrade", "scheduler", "users"):
        assert f"  {command} " in output, command


def test_init_with_admin_password_option(cli):
    result = cli(["init", "--admin-password", "first-pass-99"])
    assert result.exit_code == 0, result.output
    assert "Administrator: admin" in result.output and "first-pass-99" not in result.output
    admin = user("admin")
    assert admin.is_admin and admin.must_change_password and admin.must_change_username
    assert admin.check_password("first-pass-99")
    again = cli(["init"])
    assert again.exit_code == 0 and "An administrator exists already (admin)." in again.output


def test_init_takes_the_password_from_the_environment(cli):
    result = cli(["init"], ZHIXIN_ADMIN_PASSWORD="env-pass-123")
    assert result.exit_code == 0 and "env-pass-123" not in result.output
    assert user("admin").check_password("env-pass-123")


def test_init_generates_and_prints_the_password_once(cli):
    result = cli(["init"])
    assert result.exit_code == 0, result.output
    password = result.output.split("Password (shown once): ")[1].split()[0]
    assert len(password) >= 12 and user("admin").check_password(password)


def test_upgrade_on_an_up_to_date_schema_does_nothing(cli):
    result = cli(["upgrade"], plugins=",".join(BUNDLED))
    assert result.exit_code == 0, result.output
    assert "Nothing to do: the schema is up to date." in result.output


def test_plugins_lists_the_bundled_plugins_and_their_state(cli):
    result = cli(["plugins"], plugins="forecast,nosuch")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["NAME", "VERSION", "ENABLED", "REQUIRES", "SOURCE"]
    rows = {line.split()[0]: line.split() for line in lines[1:] if line and not line.startswith("error")}
    assert set(BUNDLED) <= set(rows)
    assert rows["forecast"][2] == "yes" and rows["campaigns"][2] == "no"
    assert "error: ZHIXIN_PLUGINS names 'nosuch', which is not installed" in result.output


def test_users_create_and_reset_password(cli):
    result = cli(["users", "create", "teacher", "--password", "teach-pass-1", "--full-name", "王老师"])
    assert result.exit_code == 0 and "Created teacher" in result.output
    assert user("teacher").check_password("teach-pass-1") and user("teacher").full_name == "王老师"
    dup = cli(["users", "create", "teacher", "--password", "x-pass-word"])
    assert dup.exit_code == 1 and "user 'teacher' exists already" in dup.output
    prompted = cli(["users", "create", "prompted"], input="prompt-pass-1\nprompt-pass-1\n")
    assert prompted.exit_code == 0 and user("prompted").check_password("prompt-pass-1")
    reset = cli(["users", "reset-password", "teacher"])
    assert reset.exit_code == 0
    new = reset.output.strip().split(": ")[-1]
    assert user("teacher").check_password(new) and user("teacher").must_change_password
    missing = cli(["users", "reset-password", "nobody"])
    assert missing.exit_code == 1 and "no user 'nobody'" in missing.output


def test_users_create_refuses_a_weak_password(cli):
    result = cli(["users", "create", "weak", "--password", "1234"])
    assert result.exit_code == 1 and "at least 10 characters" in result.output
    assert user("weak") is None


def test_scheduler_once_runs_every_job(cli):
    result = cli(["scheduler", "--once"])
    assert result.exit_code == 0, result.output
    assert "core.deliver_email: ok" in result.output


def test_demo_no_run_loads_the_demo_and_prints_logins(cli):
    result = cli(["demo", "--no-run", "--demo-password", "demo-pass-1"])
    assert result.exit_code == 0, result.output
    assert "Demo logins (password for all: demo-pass-1)" in result.output
    assert "teacher" in result.output
    assert user("teacher").check_password("demo-pass-1")
    again = cli(["demo", "--no-run", "--demo-password", "demo-pass-1"])
    assert again.exit_code == 0 and "Demo data exists already." in again.output


def test_demo_with_every_bundled_plugin(cli):
    result = cli(["demo", "--no-run"], plugins=",".join(BUNDLED), ZHIXIN_DEMO_PASSWORD="demo-pass-2")
    assert result.exit_code == 0, result.output
    assert user("teacher").check_password("demo-pass-2")


def test_positions_template_builds_the_classroom_tree_and_list_prints_it(cli):
    result = cli(["positions", "template", "classroom", "--classes", "2", "--departments", "1",
                  "--language", "en"])
    assert result.exit_code == 0, result.output
    assert "Created 7 positions under Teacher." in result.output  # teacher, 2 classes, 2 departments, 2 sales
    listing = cli(["positions", "list"])
    assert listing.exit_code == 0, listing.output
    assert listing.output.splitlines()[:4] == [
        "Teacher", "  Class 1", "    Class 1 Department 1", "      Class 1 Department 1 Salesperson"]
    assert "0 users hold a position; 0 hold none." in listing.output


def test_a_second_classroom_template_gets_its_own_teacher_position(cli):
    args = ["positions", "template", "classroom", "--classes", "1", "--departments", "1", "--language", "en"]
    assert cli(args).exit_code == 0
    again = cli(args)
    assert again.exit_code == 0, again.output
    assert "Created 4 positions under Teacher (2)." in again.output


@pytest.mark.parametrize("url,message", [
    ("nonsense", "ZHIXIN_DATABASE_URL: unsupported scheme"),
    ("postgresql://x@localhost:notaport/db", "ZHIXIN_DATABASE_URL: the port"),
    ("sqlite:///:memory:", "an in-memory database is empty"),
    ("postgresql://nobody@127.0.0.1:1/nothing", "cannot use the database"),
])
def test_bad_database_url_gives_a_clear_message_and_no_traceback(tmp_path, url, message):
    env = dict(os.environ, ZHIXIN_DATABASE_URL=url, ZHIXIN_INSTANCE_PATH=str(tmp_path))
    proc = subprocess.run([sys.executable, "-m", "core.cli", "init"], env=env, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode != 0
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout


def test_init_and_demo_refuse_a_weak_administrator_password_and_write_nothing(cli):
    for command in (["init", "--admin-password", "password1"], ["demo", "--no-run", "--admin-password", "admin-2026-x"]):
        result = cli(command)
        assert result.exit_code != 0 and "--admin-password:" in result.output, result.output
        assert user("admin") is None
