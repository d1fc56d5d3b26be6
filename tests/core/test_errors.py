"""Error pages say what went wrong in the user's language, and a form without CSRF token changes nothing."""
import re

import pytest

from core.models import User
from core.web import fail
from tests.core.english import fresh


@pytest.fixture
def app(make_app):
    app = make_app(plugins=[], **fresh())  # it gets routes of its own

    @app.route("/_fail/<int:code>")
    def _fail(code):
        fail(code, f"reason {code}")

    with app.app_context():
        yield app


@pytest.mark.parametrize("code,english,chinese", [
    (400, "The request could not be understood.", "无法理解"),
    (403, "You are not allowed to do this.", "无权"),
    (404, "There is nothing here, or you may not see it.", "这里没有内容"),
    (405, "That action is not allowed here.", "不允许"),
    (409, "This conflicts with the current state of the data.", "冲突"),
    (413, "The upload is too large.", "上传的文件太大"),
])
def test_error_pages_explain_in_both_languages(app, client, code, english, chinese):
    from werkzeug.exceptions import abort

    @app.route(f"/_abort{code}")
    def _abort():
        abort(code)
    for language, text in (("en", english), ("zh", chinese)):
        response = client.get(f"/_abort{code}", headers={"Accept-Language": language})
        assert response.status_code == code
        assert text in response.get_data(as_text=True), (code, language)


def test_fail_shows_its_reason(client):
    response = client.get("/_fail/409")
    assert response.status_code == 409 and "reason 409" in response.get_data(as_text=True)


def test_real_404_and_405(client, make_user, login):
    login(client, make_user("alice"))
    assert client.get("/no/such/page").status_code == 404
    response = client.get("/logout", headers={"Accept-Language": "en"})
    assert response.status_code == 405 and "That action is not allowed here." in response.get_data(as_text=True)


def test_errors_answer_json_to_json_clients(client):
    response = client.get("/no/such/page", headers={"Accept": "application/json"})
    assert response.status_code == 404 and response.json["status"] == 404 and response.json["error"]


def test_post_without_csrf_token_is_refused_with_a_message_and_changes_nothing(make_app, make_user, login):
    app = make_app(plugins=[], WTF_CSRF_ENABLED=True)
    with app.app_context():
        user = make_user("alice", language="en")
        client = login(app.test_client(), user)
        response = client.post("/account", data={"prefs-language": "zh"})
        assert response.status_code == 400
        assert "missing CSRF token" in response.get_data(as_text=True)
        assert User.get_by_id(user.id).language == "en"
        # the Chinese message
        User.update(language="zh").where(User.id == user.id).execute()
        response = client.post("/account", data={"prefs-language": "en"})
        assert response.status_code == 400 and "CSRF" in response.get_data(as_text=True)
        assert "表单" in response.get_data(as_text=True)
        assert User.get_by_id(user.id).language == "zh"
        # with the token from the page it works
        page = client.get("/account").get_data(as_text=True)
        token = re.search(r'name="prefs-csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        response = client.post("/account", data={"prefs-language": "en", "prefs-csrf_token": token})
        assert response.status_code == 302 and User.get_by_id(user.id).language == "en"


def test_login_without_csrf_token_is_refused(make_app, make_user):
    app = make_app(plugins=[], WTF_CSRF_ENABLED=True)
    with app.app_context():
        make_user("alice")
        client = app.test_client()
        from tests.conftest import TEST_PASSWORD
        response = client.post("/login", data={"username": "alice", "password": TEST_PASSWORD})
        assert response.status_code == 400 and "CSRF" in response.get_data(as_text=True)
        assert client.get("/").status_code == 302
