"""Security of the calendar (issue 15, items 4, 5 and 12), through HTTP on the real database, pages in Chinese:
invitations only to colleagues and contacts within the inviter's reach, the event page naming only contacts
the viewer may read, no search in masked text, view-as-student masking as the student's superior sees and
never showing the feed link, feed links renewed when what opens the account changes, and a feed serving only
what its owner may use now."""
import datetime as dt
import io
import re

import pytest

from core.classroom import modules
from core.models import Contact, Notification, User
from core.records import service as records
from plugins.calendar.models import CalendarEvent, CalendarFeed, CalendarInvitee
from tests.conftest import TEST_PASSWORD, TEST_PASSWORD_HASH
from tests.plugins.calendar.conftest import cal, set_mode  # noqa: F401  (cal: the calendar app fixture)

EVENT_FORM = {"subject": "周例会", "start_date": "2026-05-18", "start_time": "09:00", "end_date": "2026-05-18",
              "end_time": "10:00", "reminder": "", "related_type": "", "freq": "", "interval": "1",
              "monthly_by": "date", "ends": "never"}
MONTH = "/calendar/?view=month&date=2026-05-01&who=all"


@pytest.fixture
def school(cal, make_school, frozen_clock):
    return make_school(language="zh")


@pytest.fixture
def as_user(cal, login):
    """``as_user(user)``: a test client logged in as ``user``."""
    return lambda user: login(cal.test_client(), user)


def contact_of(owner, last_name):
    contact = Contact(last_name=last_name, first_name="", owner=owner.id)
    records.save("contact", contact, owner)
    return contact


def event_of(owner, subject, **fields):
    start = dt.datetime(2026, 5, 18, 1)
    event = CalendarEvent(owner=owner.id, subject=subject, start=start, end=start + dt.timedelta(hours=1),
                          uid=f"sec-{subject}@zhixin", **fields)
    records.save("calendar_event", event, owner)
    return event


def feed_url(client):
    client.post("/calendar/subscription/regenerate")
    return f"/calendar/feed/{CalendarFeed.get().token}.ics"


# --- item 4: invitations ----------------------------------------------------------------------------------

def test_a_student_may_not_invite_a_contact_they_may_not_read(school, as_user):
    secret = contact_of(school["carol"], "机密客户")
    client = as_user(school["alice"])
    response = client.post("/calendar/events/new", data=dict(EVENT_FORM, invite_contacts=[str(secret.id)]))
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "没有这个联系人，或您无权查看。" in html
    assert "机密客户" not in html
    assert not CalendarEvent.select().exists() and not CalendarInvitee.select().exists()


def test_a_student_invites_only_colleagues_of_their_class_and_nobody_else_is_notified(school, as_user):
    client = as_user(school["alice"])
    form = client.get("/calendar/events/new").get_data(as_text=True)
    offered = re.search(r'<select[^>]*name="invite_users".*?</select>', form, re.S).group(0)
    for name in ("bob", "manager_a", "lead_a", "teacher", "carol", "admin", "outsider"):
        assert (f'value="{school[name].id}"' in offered) is (name in ("bob", "manager_a", "lead_a", "teacher"))
    for name in ("carol", "admin", "outsider", "lead_b"):
        response = client.post("/calendar/events/new", data=dict(EVENT_FORM, invite_users=[str(school[name].id)]))
        assert "只能邀请本班的同事。" in response.get_data(as_text=True), name
    assert not CalendarEvent.select().exists() and not Notification.select().exists()
    allowed = [str(school[name].id) for name in ("bob", "manager_a")]
    assert client.post("/calendar/events/new", data=dict(EVENT_FORM, invite_users=allowed)).status_code == 302
    assert sorted(n.user_id for n in Notification.select()) == sorted([school["bob"].id, school["manager_a"].id])


def test_the_event_page_names_only_the_contacts_the_viewer_may_read(school, as_user):
    set_mode("readwrite")  # peers read and change each other's events, never each other's contacts
    manager = school["manager_a"]
    own, theirs = contact_of(manager, "经理的客户"), contact_of(school["alice"], "爱丽丝的客户")
    event = event_of(manager, "客户拜访")
    for contact in (own, theirs):
        CalendarInvitee.create(event=event.id, contact=contact.id)
    page = as_user(school["bob"]).get(f"/calendar/events/{event.id}").get_data(as_text=True)
    assert "客户拜访" in page and "经理的客户" not in page and "爱丽丝的客户" not in page
    assert page.count("（私有记录）") == 2
    page = as_user(manager).get(f"/calendar/events/{event.id}").get_data(as_text=True)
    assert "经理的客户" in page and "爱丽丝的客户" in page  # both below or his own
    # a peer who may change the event keeps the invitees they cannot read, never seeing their names
    deputy = as_user(school["deputy_a"])
    form = deputy.get(f"/calendar/events/{event.id}/edit").get_data(as_text=True)
    assert "经理的客户" not in form and "（私有记录）" in form
    saved = deputy.post(f"/calendar/events/{event.id}/edit", data=dict(
        EVENT_FORM, subject="客户拜访（改）", invite_contacts=[str(own.id), str(theirs.id)]))
    assert saved.status_code == 302 and CalendarInvitee.select().count() == 2


