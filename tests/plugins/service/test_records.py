"""Replies (threaded, internal or to the customer), status changes, cases born from feedback or complaints,
the timeline, deletion, calendar items, the reports hook, demo data — and the app without the plugin."""
import datetime as dt
import random

from core.models import Product, User
from core.reports import ReportParams
from core.scheduler import all_jobs
from plugins.service import services
from plugins.service.models import (Complaint, Feedback, ServiceCase, ServiceEvent, ServiceReply)


def test_reply_to_the_customer_is_the_first_response(app, client, login, team, make_item, frozen_clock):
    frozen_clock(dt.datetime(2026, 5, 15, 2, 0))
    item = make_item("feedback", team["owner"])
    login(client, team["owner"])
    frozen_clock(dt.datetime(2026, 5, 15, 2, 45))
    client.post(f"/service/feedback/{item.id}/reply", data={"body": "Internal: check stock"})
    assert Feedback.get_by_id(item.id).first_response_at is None
    client.post(f"/service/feedback/{item.id}/reply", data={"body": "Dear customer …", "to_customer": "y"})
    item = Feedback.get_by_id(item.id)
    assert item.first_response_minutes == 45 and item.status == "in_progress"


def test_replies_are_threaded(app, client, login, team, make_item):
    item = make_item("complaint", team["owner"])
    other = make_item("complaint", team["owner"])
    login(client, team["boss"])
    client.post(f"/service/complaint/{item.id}/reply", data={"body": "first"})
    parent = ServiceReply.get()
    client.post(f"/service/complaint/{item.id}/reply", data={"body": "answer", "parent_id": str(parent.id)})
    assert ServiceReply.get(ServiceReply.body == "answer").parent_id == parent.id
    assert [depth for _r, depth in services.thread("complaint", item.id)] == [0, 1]
    foreign = client.post(f"/service/complaint/{other.id}/reply", data={"body": "x", "parent_id": str(parent.id)})
    assert foreign.status_code == 400
    client.post(f"/service/complaint/{item.id}/reply", data={"body": ""})
    assert ServiceReply.select().count() == 2
    html = client.get(f"/service/complaint/{item.id}").get_data(as_text=True)
    assert html.count("data-reply=") == 2


def test_status_changes_make_the_timeline(app, client, login, team, make_item, frozen_clock):
    frozen_clock(dt.datetime(2026, 5, 15, 2, 0))
    item = make_item("complaint", team["owner"])
    login(client, team["owner"])
    for status in ("in_progress", "resolved", "closed", "reopened"):
        assert client.post(f"/service/complaint/{item.id}/status",
                           data={"status": status, "resolution": "Replaced"}).status_code == 302
    item = Complaint.get_by_id(item.id)
    assert item.resolution == "Replaced" and item.resolved_at is None and item.status == "reopened"
    html = client.get(f"/service/complaint/{item.id}").get_data(as_text=True)
    assert html.count('data-event="status"') == 4 and 'data-event="created"' in html


def test_a_case_links_to_its_complaint_and_a_product(app, client, login, team, make_item):
    complaint = make_item("complaint", team["owner"], subject="Noisy fan")
    product = Product.create(name="Fan", code="F-1")
    login(client, team["owner"])
    form = client.get(f"/service/case/new?complaint={complaint.id}").get_data(as_text=True)
    assert "Noisy fan" in form
    response = client.post("/service/case/new", data={
        "subject": "Visit to replace the fan", "channel": "in_person", "priority": "normal", "status": "new",
        "owner": str(team["owner"].id), "account": "None", "contact": "None", "satisfaction": "None",
        "feedback": "None", "complaint": str(complaint.id), "product": str(product.id)})
    assert response.status_code == 302
    case = ServiceCase.get()
    assert case.complaint_id == complaint.id and case.product_id == product.id
    assert "Visit to replace the fan" in client.get(f"/service/complaint/{complaint.id}").get_data(as_text=True)
    assert "Noisy fan" in client.get(f"/service/case/{case.id}").get_data(as_text=True)


