"""Web-to-lead (issue 19, part 4): a campaign's public form at /w/<token> makes one lead attributed to the
campaign and owned by the form's rule, under core's single-use challenge, honeypot and ceilings; a closed form
is a 404; bad input writes nothing, in both languages; the form is framed by other sites, nothing else is."""
import datetime as dt
import re

import pytest

from core.models import AuditEntry, Lead, PublicChallenge, PublicSubmission, User
from plugins.campaigns import effect as effects
from plugins.campaigns.models import CampaignMember, CampaignSource, CampaignWebForm
from plugins.campaigns.webforms import web_form_of
from tests.plugins.campaigns.conftest import make_campaign, set_mode


@pytest.fixture
def app(make_app):
    app = make_app(plugins=["campaigns"], CAMPAIGNS_MIN_FILL_SECONDS=0)
    with app.test_request_context():
        yield app


def set_up(campaign, **values):
    """The campaign's web form, on, with ``values`` (a fixed user by default: the campaign's owner)."""
    row = web_form_of(campaign, create=True)
    values = {"enabled": True, "assign_rule": "user", "assign_user": campaign.owner_id, **values}
    CampaignWebForm.update(**values).where(CampaignWebForm.id == row.id).execute()
    return CampaignWebForm.get_by_id(row.id)


def visitor(app, language="en", address=None):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    if address:
        client.environ_base["REMOTE_ADDR"] = address
    return client


def solve(client, url):
    html = client.get(url).get_data(as_text=True)
    question = re.search(r'data-question="(\d+) \+ (\d+)"', html)
    token = re.search(r'name="challenge" type="hidden" value="([^"]+)"', html)
    assert question and token, "the web form asks no question"
    return {"challenge": token.group(1), "answer": str(int(question.group(1)) + int(question.group(2)))}


def post(client, webform, answer=None, query="", **fields):
    url = f"/w/{webform.token}{query}"
    data = {"first_name": "Lei", "last_name": "Li", "company": "Acme", "email": "li.lei@example.com",
            "phone": "021-5888 0000", "website": "", **fields}
    data.update(solve(client, url))
    if answer is not None:
        data["answer"] = answer
    return client.post(url, data=data)


@pytest.fixture
def form(school):
    return set_up(make_campaign(school["owner"]))


def test_a_submission_creates_one_lead_attributed_to_the_campaign_and_owned_by_the_rule(app, school, form):
    response = post(visitor(app), form)
    assert response.status_code == 200 and "data-web-form-thanks" in response.get_data(as_text=True)
    lead = Lead.get()
    assert (lead.last_name, lead.first_name, lead.company, lead.email) == ("Li", "Lei", "Acme", "li.lei@example.com")
    assert lead.owner_id == school["owner"].id and lead.source == "web" and lead.created_by_id is None
    assert CampaignSource.get().record_id == lead.id and CampaignSource.get().campaign_id == form.campaign_id
    member = CampaignMember.get()
    assert (member.member_type, member.member_id, member.status) == ("lead", lead.id, "responded")
    assert AuditEntry.get((AuditEntry.record_type == "lead") & (AuditEntry.record_id == lead.id)).action == "create"
    effect = effects.compute(form.campaign, school["owner"])
    assert effect.leads == 1 and effect.responded == 1 and effect.response_rate == 1


def test_the_thank_you_text_is_the_campaigns_and_stays_text(app, school):
    form = set_up(make_campaign(school["owner"]), thank_you="<b>谢谢</b> we call back")
    html = post(visitor(app), form).get_data(as_text=True)
    assert "&lt;b&gt;谢谢&lt;/b&gt; we call back" in html and "<b>谢谢</b>" not in html


def test_round_robin_over_a_position_takes_its_users_in_turn(app, school):
    positions = school["owner"].position
    form = set_up(make_campaign(school["owner"]), assign_rule="position", assign_user=None,
                  assign_position=positions.id)
    for i in range(5):
        assert post(visitor(app), form, last_name=f"Li{i}").status_code == 200
    owners = [lead.owner_id for lead in Lead.select().order_by(Lead.id)]
    # Dept A and below: the owner and the peer (same position), the two students of Sales A; by id, in turn
    team = [u.id for u in User.select().where(User.username.in_(("manager_a", "deputy_a", "alice", "bob")))
            .order_by(User.id)]
    assert owners == team + team[:1]