# --- item 5: private events -------------------------------------------------------------------------------

def test_a_superior_cannot_search_the_text_of_a_subordinates_private_event(school, as_user):
    private = event_of(school["alice"], "看牙医 王医生", private=True, location="口腔医院")
    manager = as_user(school["manager_a"])
    assert f"/calendar/events/{private.id}" in manager.get(MONTH).get_data(as_text=True)  # busy, but there
    for probe in ("看", "看牙医", "口腔", "忙碌"):
        page = manager.get(MONTH + "&q=" + probe).get_data(as_text=True)
        assert f"/calendar/events/{private.id}" not in page, probe
    own = as_user(school["alice"]).get(MONTH + "&q=牙医").get_data(as_text=True)
    assert f"/calendar/events/{private.id}" in own and "看牙医 王医生" in own


def test_view_as_student_masks_their_private_events_and_never_shows_their_feed(school, as_user):
    alice = school["alice"]
    private = event_of(alice, "看牙医", private=True, location="口腔医院")
    event_of(alice, "团队会议")
    token = CalendarFeed.create(user=alice.id, token="alice-secret-token-0123456789").token
    teacher = as_user(school["teacher"])
    assert teacher.post(f"/classroom/view-as/{alice.id}").status_code == 302
    month = teacher.get(MONTH).get_data(as_text=True)
    assert "团队会议" in month and "忙碌" in month and "看牙医" not in month
    detail = teacher.get(f"/calendar/events/{private.id}").get_data(as_text=True)
    assert "看牙医" not in detail and "口腔医院" not in detail and "这是私人日程" in detail
    assert "看牙医" not in teacher.get("/calendar/today?date=2026-05-18").get_data(as_text=True)
    assert "看牙医" not in teacher.get("/records/calendar_event").get_data(as_text=True)
    subscription = teacher.get("/calendar/subscription").get_data(as_text=True)
    assert token not in subscription and "不显示其秘密订阅链接" in subscription
    # the student herself still sees it all
    assert "看牙医" in as_user(alice).get(MONTH).get_data(as_text=True)
    assert token in as_user(alice).get("/calendar/subscription").get_data(as_text=True)


# --- item 12: feed tokens ---------------------------------------------------------------------------------

def test_an_administrators_password_reset_renews_the_feed_link(school, as_user):
    alice = school["alice"]
    old = feed_url(as_user(alice))
    admin = as_user(school["admin"])
    assert admin.post(f"/admin/users/{alice.id}/reset-password").status_code == 200
    assert admin.get(old).status_code == 404
    assert CalendarFeed.select().where(CalendarFeed.user == alice.id).count() == 1  # a new one, not none


def test_a_deactivation_and_reactivation_leave_the_old_feed_link_dead(school, as_user):
    alice = school["alice"]
    old = feed_url(as_user(alice))
    admin = as_user(school["admin"])
    admin.post(f"/admin/users/{alice.id}/active", data={"active": "0"})
    assert admin.get(old).status_code == 404
    admin.post(f"/admin/users/{alice.id}/active", data={"active": "1"})
    assert admin.get(old).status_code == 404
    new = f"/calendar/feed/{CalendarFeed.get(CalendarFeed.user == alice.id).token}.ics"
    assert new != old and admin.get(new).status_code == 200


def test_the_roster_imports_deactivation_and_reactivation_renew_the_feed_link(school, as_user):
    bob = school["bob"]
    old = feed_url(as_user(bob))
    admin = as_user(school["admin"])

    def roster(text, **options):
        return admin.post("/classroom/roster", content_type="multipart/form-data", data={
            "action": "commit", "file": (io.BytesIO(text.encode()), "roster.csv"), **options})
    header = "student_number,name,class,department\n"
    assert roster(header + "alice,Alice,Class A,Dept A\n", deactivate_missing="y", create_missing="y"
                  ).status_code == 200
    assert not User.get_by_id(bob.id).active
    assert roster(header + "bob,Bob,Class A,Dept A\n", create_missing="y").status_code == 200
    assert User.get_by_id(bob.id).active and admin.get(old).status_code == 404


def test_changing_ones_own_password_renews_the_feed_link(school, as_user):
    alice = school["alice"]
    client = as_user(alice)
    old = feed_url(client)
    new_password = "violet-harbour-lantern-8"
    client.post("/account", data={"pw-current_password": TEST_PASSWORD, "pw-password": new_password,
                                  "pw-confirm": new_password})
    assert User.get_by_id(alice.id).password_hash != TEST_PASSWORD_HASH
    assert client.get(old).status_code == 404


def test_a_feed_serves_only_what_its_owner_may_use_now(school, as_user, positions):
    manager = school["manager_a"]
    event_of(school["alice"], "销售周会")
    url = feed_url(as_user(manager)) + "?who=team"
    client = as_user(school["admin"])
    assert "销售周会" in client.get(url).get_data(as_text=True)
    User.update(position=positions["dept_b"]).where(User.id == manager.id).execute()  # moved to class B
    assert "销售周会" not in client.get(url).get_data(as_text=True)
    modules.set_state("calendar", positions["class_b"], False)  # the calendar is off for his class now
    assert client.get(url).status_code == 404
