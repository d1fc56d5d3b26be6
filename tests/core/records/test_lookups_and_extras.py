"""Lookup fields offer and accept only visible records; plugins' extra fields render, save and display."""
from core.models import Account, Contact, Lead, Opportunity
from tests.core.records.conftest import make_account, stage


def test_lookup_offers_only_visible_records_and_rejects_others(school, as_user):
    mine = make_account(school["owner"], name="可见客户")
    hidden = make_account(school["outsider"], name="隐藏客户")
    client = as_user(school["owner"])
    html = client.get("/records/contact/new").get_data(as_text=True)
    assert "可见客户" in html and "隐藏客户" not in html
    r = client.post("/records/contact/new", data={"last_name": "周", "account": str(hidden.id)})
    assert r.status_code == 400 and "Choose a record you may see." in r.get_data(as_text=True)
    assert Contact.select().count() == 0
    assert client.post("/records/contact/new", data={"last_name": "周", "account": str(mine.id)}).status_code == 302
    r = client.post("/records/opportunity/new", data={
        "name": "x", "close_date": "2026-06-30", "stage": str(stage("Proposal").id), "type": "new_business",
        "account": str(hidden.id)})
    assert r.status_code == 400 and Opportunity.select().count() == 0


def test_parent_account_cannot_be_itself(school, as_user):
    acc = make_account(school["owner"], name="自己")
    client = as_user(school["owner"])
    r = client.post(f"/records/account/{acc.id}/edit", data={"name": "自己", "type": "customer",
                                                             "parent": str(acc.id)})
    assert r.status_code == 400 and Account.get_by_id(acc.id).parent_id is None


def test_new_form_takes_initial_lookup_from_the_url(school, as_user):
    acc = make_account(school["owner"], name="预选客户")
    html = as_user(school["owner"]).get(f"/records/contact/new?account={acc.id}").get_data(as_text=True)
    assert f'<option selected value="{acc.id}">' in html or f'<option value="{acc.id}" selected>' in html


def _app_with_plugin(make_app):
    from tests.core.records import sample_plugin
    sample_plugin.STATE["values"].clear()
    return make_app(plugins=["recordtest"], extra_plugins=[sample_plugin]), sample_plugin


def test_extra_fields_render_save_and_display(make_app, make_user, login):
    app, plugin = _app_with_plugin(make_app)
    with app.app_context():
        client = login(app.test_client(), make_user("ext"))
        assert 'name="source_campaign"' in client.get("/records/lead/new").get_data(as_text=True)
        assert 'name="source_campaign"' not in client.get("/records/account/new").get_data(as_text=True)
        r = client.post("/records/lead/new", data={"last_name": "郑", "status": "new",
                                                   "source_campaign": "春季展会"})
        assert r.status_code == 302
        lead = Lead.get()
        assert plugin.STATE["values"][("Lead", lead.id)] == "春季展会"
        html = client.get(f"/records/lead/{lead.id}").get_data(as_text=True)
        assert "<b>春季展会</b>" in html and "Source campaign" in html
        assert "春季展会" in client.get(f"/records/lead/{lead.id}/edit").get_data(as_text=True)
        r = client.post("/records/lead/new", data={"last_name": "冯", "status": "new", "source_campaign": "x" * 30})
        assert r.status_code == 400 and Lead.select().count() == 1


def test_extra_field_failure_rolls_back_the_record(make_app, make_user, login):
    app, plugin = _app_with_plugin(make_app)
    with app.app_context():
        client = login(app.test_client(), make_user("ext2"))
        r = client.post("/records/lead/new", data={"last_name": "郑", "status": "new", "source_campaign": "boom"})
        assert r.status_code == 400 and "boom refused" in r.get_data(as_text=True)
        assert Lead.select().count() == 0