def test_a_rule_that_finds_nobody_gives_the_lead_to_the_campaign_owner(app, school):
    gone = school["subordinate"]
    form = set_up(make_campaign(school["owner"]), assign_user=gone.id)
    gone.active = False
    gone.save()
    post(visitor(app), form)
    assert Lead.get().owner_id == school["owner"].id


def test_a_replayed_challenge_is_refused_and_writes_nothing_more(app, school, form):
    client = visitor(app)
    url = f"/w/{form.token}"
    data = {"last_name": "Li", "email": "li@example.com", "website": "", **solve(client, url)}
    assert client.post(url, data=data).status_code == 200
    again = client.post(url, data=data)
    assert again.status_code == 400 and "expired" in again.get_data(as_text=True)
    assert Lead.select().count() == 1


def test_a_challenge_of_another_form_or_none_at_all_is_refused(app, school, form):
    other = set_up(make_campaign(school["owner"], name="Autumn"))
    client = visitor(app)
    data = {"last_name": "Li", "email": "li@example.com", **solve(client, f"/w/{other.token}")}
    assert client.post(f"/w/{form.token}", data=data).status_code == 400
    assert client.post(f"/w/{form.token}", data={"last_name": "Li", "email": "li@example.com"}).status_code == 400
    assert Lead.select().count() == 0


def test_a_filled_honeypot_is_refused(app, school, form):
    response = post(visitor(app), form, website="http://spam.example")
    assert response.status_code == 400 and Lead.select().count() == 0


def test_a_wrong_answer_is_refused(app, school, form):
    assert post(visitor(app), form, answer="99").status_code == 400
    assert Lead.select().count() == 0


def test_too_many_from_one_address_are_refused_with_a_clear_page_others_still_get_through(app, school):
    form = set_up(make_campaign(school["owner"]), per_address_limit=2)
    behind_one_proxy = [visitor(app) for _ in range(3)]       # three visitors, one address
    assert [post(c, form).status_code for c in behind_one_proxy[:2]] == [200, 200]
    refused = post(behind_one_proxy[2], form)
    assert refused.status_code == 429
    assert "Too many messages from your address" in refused.get_data(as_text=True)
    assert post(visitor(app, address="10.9.8.7"), form).status_code == 200
    assert Lead.select().count() == 3
    assert PublicSubmission.select().where(PublicSubmission.address == "127.0.0.1").count() == 2  # refused: not counted


def test_the_whole_form_has_a_ceiling_and_another_form_is_not_affected(app, school):
    form = set_up(make_campaign(school["owner"]), per_form_limit=2)
    other = set_up(make_campaign(school["owner"], name="Autumn"))
    codes = [post(visitor(app, address=f"10.0.0.{i}"), form).status_code for i in range(3)]
    assert codes == [200, 200, 429]
    assert post(visitor(app, address="10.0.0.9"), other).status_code == 200
    assert Lead.select().count() == 3


def test_the_ceiling_window_passes(app, school, frozen_clock):
    form = set_up(make_campaign(school["owner"]), per_address_limit=1, window_minutes=30)
    start = frozen_clock(dt.datetime(2026, 5, 15, 2, 0, 0))
    client = visitor(app)
    assert post(client, form).status_code == 200
    assert post(client, form).status_code == 429
    frozen_clock(start + dt.timedelta(minutes=31))
    assert post(client, form).status_code == 200


