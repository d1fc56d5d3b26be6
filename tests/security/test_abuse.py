"""Abuse limits of the public service form (issue 15 item 7): a solved challenge answers once (the token of
one rendering, kept in the database so every worker agrees), a ceiling for the whole form beside the one per
address (the client's address through the proxy setting), and a submission links to an existing contact
only when exactly one matches — never naming it to an assignee who may not read it."""
import pytest

from core.models import Account, Contact
from plugins.service.models import Feedback, ServiceSettings
from tests.plugins.service.conftest import public_post, set_rule, solve_challenge

FORM = {"kind": "feedback", "category": "other", "name": "李雷", "email": "li.lei@example.com", "phone": "",
        "subject": "包裹迟到", "message": "晚了两天。", "website": ""}


@pytest.fixture
def app(make_app):
    app = make_app(plugins=["service"], SERVICE_MIN_FILL_SECONDS=0)
    with app.app_context():
        yield app


@pytest.fixture
def people(app, make_school):
    people = make_school(language="zh")
    set_rule(people["positions"]["sales_a"])                  # the form's items go to Sales A
    return people


@pytest.fixture
def open_form(make_app, people):
    """``open_form(**config)``: the app with the service plugin and ``config`` (another worker's, or one
    behind a proxy), on the same database."""
    return lambda **config: make_app(plugins=["service"], SERVICE_MIN_FILL_SECONDS=0, **config)


def visitor(app, address=None):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh"
    if address:
        client.environ_base["HTTP_X_FORWARDED_FOR"] = address
    return client


def test_a_solved_challenge_cannot_be_replayed_with_a_copied_cookie(app, people, open_form):
    client = visitor(app)
    data = dict(FORM, **solve_challenge(client))
    cookie_name = app.config["SESSION_COOKIE_NAME"]
    copied = client.get_cookie(cookie_name)
    assert client.post("/service/public", data=data).status_code == 302
    if copied is not None:
        client.set_cookie(cookie_name, copied.value)
    replay = client.post("/service/public", data=data)
    assert replay.status_code == 400 and "问题已过期" in replay.get_data(as_text=True)
    other_worker = visitor(open_form(PAGE_SIZE=19))      # another process: it sees the same database
    if copied is not None:
        other_worker.set_cookie(cookie_name, copied.value)
    assert other_worker.post("/service/public", data=data).status_code == 400
    assert Feedback.select().count() == 1


def test_the_whole_form_has_a_ceiling_beside_the_one_per_address(open_form):
    app = open_form(PROXY_COUNT=1)
    ServiceSettings.update(public_limit=2, public_global_limit=3).execute()
    flooder = visitor(app, "203.0.113.9")
    codes = [public_post(flooder, subject=f"广告 {i}").status_code for i in range(4)]
    assert codes == [302, 302, 429, 429]             # the address's ceiling; the refused posts are not counted
    assert public_post(visitor(app, "198.51.100.1")).status_code == 302    # another address behind the proxy
    refused = public_post(visitor(app, "198.51.100.2"))                  # … but the form's ceiling is reached
    assert refused.status_code == 429 and "表单收到的留言过多" in refused.get_data(as_text=True)
    assert Feedback.select().count() == 3


def test_an_ambiguous_address_links_no_contact(app, people):
    for owner in ("manager_a", "carol"):
        Contact.create(last_name="韩", email="han.mei@example.com", owner=people[owner].id)
    assert public_post(visitor(app), email="Han.Mei@example.com").status_code == 302
    item = Feedback.get()
    assert item.contact_id is None and item.account_id is None
    assert Contact.select().count() == 2                          # and none made up


def test_the_assignee_is_never_told_whose_contact_the_customer_is(app, people, login):
    account = Account.create(name="秘密贸易公司", owner=people["carol"].id)
    known = Contact.create(last_name="韩梅梅", email="han.mei@example.com", owner=people["carol"].id,
                           account=account.id)
    assert public_post(visitor(app), email="han.mei@example.com", name="").status_code == 302
    item = Feedback.get()
    assert item.contact_id == known.id                            # exactly one matches: linked
    client = login(app.test_client(), people["alice"] if item.owner_id == people["alice"].id else people["bob"])
    for url in (f"/service/feedback/{item.id}", f"/service/feedback/{item.id}/edit"):
        html = client.get(url).get_data(as_text=True)
        assert "韩梅梅" not in html and "秘密贸易公司" not in html and "（私有记录）" in html
