"""Assignment on arrival: round-robin within the admin's position (its holders and those below), else the
default owner, else an administrator; the assignee is notified at once; reassigning is on the timeline."""
from core.models import Notification
from plugins.service import services
from plugins.service.models import Feedback, ServiceEvent
from tests.plugins.service.conftest import set_rule
from tests.concurrency import run_at_once


def test_round_robin_goes_through_the_position_and_the_ones_below(app, team, positions):
    set_rule(positions["dept_a"])
    expected = sorted([team["owner"].id, team["peer"].id, team["boss"].id, team["deputy"].id])
    picked = [services.pick_assignee().id for _ in range(8)]
    assert picked == expected + expected


def test_inactive_users_are_left_out_of_the_rotation(app, team, positions):
    set_rule(positions["sales_a"])
    team["peer"].active = False
    team["peer"].save()
    assert {services.pick_assignee().id for _ in range(3)} == {team["owner"].id}


def test_default_owner_takes_items_when_no_position_is_chosen_or_nobody_holds_it(app, team, positions,
                                                                                    make_user):
    set_rule(None, default_owner=team["boss"])
    assert services.pick_assignee().id == team["boss"].id
    from core import positions as P
    empty = P.create("Empty desk", positions["teacher"])
    set_rule(empty, default_owner=team["lead"])
    assert services.pick_assignee().id == team["lead"].id


def test_without_rule_or_default_owner_an_administrator_takes_it(app, team):
    set_rule(None)
    assert services.pick_assignee().id == team["admin"].id


def test_arrival_by_rule_notifies_the_assignee_at_once(app, team, positions, make_item, frozen_clock):
    import datetime as dt
    frozen_clock(dt.datetime(2026, 5, 15, 2, 0))
    set_rule(positions["sales_a"])
    item = make_item("complaint", None, by=services.PUBLIC, subject="Broken on arrival", priority="high")
    assert item.owner_id == team["owner"].id and item.status == "assigned"
    note = Notification.get(Notification.user == team["owner"].id)
    assert "Broken on arrival" in note.title and note.link == f"/service/complaint/{item.id}"
    assert "2026-05-15 12:00" in note.body          # 2 h after arrival, in Shanghai time
    assert ServiceEvent.select().where((ServiceEvent.item_id == item.id) & (ServiceEvent.kind == "assigned")).exists()


def test_staff_entry_without_an_assignee_uses_the_rule(app, client, login, team, positions):
    set_rule(positions["sales_a"])
    login(client, team["boss"])
    response = client.post("/service/feedback/new", data={
        "subject": "Call from Mr Wang", "channel": "phone", "priority": "high", "status": "new", "owner": "None",
        "account": "None", "contact": "None", "satisfaction": "None"})
    assert response.status_code == 302
    item = Feedback.get()
    assert item.owner_id == team["owner"].id and item.created_by_id == team["boss"].id
    assert Notification.select().where(Notification.user == team["owner"].id).count() == 1


def test_staff_entry_for_oneself_sends_no_notification(app, client, login, team):
    login(client, team["owner"])
    client.post("/service/feedback/new", data={
        "subject": "Walk-in", "channel": "in_person", "priority": "low", "status": "new",
        "owner": str(team["owner"].id), "account": "None", "contact": "None", "satisfaction": "None"})
    assert Feedback.get().owner_id == team["owner"].id
    assert Notification.select().count() == 0


def test_reassigning_notifies_the_new_assignee_and_shows_on_the_timeline(app, client, login, team, make_item):
    item = make_item("feedback", team["owner"])
    login(client, team["boss"])
    response = client.post(f"/service/feedback/{item.id}/assign", data={"owner": str(team["peer"].id)})
    assert response.status_code == 302
    assert Feedback.get_by_id(item.id).owner_id == team["peer"].id
    assert Notification.select().where(Notification.user == team["peer"].id).count() == 1
    html = client.get(f"/service/feedback/{item.id}").get_data(as_text=True)
    assert html.count('data-event="assigned"') == 2


def test_concurrent_arrivals_still_take_turns(app, team, positions):
    from core.db import db
    set_rule(positions["sales_a"])

    def arrive():
        with app.app_context(), db.connection_context():
            return services.pick_assignee().id
    picked = run_at_once(arrive, 4)
    assert sorted(picked) == sorted([team["owner"].id, team["peer"].id] * 2)