@pytest.mark.parametrize("fields, english, chinese", [
    ({"last_name": ""}, "This field is required", "必填"),
    ({"email": ""}, "This field is required", "必填"),
    ({"email": "not-an-address"}, "Enter an e-mail address like name@example.com", "电子邮件"),
    ({"phone": "call me"}, "Enter a phone number", "电话"),
    ({"company": "x" * 201}, "200", "200"),
])
def test_bad_input_is_a_form_error_in_both_languages_and_writes_nothing(app, school, form, fields, english,
                                                                        chinese):
    response = post(visitor(app, "en"), form, **fields)
    assert response.status_code == 400 and english in response.get_data(as_text=True)
    response = post(visitor(app, "zh-CN"), form, **fields)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and chinese in html and "This field is required" not in html
    assert Lead.select().count() == 0 and CampaignMember.select().count() == 0


def test_only_the_chosen_fields_are_asked_and_the_chosen_ones_required(app, school):
    form = set_up(make_campaign(school["owner"]), fields="last_name industry description", required="industry")
    html = visitor(app).get(f"/w/{form.token}").get_data(as_text=True)
    assert 'name="industry"' in html and 'name="description"' in html and 'name="email"' not in html
    assert post(visitor(app), form, industry="").status_code == 400
    assert post(visitor(app), form, industry="retail", description="Call after 5").status_code == 200
    lead = Lead.get()
    assert (lead.industry, lead.description, lead.email) == ("retail", "Call after 5", "")


def test_the_page_speaks_the_visitors_language_by_browser_or_lang(app, school, form):
    zh = visitor(app, "zh-CN").get(f"/w/{form.token}").get_data(as_text=True)
    assert "为证明您不是机器人" in zh and "To show you are a person" not in zh and 'lang="zh-CN"' in zh
    en = visitor(app, "zh-CN").get(f"/w/{form.token}?lang=en").get_data(as_text=True)
    assert "To show you are a person" in en and 'lang="en"' in en
    zh = visitor(app, "en").get(f"/w/{form.token}?lang=zh").get_data(as_text=True)
    assert "为证明您不是机器人" in zh and f'action="/w/{form.token}?lang=zh"' in zh
    thanks = post(visitor(app, "en"), form, query="?lang=zh").get_data(as_text=True)
    assert "谢谢" in thanks and "Thank you" not in thanks


def test_the_form_page_may_be_framed_by_other_sites_and_nothing_else_may(app, school, form, login):
    page = visitor(app).get(f"/w/{form.token}")
    assert "frame-ancestors *" in page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in page.headers
    setup = login(app.test_client(), school["owner"]).get(f"/campaigns/{form.campaign_id}/web-form")
    assert setup.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in setup.headers["Content-Security-Policy"]


def test_the_form_posts_without_a_session_csrf_token_but_the_setup_page_needs_one(make_app, school):
    app = make_app(plugins=["campaigns"], WTF_CSRF_ENABLED=True, CAMPAIGNS_MIN_FILL_SECONDS=0)
    form = set_up(make_campaign(school["owner"]))
    assert post(visitor(app), form).status_code == 200
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"], session["_fresh"] = str(school["owner"].id), True
    assert client.post(f"/campaigns/{form.campaign_id}/web-form", data={"enabled": "y"}).status_code == 400


@pytest.mark.parametrize("close", ["form off", "campaign planned", "campaign completed", "unknown token"])
def test_a_closed_form_is_a_404_page(app, school, close):
    campaign = make_campaign(school["owner"])
    form = set_up(campaign, enabled=close != "form off")
    if close.startswith("campaign"):
        campaign.status = close.split()[1]
        campaign.save()
    token = "x" * 32 if close == "unknown token" else form.token
    page = visitor(app).get(f"/w/{token}")
    assert page.status_code == 404 and "data-web-form-closed" in page.get_data(as_text=True)
    assert visitor(app).post(f"/w/{token}", data={"last_name": "Li"}).status_code == 404
    assert Lead.select().count() == 0 and PublicChallenge.select().count() == 0


def test_a_form_of_a_class_whose_campaigns_module_is_off_is_a_404(app, school):
    from core.classroom import modules
    form = set_up(make_campaign(school["owner"]))
    other = set_up(make_campaign(school["outsider"], name="Class B's"))
    modules.set_state("campaigns", school["class_lead"].position, on=False)   # off in class A
    assert visitor(app).get(f"/w/{form.token}").status_code == 404
    assert visitor(app).get(f"/w/{other.token}").status_code == 200


