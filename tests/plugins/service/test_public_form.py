"""The public feedback form: no login, CSRF, a challenge against robots, a per-address rate limit kept in the
database, contacts found or created by e-mail, and customer text that stays text."""
import datetime as dt
import re

import pytest

from core.models import Contact, Notification, PublicChallenge, PublicSubmission
from plugins.service.models import Complaint, Feedback, ServiceSettings
from tests.plugins.service.conftest import public_post, set_rule, solve_challenge



def anon(app):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


SCRIPT = "<script>alert('x')</script>"


@pytest.fixture
def desk(app, team, positions):
    app.config["SERVICE_MIN_FILL_SECONDS"] = 0
    set_rule(positions["sales_a"])
    return team


def test_anonymous_visitor_sends_feedback_that_is_assigned_and_notified(app, desk):
    client = anon(app)
    response = public_post(client, email="Li.Lei@Example.com")
    assert response.status_code == 302 and response.headers["Location"].endswith("/service/public/thanks")
    assert "F-" in client.get("/service/public/thanks").get_data(as_text=True)
    item = Feedback.get()
    assert item.channel == "web" and item.status == "assigned" and item.created_by_id is None
    assert item.owner_id in (desk["owner"].id, desk["peer"].id)
    contact = Contact.get_by_id(item.contact_id)
    assert contact.email == "li.lei@example.com" and contact.owner_id == item.owner_id
    note = Notification.get(Notification.user == item.owner_id)
    assert f"/service/feedback/{item.id}" in note.link


def test_existing_contact_is_found_by_email_whatever_the_case(app, desk):
    known = Contact.create(last_name="Han", email="han.mei@example.com", owner=desk["boss"].id)
    public_post(anon(app), email="HAN.Mei@example.com", kind="complaint", category="delivery")
    item = Complaint.get()
    assert item.contact_id == known.id and item.category == "delivery"
    assert Contact.select().count() == 1


@pytest.mark.parametrize("fields, message", [
    ({"email": ""}, "This field is required"),
    ({"email": "not-an-address"}, "Enter an e-mail address"),
    ({"subject": ""}, "This field is required"),
    ({"message": "   "}, "This field is required"),
    ({"subject": "x" * 201}, "200"),
    ({"message": "y" * 5001}, "5000"),
    ({"name": "n" * 101}, "100"),
    ({"kind": "order"}, "Not a valid choice"),
])
def test_bad_or_oversize_input_is_refused_with_a_reason(app, desk, fields, message):
    response = public_post(anon(app), **fields)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert Feedback.select().count() == 0 and Complaint.select().count() == 0


def test_body_larger_than_the_server_limit_is_413(app, desk):
    app.config["MAX_CONTENT_LENGTH"] = 10_000
    response = public_post(anon(app), message="z" * 20_000)
    assert response.status_code == 413
    assert Feedback.select().count() == 0


def test_script_tags_are_stored_as_text_and_shown_escaped(app, desk, login):
    public_post(anon(app), subject=SCRIPT, message=SCRIPT, name=SCRIPT)
    item = Feedback.get()
    assert item.subject == SCRIPT and item.description == SCRIPT
    client = login(app.test_client(), desk["admin"])
    for url in (f"/service/feedback/{item.id}", "/service/feedback/?tab=all", "/service/?tab=all"):
        html = client.get(url).get_data(as_text=True)
        assert SCRIPT not in html
        assert "&lt;script&gt;alert(" in html


def test_wrong_missing_or_non_numeric_answer_is_refused(app, desk):
    client = anon(app)
    # wrong for the question this very post answers (another rendering asks another question)
    response = public_post(client, answer=lambda right: str(int(right) + 1))
    assert response.status_code == 400 and "not right" in response.get_data(as_text=True)
    data = {"kind": "feedback", "email": "a@example.com", "subject": "s", "message": "m", "answer": "7"}
    fresh = anon(app)       # never saw the form: no question asked
    assert "expired" in fresh.post("/service/public", data=data).get_data(as_text=True)
    assert public_post(client, answer="seven").status_code == 400
    assert Feedback.select().count() == 0


