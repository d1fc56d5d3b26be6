"""Modules per class through the one contract in ``core.plugins``: with campaigns and service switched off for
class A (enabled for class B only), class A sees neither, on the plugins' own pages nor on core's record
pages and forms; class B keeps both."""
import pytest

from core.classroom import modules
from core.extension import Slot
from core.models import Notification


@pytest.fixture
def school(app, make_school):
    """The shared school: alice in class A, ``bob`` its class-B student, the teacher above both."""
    s = make_school()
    with app.test_request_context():
        for plugin in ("campaigns", "service"):
            modules.set_classes(plugin, [s["positions"]["class_b"].id])
    return {"alice": s["alice"], "bob": s["carol"], "teacher": s["teacher"]}


def test_a_student_of_a_class_with_service_off_cannot_create_a_complaint(app, school, login):
    alice = login(app.test_client(), school["alice"])
    assert alice.get("/records/complaint/new").status_code == 404
    assert alice.post("/records/complaint/new", data={"subject": "Broken"}).status_code == 404
    assert alice.get("/records/complaint/").status_code == 404
    assert alice.get("/records/complaint/export.csv").status_code == 404
    bob = login(app.test_client(), school["bob"])
    assert bob.get("/records/complaint/new").status_code == 200


@pytest.mark.parametrize("type_name", ["lead", "opportunity"])
def test_the_source_campaign_field_is_absent_from_forms_of_a_class_with_campaigns_off(app, school, login,
                                                                                      type_name):
    alice = login(app.test_client(), school["alice"])
    page = alice.get(f"/records/{type_name}/new")
    assert page.status_code == 200
    assert "Source campaign" not in page.get_data(as_text=True)
    assert 'name="source_campaign"' not in page.get_data(as_text=True)
    bob = login(app.test_client(), school["bob"])
    assert 'name="source_campaign"' in bob.get(f"/records/{type_name}/new").get_data(as_text=True)


def test_the_menu_of_a_class_with_a_module_off_has_no_entry_for_it(app, school, login):
    alice_home = login(app.test_client(), school["alice"]).get("/").get_data(as_text=True)
    bob_home = login(app.test_client(), school["bob"]).get("/").get_data(as_text=True)
    for prefix in ('href="/service/', 'href="/campaigns/'):
        assert prefix not in alice_home
        assert prefix in bob_home


def test_the_teacher_above_an_enabled_class_keeps_the_module(app, school, login):
    teacher = login(app.test_client(), school["teacher"])
    assert teacher.get("/records/complaint/new").status_code == 200


def test_is_on_answers_for_the_global_switch_and_for_a_class(app, school):
    plugins = app.extensions["zhixin_plugins"]
    with app.test_request_context():
        assert plugins.is_on("campaigns") and plugins.is_on("campaigns", school["bob"])
        assert not plugins.is_on("campaigns", school["alice"])
        assert not plugins.is_on("not_installed") and not plugins.is_on("not_installed", school["bob"])
        assert plugins.is_on("core:core.builtin", school["alice"])


def test_a_notification_leading_to_a_module_off_for_its_reader_is_not_sent(app, school):
    from core import notify
    with app.test_request_context():
        assert notify.send(school["alice"], "Complaint", link="/records/complaint/1") is False
        assert notify.send(school["alice"], "Campaigns", link="/campaigns/") is False
        assert notify.send(school["bob"], "Complaint", link="/records/complaint/1") is True
        assert notify.send(school["alice"], "Lead", link="/records/lead/1") is True
    assert sorted(n.title for n in Notification.select()) == ["Complaint", "Lead"]


def test_results_name_the_plugin_and_leave_out_a_failing_ui_hook(app, school, caplog):
    plugins = app.extensions["zhixin_plugins"]
    answered = {name for name, _item in plugins.results("zhixin_record_fields", record_type="lead")}
    assert "campaigns" in answered
    with app.test_request_context():
        assert "campaigns" not in {n for n, _i in plugins.results("zhixin_record_fields", for_user=school["alice"],
                                                                   record_type="lead")}

    class Broken:
        @staticmethod
        def zhixin_menu_items(user):
            raise RuntimeError("boom")
    from core import hookimpl
    Broken.zhixin_menu_items = hookimpl(Broken.zhixin_menu_items)
    plugins.pm.register(Broken, name="forecast_broken_copy")
    plugins.order.append("forecast_broken_copy")
    try:
        with app.test_request_context():
            items = plugins.results("zhixin_menu_items", user=school["bob"])
        assert items and "forecast_broken_copy" not in {n for n, _i in items}
        assert "plugin forecast_broken_copy failed in zhixin_menu_items" in caplog.text
        with pytest.raises(RuntimeError):
            plugins.results("zhixin_menu_items", isolate=False, user=school["bob"])
    finally:
        plugins.pm.unregister(name="forecast_broken_copy")
        plugins.order.remove("forecast_broken_copy")


def test_template_slot_parts_are_ordered_by_their_order_field(app, school, login):
    from core import hookimpl

    class Late:
        @staticmethod
        @hookimpl
        def zhixin_template_slot(slot, context):
            return Slot("<late>", order=900) if slot == "footer" else None

    class Early:
        @staticmethod
        @hookimpl
        def zhixin_template_slot(slot, context):
            return Slot("<early>", order=1) if slot == "footer" else None
    plugins = app.extensions["zhixin_plugins"]
    for name, mod in (("slot_late", Late), ("slot_early", Early)):  # the late one registered first
        plugins.pm.register(mod, name=name)
        plugins.order.append(name)
    try:
        with app.test_request_context():
            from core.templating import slot
            html = str(slot("footer"))
        assert html.index("&lt;early&gt;") < html.index("&lt;late&gt;")
    finally:
        for name in ("slot_late", "slot_early"):
            plugins.pm.unregister(name=name)
            plugins.order.remove(name)


def test_a_module_off_for_a_class_still_cleans_up_after_that_class_deletes_a_record(app, school, login):
    """Record events reach every enabled plugin whatever the writer's class: hiding campaigns from class A must
    not leave a deleted lead's source-campaign link behind (the campaign owner in class B still reports on it)."""
    from core.models import Lead
    from core.records import service
    from plugins.campaigns.models import Campaign, CampaignSource
    from plugins.campaigns.services import set_source, source_of
    with app.test_request_context():
        campaign = Campaign(name="Spring fair", owner=school["bob"].id, status="active")
        service.save("campaign", campaign, school["bob"])
        lead = Lead(last_name="Wang", company="Acme")
        service.save("lead", lead, school["alice"])
        set_source("lead", lead.id, campaign.id)
        assert source_of("lead", lead.id) is not None
    alice = login(app.test_client(), school["alice"])
    assert alice.post(f"/records/lead/{lead.id}/delete").status_code in (302, 303)
    assert Lead.get_or_none(Lead.id == lead.id) is None
    assert CampaignSource.select().where(CampaignSource.record_id == lead.id).count() == 0