def test_staff_form_validates(app, client, login, team):
    login(client, team["owner"])
    response = client.post("/service/complaint/new", data={"subject": "", "category": "nonsense"})
    assert response.status_code == 400 and Complaint.select().count() == 0


def test_editing_keeps_the_assignee_and_recomputes_targets(app, client, login, team, make_item, frozen_clock):
    frozen_clock(dt.datetime(2026, 5, 15, 2, 0))
    item = make_item("feedback", team["owner"], priority="low")
    login(client, team["owner"])
    data = {"subject": "changed", "channel": "email", "priority": "urgent", "status": item.status, "owner": "None",
            "account": "None", "contact": "None", "satisfaction": "4", "received_at": "2026-05-15T10:00"}
    assert client.post(f"/service/feedback/{item.id}/edit", data=data).status_code == 302
    item = Feedback.get_by_id(item.id)
    assert item.owner_id == team["owner"].id and item.satisfaction == 4
    assert item.response_due_at == dt.datetime(2026, 5, 15, 2, 30)    # 10:00 Shanghai + 30 min


def test_deleting_removes_replies_and_timeline(app, team, make_item):
    item = make_item("feedback", team["owner"])
    services.add_reply("feedback", item, team["owner"], "hello")
    from core.records import service as record_service
    record_service.delete("feedback", item, team["owner"])
    assert not ServiceReply.select().exists() and not ServiceEvent.select().exists()


def test_calendar_items_are_open_visible_items_due_in_the_range(app, team, make_item, frozen_clock):
    frozen_clock(dt.datetime(2026, 5, 15, 2, 0))
    make_item("complaint", team["owner"], priority="urgent", subject="due today")       # due 10:00 UTC
    make_item("complaint", team["owner"], priority="urgent", subject="done", status="closed")
    plugins = app.extensions["zhixin_plugins"]
    start, end = dt.datetime(2026, 5, 15), dt.datetime(2026, 5, 16)
    items = plugins.gather("zhixin_calendar_items", user=team["boss"], start=start, end=end, owners=None)
    assert [i.title for i in items] == ["due today"] and items[0].kind == "service"
    assert items[0].owner_id == team["owner"].id
    assert plugins.gather("zhixin_calendar_items", user=team["outsider"], start=start, end=end, owners=None) == []
    # the calendar showing only some people's items: the query is narrowed to them
    mine = plugins.gather("zhixin_calendar_items", user=team["boss"], start=start, end=end, owners=[team["boss"].id])
    theirs = plugins.gather("zhixin_calendar_items", user=team["boss"], start=start, end=end,
                            owners=[team["owner"].id])
    assert mine == [] and [i.title for i in theirs] == ["due today"]


def test_reports_are_contributed_to_the_reports_plugin_and_run_as_the_viewer(make_app, make_user, frozen_clock):
    app = make_app(plugins=["service", "reports"])
    with app.test_request_context():
        from core import positions as P
        frozen_clock(dt.datetime(2026, 6, 1))
        top = P.create("Top")
        owner, outsider = make_user("o", P.create("A", top)), make_user("x", P.create("B", top))
        item = Feedback(subject="f", owner=owner.id, received_at=dt.datetime(2026, 2, 10))
        services.create("feedback", item, owner)
        defs = {d.id: d for d in app.extensions["zhixin_plugins"].gather("zhixin_reports")}
        assert {"service.monthly", "service.times", "service.channel", "service.category"} <= set(defs)
        assert all(d.family == "service" for d in defs.values() if d.id.startswith("service."))
        params = ReportParams(date_from=dt.date(2026, 1, 1), date_to=dt.date(2026, 3, 31))
        mine = defs["service.monthly"].run(owner, params)
        assert [r["feedback_received"] for r in mine.rows] == [0, 1, 0]
        assert sum(r["feedback_received"] for r in defs["service.monthly"].run(outsider, params).rows) == 0