def test_the_answer_is_kept_in_neither_the_page_nor_the_cookie(app, desk):
    client = anon(app)
    fields = solve_challenge(client)
    with client.session_transaction() as session:
        assert not [k for k in session if "challenge" in k]
    assert PublicChallenge.get(PublicChallenge.token == fields["challenge"]).answer == int(fields["answer"])


def test_filled_honeypot_is_refused(app, desk):
    assert public_post(anon(app), website="http://spam.example").status_code == 400
    assert Feedback.select().count() == 0


def test_a_form_sent_faster_than_a_person_types_is_refused(app, desk, frozen_clock):
    app.config["SERVICE_MIN_FILL_SECONDS"] = 3
    start = frozen_clock(dt.datetime(2026, 5, 15, 2, 0, 0))
    client = anon(app)
    data = {"kind": "feedback", "category": "other", "email": "a@example.com", "subject": "s", "message": "m",
            **solve_challenge(client)}
    assert client.post("/service/public", data=data).status_code == 400
    data.update(solve_challenge(client))
    frozen_clock(start + dt.timedelta(seconds=20))
    assert client.post("/service/public", data=data).status_code == 302


def test_flooding_from_one_address_is_stopped_across_workers(app, desk, make_app):
    set_rule(desk["owner"].position, limit=3)
    other_worker = make_app(plugins=["service"], SERVICE_MIN_FILL_SECONDS=0)
    clients = [anon(app), anon(other_worker)]
    codes = [public_post(clients[i % 2], subject=f"spam {i}").status_code for i in range(3)]
    assert codes == [302, 302, 302]
    assert public_post(clients[1], subject="one more").status_code == 429
    assert public_post(clients[0], subject="and more").status_code == 429
    assert Feedback.select().count() == 3
    elsewhere = anon(app)
    elsewhere.environ_base["REMOTE_ADDR"] = "10.9.8.7"
    assert public_post(elsewhere, subject="another customer").status_code == 302
    assert PublicSubmission.select().where(PublicSubmission.address == "127.0.0.1").count() == 3  # refused: not counted


def test_rate_limit_window_passes(app, desk, frozen_clock):
    set_rule(desk["owner"].position, limit=1)
    start = frozen_clock(dt.datetime(2026, 5, 15, 2, 0, 0))
    client = anon(app)
    assert public_post(client).status_code == 302
    assert public_post(client).status_code == 429
    frozen_clock(start + dt.timedelta(minutes=61))
    assert public_post(client).status_code == 302


def test_public_form_needs_a_csrf_token(make_app, make_user):
    app = make_app(plugins=["service"], WTF_CSRF_ENABLED=True, SERVICE_MIN_FILL_SECONDS=0)
    with app.app_context():
        set_rule(default_owner=make_user("desk"))
        client = anon(app)
        data = {"kind": "feedback", "email": "a@example.com", "subject": "s", "message": "m",
                **solve_challenge(client)}
        assert client.post("/service/public", data=data).status_code == 400
        html = client.get("/service/public").get_data(as_text=True)
        data["csrf_token"] = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
        data["challenge"] = re.search(r'name="challenge" type="hidden" value="([^"]+)"', html).group(1)
        data["answer"] = re.search(r'data-question="(\d+) \+ (\d+)"', html)
        data["answer"] = str(int(data["answer"].group(1)) + int(data["answer"].group(2)))
        assert client.post("/service/public", data=data).status_code == 302
        assert Feedback.select().count() == 1


def test_admin_sees_the_public_url_and_can_close_the_form(app, desk, login):
    admin = login(app.test_client(), desk["admin"])
    html = admin.get("/service/settings").get_data(as_text=True)
    assert 'data-public-url' in html and "http://localhost/service/public" in html
    staff = login(app.test_client(), desk["owner"])
    assert staff.get("/service/settings").status_code == 403
    ServiceSettings.update(public_form_enabled=False).execute()
    assert anon(app).get("/service/public").status_code == 404


def test_thanks_page_without_a_submission_goes_back_to_the_form(app, desk):
    response = anon(app).get("/service/public/thanks")
    assert response.status_code == 302 and response.headers["Location"].endswith("/service/public")
