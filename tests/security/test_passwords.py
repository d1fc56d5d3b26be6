"""The password rule (issue 15, item 10): under 10 characters, a common password, an easily guessed one or
one containing the user name is refused — on the web forms, in the CLI — and every password the application
generates (roster sheet, administrator's reset, CLI reset) passes it."""
import io
import re

import pytest

from core import passwords
from core.models import User
from tests.conftest import TEST_PASSWORD
from tests.core.test_cli import cli, user  # noqa: F401  (the CLI runner fixture on the test database)

WEAK = ("password", "qwerty12", "qwertyuiop", "1234567890", "password123", "aaaaaaaaaaaa", "iloveyou12")


@pytest.fixture
def zh_school(make_school):
    return make_school(language="zh")


def change_password(client, new):
    return client.post("/account", data={"pw-current_password": TEST_PASSWORD, "pw-password": new,
                                         "pw-confirm": new}).get_data(as_text=True)


@pytest.mark.parametrize("weak", WEAK)
def test_account_page_refuses_short_and_common_passwords(client, login, zh_school, weak):
    login(client, zh_school["alice"])
    html = change_password(client, weak)
    assert "密码至少需要 10 个字符。" in html or "这个密码太常见或太容易被猜到" in html
    assert User.get_by_id(zh_school["alice"].id).check_password(TEST_PASSWORD)


def test_account_page_refuses_the_own_user_name_inside_the_password(client, login, zh_school):
    login(client, zh_school["alice"])
    html = change_password(client, "Alice-loves-2026")
    assert "密码不能包含用户名。" in html
    assert User.get_by_id(zh_school["alice"].id).check_password(TEST_PASSWORD)


def test_account_page_shows_the_hint_and_accepts_a_strong_password(client, login, zh_school):
    login(client, zh_school["alice"])
    assert "至少 10 个字符，不能是常见密码" in client.get("/account").get_data(as_text=True)
    change_password(client, "lantern-river-42")
    assert User.get_by_id(zh_school["alice"].id).check_password("lantern-river-42")


def test_first_login_refuses_a_password_containing_the_new_user_name(client, login, zh_school):
    User.update(must_change_password=True).where(User.id == zh_school["bob"].id).execute()
    login(client, zh_school["bob"])
    html = client.post("/account/credentials", data={
        "username": "zhangwei", "current_password": TEST_PASSWORD, "password": "zhangwei-is-me!",
        "confirm": "zhangwei-is-me!"}).get_data(as_text=True)
    assert "密码不能包含用户名。" in html
    assert User.get_by_id(zh_school["bob"].id).username == "bob"


def test_cli_refuses_weak_and_name_passwords(cli):  # noqa: F811
    for args, reason in ((["users", "create", "wang", "--password", "qwerty12"], "at least 10 characters"),
                         (["users", "create", "wang", "--password", "password123"], "too common"),
                         (["users", "create", "wang", "--password", "wang-2026-xyz"], "contain the user name")):
        result = cli(args)
        assert result.exit_code == 1 and reason in result.output, result.output
    assert user("wang") is None
    assert cli(["users", "create", "wang", "--password", "lantern-river-42"]).exit_code == 0
    refused = cli(["users", "reset-password", "wang", "--password", "1234567890"])
    assert refused.exit_code == 1 and "too common" in refused.output


def test_cli_generated_reset_password_passes_the_rule(cli):  # noqa: F811
    cli(["users", "create", "wang", "--password", "lantern-river-42"])
    new = cli(["users", "reset-password", "wang"]).output.strip().split(": ")[-1]
    assert passwords.problem(new, "wang") is None and user("wang").check_password(new)


def test_roster_sheet_passwords_pass_the_rule_and_log_in(app, client, login, zh_school):
    roster = "学号,姓名,班级,部门\n" + "".join(f"s{n},学生{n},一班,一部\n" for n in range(1, 21))
    login(client, zh_school["teacher"])
    html = client.post("/classroom/roster", data={
        "action": "commit", "create_missing": "y", "file": (io.BytesIO(roster.encode()), "roster.csv")},
        content_type="multipart/form-data").get_data(as_text=True)
    sheet = re.findall(r'data-student="(s\d+)">.*?<code data-password>([^<]+)</code>', html, re.S)
    assert len(sheet) == 20
    for username, password in sheet:
        assert passwords.problem(password, username) is None
    username, password = sheet[0]
    fresh = app.test_client()
    resp = fresh.post("/login", data={"username": username, "password": password})
    assert resp.status_code == 302  # logged in, and sent to choose their own password
    assert fresh.get("/").headers["Location"].endswith("/account/credentials")


def test_administrator_reset_password_passes_the_rule(client, login, zh_school):
    login(client, zh_school["admin"])
    html = client.post(f"/admin/users/{zh_school['carol'].id}/reset-password").get_data(as_text=True)
    shown = re.search(r"<code[^>]*>([^<]+)</code>", html).group(1)
    assert passwords.problem(shown, "carol") is None
    assert User.get_by_id(zh_school["carol"].id).check_password(shown)
