"""Every save goes through one service call: a refusal anywhere leaves neither a record nor an audit row,
and the form, lead conversion and CSV import fire the same hooks and write the same audit."""
import io

import pytest

from core.models import Account, AuditEntry, Contact, Lead
from tests.core.records import sample_plugin
from tests.core.records.conftest import stage


@pytest.fixture
def plugin_app(make_app):
    sample_plugin.STATE["values"].clear()
    sample_plugin.STATE["events"].clear()
    sample_plugin.STATE["refuse"] = set()
    app = make_app(plugins=["recordtest"], extra_plugins=[sample_plugin])
    with app.app_context():
        yield app
    sample_plugin.STATE["refuse"] = set()


def _audit(action=None):
    query = AuditEntry.select()
    if action:
        query = query.where(AuditEntry.action == action)
    return sorted((a.record_type, a.action) for a in query)


def test_a_hook_refusing_a_new_record_leaves_no_record_and_no_audit_row(plugin_app, make_user, login):
    client = login(plugin_app.test_client(), make_user("sally"))
    sample_plugin.STATE["refuse"] = {"lead"}
    r = client.post("/records/lead/new", data={"last_name": "郑", "status": "new", "source_campaign": "春季展会"})
    assert r.status_code == 400 and "lead refused by the test plugin" in r.get_data(as_text=True)
    assert Lead.select().count() == 0 and _audit() == []
    assert sample_plugin.STATE["values"] == {}


def test_an_invalid_plugin_field_on_an_edit_leaves_the_stored_record_and_the_audit_unchanged(
        plugin_app, make_user, login):
    user = make_user("sally")
    client = login(plugin_app.test_client(), user)
    assert client.post("/records/lead/new", data={"last_name": "郑", "status": "new"}).status_code == 302
    lead = Lead.get()
    before = _audit()
    r = client.post(f"/records/lead/{lead.id}/edit", data={"last_name": "王", "status": "new",
                                                          "source_campaign": "boom"})
    assert r.status_code == 400 and "boom refused" in r.get_data(as_text=True)
    fresh = Lead.get_by_id(lead.id)
    assert fresh.last_name == "郑"
    assert _audit() == before == [("lead", "create")]


def test_the_form_fires_saving_and_saved_and_audits_the_create(plugin_app, make_user, login):
    client = login(plugin_app.test_client(), make_user("sally"))
    assert client.post("/records/contact/new", data={"last_name": "周"}).status_code == 302
    assert sample_plugin.STATE["events"] == [("saving", "contact", True), ("saved", "contact", True)]
    assert _audit() == [("contact", "create")]


def test_lead_conversion_fires_the_same_hooks_and_audit_as_the_form(plugin_app, make_user, login):
    user = make_user("sally")
    lead = Lead.create(last_name="陈", first_name="静", owner=user, company="苏州恒达电子", source="web")
    client = login(plugin_app.test_client(), user)
    r = client.post(f"/records/lead/{lead.id}/convert", data={
        "account_name": "苏州恒达电子", "create_opportunity": "y", "opportunity_name": "恒达首单",
        "close_date": "2026-07-31", "stage": str(stage("Qualification").id), "amount": "88000"})
    assert r.status_code == 302
    events = sample_plugin.STATE["events"]
    for type_name in ("account", "contact", "opportunity"):
        assert events.count(("saving", type_name, True)) == events.count(("saved", type_name, True)) == 1
    assert events.count(("saving", "lead", False)) == events.count(("saved", "lead", False)) == 1
    assert _audit() == [("account", "create"), ("contact", "create"), ("lead", "update"),
                        ("opportunity", "create")]


def test_a_refused_conversion_leaves_no_audit_row(plugin_app, make_user, login):
    user = make_user("sally")
    lead = Lead.create(last_name="陈", owner=user, company="苏州恒达电子", source="web")
    sample_plugin.STATE["refuse"] = {"contact"}
    r = login(plugin_app.test_client(), user).post(f"/records/lead/{lead.id}/convert", data={
        "account_name": "苏州恒达电子"})
    assert r.status_code == 409
    assert Account.select().count() == 0 and Contact.select().count() == 0 and _audit() == []


def _import(client, text, action):
    data = {"file": (io.BytesIO(text.encode("utf-8")), "data.csv"), "action": action}
    return client.post("/records/contact/import", data=data, content_type="multipart/form-data")


def test_csv_import_fires_the_same_hooks_and_audit_as_the_form(plugin_app, make_user, login):
    client = login(plugin_app.test_client(), make_user("sally"))
    r = _import(client, "Last name,First name\n周,杰\n吴,敏\n", "commit")
    assert r.status_code == 302 and Contact.select().count() == 2
    assert sample_plugin.STATE["events"] == [("saving", "contact", True), ("saved", "contact", True)] * 2
    assert _audit() == [("contact", "create"), ("contact", "create")]


def test_a_csv_import_refused_on_any_row_writes_no_record_and_no_audit_row(plugin_app, make_user, login):
    client = login(plugin_app.test_client(), make_user("sally"))
    sample_plugin.STATE["refuse"] = {"contact"}
    r = _import(client, "Last name,First name\n周,杰\n吴,敏\n", "commit")
    assert r.status_code == 400 and "contact refused by the test plugin" in r.get_data(as_text=True)
    assert Contact.select().count() == 0 and _audit() == []
