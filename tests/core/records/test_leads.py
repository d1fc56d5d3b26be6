"""Lead conversion: one transaction, twice → 409, failures roll everything back, write access needed."""
import pytest

from core.models import Account, Contact, Lead, Opportunity
from core.records import RecordError
from tests.core.records.conftest import make_account, set_sharing, stage


def _lead(owner, **kw):
    kw.setdefault("company", "苏州恒达电子")
    return Lead.create(last_name="陈", first_name="静", owner=owner, email="chenjing@hengda.cn", source="web", **kw)


def _convert(client, lead, **data):
    form = {"account_name": "苏州恒达电子", "create_opportunity": "y", "opportunity_name": "恒达首单",
            "close_date": "2026-07-31", "stage": str(stage("Qualification").id), "amount": "88000"}
    form.update(data)
    return client.post(f"/records/lead/{lead.id}/convert", data=form)


def test_convert_creates_account_contact_opportunity_and_links_them(school, as_user):
    lead = _lead(school["owner"])
    client = as_user(school["owner"])
    assert 'data-form="convert"' in client.get(f"/records/lead/{lead.id}/convert").get_data(as_text=True)
    r = _convert(client, lead)
    assert r.status_code == 302
    lead = Lead.get_by_id(lead.id)
    account, contact = Account.get(Account.name == "苏州恒达电子"), Contact.get(Contact.last_name == "陈")
    opp = Opportunity.get(Opportunity.name == "恒达首单")
    assert lead.status == "converted" and lead.converted_at is not None
    assert (lead.converted_account_id, lead.converted_contact_id, lead.converted_opportunity_id) == \
        (account.id, contact.id, opp.id)
    assert contact.account_id == account.id and opp.account_id == account.id and opp.contact_id == contact.id
    assert opp.probability == 20 and opp.stage_history.count() == 1
    assert {account.owner_id, contact.owner_id, opp.owner_id} == {school["owner"].id}
    assert r.headers["Location"].endswith(f"/records/opportunity/{opp.id}")
    html = client.get(f"/records/lead/{lead.id}").get_data(as_text=True)
    assert "恒达首单" in html and "/convert" not in html


def test_convert_into_existing_visible_account_without_opportunity(school, as_user):
    lead = _lead(school["owner"])
    acc = make_account(school["owner"], name="已有客户")
    r = _convert(as_user(school["owner"]), lead, account=str(acc.id), create_opportunity="")
    assert r.status_code == 302
    assert Account.select().count() == 1 and Opportunity.select().count() == 0
    assert Contact.get(Contact.last_name == "陈").account_id == acc.id


def test_convert_refuses_an_account_the_user_cannot_see(school, as_user):
    lead = _lead(school["owner"])
    hidden = make_account(school["outsider"], name="别人的客户")
    r = _convert(as_user(school["owner"]), lead, account=str(hidden.id))
    assert r.status_code == 400
    assert Lead.get_by_id(lead.id).converted_at is None and Contact.select().count() == 0


def test_converting_twice_answers_409(school, as_user):
    lead = _lead(school["owner"])
    client = as_user(school["owner"])
    assert _convert(client, lead).status_code == 302
    r = _convert(client, lead, opportunity_name="第二次")
    assert r.status_code == 409 and "converted already" in r.get_data(as_text=True)
    assert client.get(f"/records/lead/{lead.id}/convert").status_code == 409
    assert Account.select().count() == 1 and Opportunity.select().count() == 1


def test_service_refuses_second_conversion_even_with_stale_lead(school, app):
    from core.records import leads
    lead = _lead(school["owner"])
    stale = Lead.get_by_id(lead.id)
    with app.test_request_context():
        leads.convert(lead, school["owner"], account_name="甲")
        with pytest.raises(RecordError):
            leads.convert(stale, school["owner"], account_name="乙")
    assert Account.select().count() == 1


def test_a_failure_half_way_rolls_the_whole_conversion_back(make_app, make_user, login):
    from tests.core.records import sample_plugin
    app = make_app(plugins=["recordtest"], extra_plugins=[sample_plugin])
    sample_plugin.STATE["refuse"] = {"opportunity"}
    try:
        with app.app_context():
            user = make_user("sally")
            lead = _lead(user)
            client = login(app.test_client(), user)
            r = _convert(client, lead)
            assert r.status_code == 409 and "opportunity refused" in r.get_data(as_text=True)
            assert Account.select().count() == 0 and Contact.select().count() == 0
            fresh = Lead.get_by_id(lead.id)
            assert fresh.converted_at is None and fresh.status == "new"
    finally:
        sample_plugin.STATE["refuse"] = set()


def test_convert_needs_write_access(school, as_user):
    set_sharing("lead", "read")
    lead = _lead(school["owner"])
    assert as_user(school["peer"]).get(f"/records/lead/{lead.id}").status_code == 200
    assert _convert(as_user(school["peer"]), lead).status_code == 403
    assert _convert(as_user(school["outsider"]), lead).status_code in (403, 404)
    assert Lead.get_by_id(lead.id).converted_at is None