def test_demo_data_spans_two_fiscal_years(app, team, frozen_clock):
    frozen_clock(dt.datetime(2026, 5, 15, 2, 0))
    from plugins.service.demo import create_demo
    users = list(User.select().order_by(User.id))
    create_demo(users, random.Random(1))
    years = {d.year for (d,) in Feedback.select(Feedback.received_at).tuples()}
    assert years == {2025, 2026}
    assert Complaint.select().count() > 10 and ServiceCase.select().count() > 0
    assert Feedback.select().where(Feedback.resolved_at.is_null(False)).count() > 10


def test_the_app_works_without_the_plugin(make_app, make_user, login):
    app = make_app(plugins=[])
    with app.app_context():
        client = login(app.test_client(), make_user("admin", admin=True))
        html = client.get("/").get_data(as_text=True)
        assert client.get("/").status_code == 200 and 'data-menu="service' not in html
        for url in ("/service/", "/service/public", "/service/report", "/service/settings", "/service/feedback/1"):
            assert client.get(url).status_code == 404, url
        assert not [j for j in all_jobs(app) if j.id.startswith("service.")]
        assert "feedback" not in app.extensions["zhixin_record_types"]
        assert app.extensions["zhixin_plugins"].gather("zhixin_reports") == []
        assert client.get("/healthz").status_code == 200


def test_plugin_switched_off_after_use_leaves_its_routes_404(make_app, make_user, login):
    on = make_app(plugins=["service"])
    with on.app_context():
        user = make_user("u", admin=True)
        item = Feedback(subject="kept", owner=user.id)
        services.create("feedback", item, user)
    off = make_app(plugins=[])
    with off.app_context():
        client = login(off.test_client(), user)
        assert client.get(f"/service/feedback/{item.id}").status_code == 404
        assert Feedback.select().count() == 1           # disabling never drops data


def test_csv_import_through_core_gets_targets_timeline_and_local_times(app, client, login, team, frozen_clock):
    frozen_clock(dt.datetime(2026, 5, 15, 2, 0))
    login(client, team["boss"])
    csv_text = ("subject,channel,priority,status,received_at,submitter_email,owner\n"
                f"Late parcel,phone,high,new,2026-05-14 23:30,a@example.com,{team['owner'].username}\n"
                f"Old matter,email,low,closed,2026-01-31 23:30,,{team['boss'].username}\n")
    response = client.post("/records/feedback/import", data={"csv_text": csv_text, "action": "commit"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    late = Feedback.get(Feedback.subject == "Late parcel")
    assert late.received_at == dt.datetime(2026, 5, 14, 15, 30)            # typed in Shanghai time
    assert late.owner_id == team["owner"].id and late.status == "assigned"
    assert late.response_due_at == late.received_at + dt.timedelta(hours=2)
    assert ServiceEvent.select().where(ServiceEvent.item_id == late.id).count() == 2
    old = Feedback.get(Feedback.subject == "Old matter")
    assert old.resolved_at is not None
    from core.models import Notification
    assert [n.user_id for n in Notification.select()] == [team["owner"].id]   # nobody told of the closed one
    bad = client.post("/records/feedback/import", data={"csv_text": "subject,received_at\nx,yesterday\n",
                                                        "action": "commit"})
    assert bad.status_code == 400 and Feedback.select().count() == 2


def test_generic_record_views_show_service_items_under_the_same_rules(app, client, login, team, make_item):
    item = make_item("complaint", team["owner"], subject="generic view")
    case = make_item("case", team["owner"])
    login(client, team["owner"])
    for url in ("/records/complaint/", f"/records/complaint/{item.id}", "/records/complaint/new",
                f"/records/service_case/{case.id}/edit", "/records/feedback/import"):
        assert client.get(url).status_code == 200, url
    login(client, team["outsider"])
    assert client.get(f"/records/complaint/{item.id}").status_code == 404
    assert "generic view" not in client.get("/records/complaint/").get_data(as_text=True)