def test_the_plugin_off_means_no_form(make_app, school):
    on = make_app(plugins=["campaigns"])
    form = set_up(make_campaign(school["owner"]))
    off = make_app(plugins=[])
    assert visitor(off).get(f"/w/{form.token}").status_code == 404
    assert visitor(on).get(f"/w/{form.token}").status_code == 200


def test_tokens_are_long_random_and_distinct(app, school):
    forms = [web_form_of(make_campaign(school["owner"], name=f"C{i}"), create=True) for i in range(3)]
    tokens = {f.token for f in forms}
    assert len(tokens) == 3 and all(len(t) >= 32 for t in tokens)


def test_a_lead_from_the_form_is_seen_as_any_lead_of_its_owner(app, school, form, login):
    set_mode("private", "lead")
    post(visitor(app), form)
    lead = Lead.get()
    for side, code in (("owner", 200), ("superior", 200), ("admin", 200), ("peer", 404), ("outsider", 404),
                       ("subordinate", 404)):
        response = login(app.test_client(), school[side]).get(f"/records/lead/{lead.id}")
        assert response.status_code == code, side


# --- the set-up page -------------------------------------------------------------------------------------

SETUP = {"enabled": "y", "fields": ["first_name", "last_name", "email", "industry"], "required": ["email"],
         "thank_you": "We call you back within a day.", "assign_rule": "user", "per_address_limit": "4",
         "window_minutes": "30", "per_form_limit": "50"}


@pytest.mark.parametrize("mode", ["private", "read", "readwrite", "readwritedelete"])
def test_who_may_set_up_the_form_in_each_sharing_mode(app, school, clients, mode):
    """The owner, a superior and the administrator (core's reassign rule); a peer, subordinate or outsider
    never — not even through a sharing mode that lets them change the campaign."""
    set_mode(mode)
    campaign = make_campaign(school["owner"])
    allowed = {"owner", "superior", "class_lead", "admin"}
    for side, client in clients.items():
        page = client.get(f"/campaigns/{campaign.id}/web-form")
        readable = side in allowed or mode != "private"
        expected = 200 if side in allowed else (403 if readable else 404)
        assert page.status_code == expected, (side, mode)
        detail = client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
        assert ('data-action="web-form"' in detail) == (side in allowed), (side, mode)
        posted = client.post(f"/campaigns/{campaign.id}/web-form",
                             data={**SETUP, "assign_user": str(school["owner"].id)})
        assert posted.status_code == (302 if side in allowed else expected), (side, mode)
    if mode == "private":
        assert CampaignWebForm.select().count() == 1


def test_the_owner_sets_up_the_form_and_the_public_page_follows(app, school, clients):
    campaign = make_campaign(school["owner"])
    owner = clients["owner"]
    page = owner.get(f"/campaigns/{campaign.id}/web-form").get_data(as_text=True)
    row = CampaignWebForm.get()
    assert not row.enabled and 'data-web-form-state="closed"' in page
    assert f"&lt;iframe src=&#34;http://localhost/w/{row.token}&#34;" in page or \
        f'&lt;iframe src="http://localhost/w/{row.token}"' in page
    response = owner.post(f"/campaigns/{campaign.id}/web-form",
                          data={**SETUP, "assign_user": str(school["subordinate"].id)})
    assert response.status_code == 302
    row = CampaignWebForm.get()
    assert (row.enabled, row.fields, row.required, row.assign_user_id, row.per_address_limit) == (
        True, "first_name last_name email industry", "last_name email", school["subordinate"].id, 4)
    assert 'data-web-form-state="open"' in owner.get(f"/campaigns/{campaign.id}/web-form").get_data(as_text=True)
    assert AuditEntry.select().where((AuditEntry.record_type == "campaign") & (AuditEntry.record_id == campaign.id)
                                     & AuditEntry.changes.contains("web form")).count() == 1
    html = visitor(app).get(f"/w/{row.token}").get_data(as_text=True)
    assert 'name="industry"' in html and 'name="company"' not in html
    assert post(visitor(app), row, email="").status_code == 400
    assert post(visitor(app), row).status_code == 200
    assert Lead.get().owner_id == school["subordinate"].id


def test_the_rule_may_name_only_users_and_positions_the_setter_may_give_records_to(app, school, clients):
    campaign = make_campaign(school["owner"])
    owner = clients["owner"]
    outsider = school["outsider"]
    refused = owner.post(f"/campaigns/{campaign.id}/web-form", data={**SETUP, "assign_user": str(outsider.id)})
    assert refused.status_code == 400 and "Choose a user you may give records to" in refused.get_data(as_text=True)
    refused = owner.post(f"/campaigns/{campaign.id}/web-form",
                         data={**SETUP, "assign_rule": "position", "assign_position": str(outsider.position_id)})
    assert refused.status_code == 400 and "Choose a position" in refused.get_data(as_text=True)
    refused = owner.post(f"/campaigns/{campaign.id}/web-form", data={**SETUP, "assign_rule": "position"})
    assert refused.status_code == 400
    assert not CampaignWebForm.get().enabled
    ok = owner.post(f"/campaigns/{campaign.id}/web-form",
                    data={**SETUP, "assign_rule": "position",
                          "assign_position": str(school["subordinate"].position_id)})
    assert ok.status_code == 302 and CampaignWebForm.get().assign_position_id == school["subordinate"].position_id
    assert clients["admin"].post(f"/campaigns/{campaign.id}/web-form",
                                 data={**SETUP, "assign_user": str(outsider.id)}).status_code == 302


@pytest.mark.parametrize("fields", [{"per_address_limit": "0"}, {"window_minutes": "x"},
                                    {"fields": ["password"]}, {"assign_rule": "lottery"},
                                    {"thank_you": "t" * 2001}, {"assign_user": "abc"}])
def test_bad_set_up_input_is_a_form_error_and_changes_nothing(app, school, clients, fields):
    campaign = make_campaign(school["owner"])
    response = clients["owner"].post(f"/campaigns/{campaign.id}/web-form",
                                     data={**SETUP, "assign_user": str(school["owner"].id), **fields})
    assert response.status_code == 400
    row = CampaignWebForm.get()
    assert not row.enabled and row.per_address_limit == 5


def test_the_set_up_page_and_the_form_read_in_chinese(app, school, as_user):
    campaign = make_campaign(school["owner"])
    school["owner"].language = "zh"
    school["owner"].save()
    html = as_user(school["owner"], "zh-CN").get(f"/campaigns/{campaign.id}/web-form").get_data(as_text=True)
    for text in ("网页表单", "由谁接收新线索", "接收线索的用户", "防滥用上限", "始终交给同一用户", "表单上的字段"):
        assert text in html, text
    for english in ("Who takes the new leads", "Take submissions", "Limits against abuse", "Thank-you text"):
        assert english not in html, english
    row = set_up(campaign, fields="first_name last_name company title email phone industry description")
    page = visitor(app, "zh-CN").get(f"/w/{row.token}").get_data(as_text=True)
    for text in ("姓", "公司", "职务", "行业", "留言内容", "发送", "请留下您的联系方式"):
        assert text in page, text
    for english in ("Send", "Last name", "Company", "Leave your details"):
        assert english not in page, english
    closed = visitor(app, "zh-CN").get("/w/" + "y" * 32).get_data(as_text=True)
    assert "表单已关闭" in closed and "Form closed" not in closed


def test_a_deleted_campaign_takes_its_form_along(app, school, clients):
    campaign = make_campaign(school["owner"])
    row = set_up(campaign)
    assert clients["owner"].post(f"/campaigns/{campaign.id}/delete").status_code == 302
    assert CampaignWebForm.select().count() == 0
    assert visitor(app).get(f"/w/{row.token}").status_code == 404
