"""Events through HTTP: create (plain form), recurring series, editing one occurrence or the whole series,
drag and drop, all-day events across time zones, related records that must be visible."""
import datetime as dt

from flask import g

from core.models import Account, Organisation
from core.records import service as records
from plugins.calendar.models import CalendarEvent, CalendarInvitee
from plugins.calendar.service import occurrences
from tests.plugins.calendar.conftest import make_event

FORM = {"subject": "Weekly review", "start_date": "2026-05-04", "start_time": "09:00", "end_date": "2026-05-04",
        "end_time": "10:00", "reminder": "", "related_type": "", "freq": "", "interval": "1", "monthly_by": "date",
        "ends": "never"}


def post_event(client, **changes):
    data = dict(FORM, **changes)
    return client.post("/calendar/events/new", data=data)


def test_create_event_stores_utc_and_shows_local(client, login, make_user, frozen_clock):
    user = make_user("alice")
    login(client, user)
    response = post_event(client, location="Room A")
    assert response.status_code == 302
    event = CalendarEvent.get(CalendarEvent.subject == "Weekly review")
    assert event.start == dt.datetime(2026, 5, 4, 1, 0)  # Asia/Shanghai 09:00 = 01:00 UTC
    assert event.owner_id == user.id and event.uid
    page = client.get("/calendar/?view=week&date=2026-05-04").get_data(as_text=True)
    assert "Weekly review" in page and 'data-slot="2026-05-04T09:00"' in page


def test_form_errors_are_shown_and_nothing_saved(client, login, make_user):
    login(client, make_user("alice"))
    response = post_event(client, end_date="2026-05-03")
    assert response.status_code == 200
    assert "The end cannot be before the start." in response.get_data(as_text=True)
    response = post_event(client, freq="WEEKLY", ends="until", until="2026-01-01")
    assert "The repetition cannot end before the event starts." in response.get_data(as_text=True)
    assert CalendarEvent.select().count() == 0


def test_weekly_series_shows_on_chosen_days_in_month_view(client, login, make_user, frozen_clock):
    login(client, make_user("alice"))
    post_event(client, freq="WEEKLY", byday=["MO", "TH"], ends="count", count="4")
    event = CalendarEvent.get()
    assert event.rrule == "FREQ=WEEKLY;BYDAY=MO,TH;COUNT=4"
    page = client.get("/calendar/?view=month&date=2026-05-01").get_data(as_text=True)
    assert page.count('data-event="%d"' % event.id) == 4
    for key in ("20260504T010000", "20260507T010000", "20260511T010000", "20260514T010000"):
        assert f'data-occurrence="{key}"' in page


def test_editing_one_occurrence_leaves_the_series(client, login, make_user):
    user = make_user("alice")
    login(client, user)
    series = make_event(user, "Standup", start=dt.datetime(2026, 5, 4, 1), rrule="FREQ=DAILY;COUNT=5")
    key = "20260506T010000"
    page = client.get(f"/calendar/events/{series.id}?occurrence={key}").get_data(as_text=True)
    assert "Edit this occurrence" in page and "Edit the whole series" in page
    data = dict(FORM, subject="Standup (moved)", start_date="2026-05-06", start_time="15:00", end_date="2026-05-06",
                end_time="16:00", scope="this", occurrence=key)
    assert client.post(f"/calendar/events/{series.id}/edit", data=data).status_code == 302
    got = occurrences(user, dt.date(2026, 5, 1), dt.date(2026, 5, 31))
    assert [(o.start.day, o.start.hour, o.title) for o in got] == [
        (4, 9, "Standup"), (5, 9, "Standup"), (6, 15, "Standup (moved)"), (7, 9, "Standup"), (8, 9, "Standup")]
    assert CalendarEvent.get_by_id(series.id).subject == "Standup"
    # editing the same occurrence again updates the one exception row
    data["subject"] = "Standup (moved again)"
    client.post(f"/calendar/events/{series.id}/edit", data=data)
    assert CalendarEvent.select().where(CalendarEvent.series == series.id).count() == 1
    # the whole series: the subject changes everywhere except the changed occurrence
    data = dict(FORM, subject="Daily standup", start_date="2026-05-04", start_time="09:00", end_date="2026-05-04",
                end_time="09:15", scope="series", freq="DAILY", ends="count", count="5")
    client.post(f"/calendar/events/{series.id}/edit", data=data)
    titles = [o.title for o in occurrences(user, dt.date(2026, 5, 1), dt.date(2026, 5, 31))]
    assert titles == ["Daily standup", "Daily standup", "Standup (moved again)", "Daily standup", "Daily standup"]


def test_deleting_one_occurrence_then_the_series(client, login, make_user):
    user = make_user("alice")
    login(client, user)
    series = make_event(user, "Standup", start=dt.datetime(2026, 5, 4, 1), rrule="FREQ=DAILY;COUNT=3")
    client.post(f"/calendar/events/{series.id}/delete", data={"scope": "this", "occurrence": "20260505T010000"})
    assert [o.start.day for o in occurrences(user, dt.date(2026, 5, 1), dt.date(2026, 5, 31))] == [4, 6]
    client.post(f"/calendar/events/{series.id}/delete", data={"scope": "series"})
    assert CalendarEvent.select().count() == 0


def test_drag_moves_an_event_and_resizes_it(client, login, make_user):
    user = make_user("alice")
    login(client, user)
    event = make_event(user, start=dt.datetime(2026, 5, 4, 1), hours=1)
    response = client.post(f"/calendar/events/{event.id}/move", data={"start": "2026-05-05T14:00"},
                           headers={"Accept": "application/json"})
    assert response.status_code == 200 and response.json["ok"]
    event = CalendarEvent.get_by_id(event.id)
    assert (event.start, event.end) == (dt.datetime(2026, 5, 5, 6), dt.datetime(2026, 5, 5, 7))
    client.post(f"/calendar/events/{event.id}/move", data={"end": "2026-05-05T17:00"},
                headers={"Accept": "application/json"})
    assert CalendarEvent.get_by_id(event.id).end == dt.datetime(2026, 5, 5, 9)
    response = client.post(f"/calendar/events/{event.id}/move", data={"end": "2026-05-01T17:00"},
                           headers={"Accept": "application/json"})
    assert response.status_code == 400


def test_dragging_an_occurrence_moves_only_that_one(client, login, make_user):
    user = make_user("alice")
    login(client, user)
    series = make_event(user, start=dt.datetime(2026, 5, 4, 1), rrule="FREQ=WEEKLY;COUNT=3")
    client.post(f"/calendar/events/{series.id}/move", data={"start": "2026-05-12T11:00",
                                                           "occurrence": "20260511T010000"})
    got = occurrences(user, dt.date(2026, 5, 1), dt.date(2026, 5, 31))
    assert [(o.start.day, o.start.hour) for o in got] == [(4, 9), (12, 11), (18, 9)]


def test_all_day_event_keeps_its_date_in_every_time_zone(client, login, make_user):
    user = make_user("alice")
    login(client, user)
    post_event(client, subject="Holiday", all_day="y", start_date="2026-05-01", end_date="2026-05-02",
               start_time="", end_time="")
    event = CalendarEvent.get()
    assert (event.start, event.end) == (dt.datetime(2026, 5, 1), dt.datetime(2026, 5, 3))  # floating, end exclusive
    for zone in ("Asia/Shanghai", "America/Los_Angeles", "Pacific/Auckland", "UTC"):
        Organisation.update(timezone=zone).where(Organisation.id == 1).execute()
        page = client.get("/calendar/?view=month&date=2026-05-01").get_data(as_text=True)
        cells = page.split('data-date="')
        days = [c[:10] for c in cells if f'data-event="{event.id}"' in c.split("</td>")[0]]
        assert days == ["2026-05-01", "2026-05-02"], zone
    # a timed event moves with the zone, as it should
    timed = make_event(user, "Call", start=dt.datetime(2026, 5, 10, 20, 0))
    Organisation.update(timezone="Asia/Shanghai").where(Organisation.id == 1).execute()
    g.pop("org_profile", None)  # the profile is cached per request/app context
    assert [o.start.day for o in occurrences(user, dt.date(2026, 5, 1), dt.date(2026, 5, 31))
            if o.event.id == timed.id] == [11]


def test_related_record_must_be_visible(client, login, make_user, positions):
    alice = make_user("alice", position=positions["sales_a"])
    bob = make_user("bob", position=positions["sales_b"])
    login(client, alice)
    hidden = Account(name="Bob's secret account", owner=bob.id)
    records.save("account", hidden, bob)
    mine = Account(name="Alice's account", owner=alice.id)
    records.save("account", mine, alice)
    response = post_event(client, related_type="account", related_id=str(hidden.id))
    assert "There is no such record, or you may not see it." in response.get_data(as_text=True)
    assert CalendarEvent.select().count() == 0
    post_event(client, related_type="account", related_id=str(mine.id))
    event = CalendarEvent.get()
    assert "Alice&#39;s account" in client.get(f"/calendar/events/{event.id}").get_data(as_text=True)


def test_invitees_answer(client, login, make_user, positions, frozen_clock):
    from core.models import Contact, Notification
    alice, bob = make_user("alice", position=positions["sales_a"]), make_user("bob", position=positions["sales_a"])
    contact = Contact(last_name="Zhang", first_name="Wei", owner=alice.id)
    records.save("contact", contact, alice)
    login(client, alice)
    post_event(client, invite_users=[str(bob.id)], invite_contacts=[str(contact.id)])
    event = CalendarEvent.get()
    invs = {("user" if i.user_id else "contact"): i for i in CalendarInvitee.select()}
    assert Notification.select().where(Notification.user == bob.id).count() == 1
    # the organiser records the contact's answer; bob answers for himself from his invitations
    client.post(f"/calendar/events/{event.id}/answer", data={"invitee": invs["contact"].id, "answer": "accepted"})
    assert client.post(f"/calendar/events/{event.id}/answer",
                       data={"invitee": invs["user"].id, "answer": "accepted"}).status_code == 403
    login(client, bob)
    assert "Weekly review" in client.get("/calendar/invitations").get_data(as_text=True)
    client.post(f"/calendar/events/{event.id}/answer", data={"invitee": invs["user"].id, "answer": "declined"})
    assert {i.answer for i in CalendarInvitee.select()} == {"accepted", "declined"}


def test_moving_the_series_keeps_its_changed_occurrences_in_place(client, login, make_user):
    user = make_user("alice")
    login(client, user)
    series = make_event(user, "Standup", start=dt.datetime(2026, 5, 4, 1), rrule="FREQ=DAILY;COUNT=3")
    client.post(f"/calendar/events/{series.id}/move", data={"start": "2026-05-05T15:00",
                                                           "occurrence": "20260505T010000"})
    data = dict(FORM, subject="Standup", start_date="2026-05-04", start_time="10:00", end_date="2026-05-04",
                end_time="11:00", scope="series", freq="DAILY", ends="count", count="3")
    client.post(f"/calendar/events/{series.id}/edit", data=data)
    got = [(o.start.day, o.start.hour) for o in occurrences(user, dt.date(2026, 5, 1), dt.date(2026, 5, 31))]
    assert got == [(4, 10), (5, 15), (6, 10)]


def test_deleting_a_changed_occurrence_does_not_bring_the_original_back(client, login, make_user):
    user = make_user("alice")
    login(client, user)
    series = make_event(user, "Standup", start=dt.datetime(2026, 5, 4, 1), rrule="FREQ=DAILY;COUNT=3")
    client.post(f"/calendar/events/{series.id}/move", data={"start": "2026-05-05T15:00",
                                                           "occurrence": "20260505T010000"})
    exception = CalendarEvent.get(CalendarEvent.series == series.id)
    client.post(f"/calendar/events/{exception.id}/delete")
    assert [o.start.day for o in occurrences(user, dt.date(2026, 5, 1), dt.date(2026, 5, 31))] == [4, 6]


def test_agenda_quarter_follows_the_fiscal_year(client, login, make_user, frozen_clock):
    user = make_user("alice")
    login(client, user)
    Organisation.update(fiscal_year_start=4).where(Organisation.id == 1).execute()
    make_event(user, "March review", start=dt.datetime(2026, 3, 31, 1))
    make_event(user, "April kickoff", start=dt.datetime(2026, 4, 1, 1))
    make_event(user, "June close", start=dt.datetime(2026, 6, 30, 1))
    make_event(user, "July start", start=dt.datetime(2026, 7, 1, 1))
    page = client.get("/calendar/?view=agenda&quarter=FY2026-Q1").get_data(as_text=True)
    assert "April kickoff" in page and "June close" in page
    assert "March review" not in page and "July start" not in page
    assert 'value="FY2026-Q1" selected' in page and "FY2026/27 Q1 (2026-04 – 2026-06)" in page
    march = client.get("/calendar/?view=agenda&quarter=FY2025-Q4").get_data(as_text=True)
    assert "March review" in march and "April kickoff" not in march
    assert client.get("/calendar/?view=agenda&quarter=2026Q9").status_code == 400
    exported = client.get("/calendar/export.ics?view=agenda&quarter=FY2026-Q1").get_data(as_text=True)
    assert "April kickoff" in exported and "March review" not in exported


def test_agenda_search_and_pages(client, login, make_user, frozen_clock, cal):
    user = make_user("alice")
    login(client, user)
    make_event(user, "Daily call", start=dt.datetime(2026, 5, 15, 1), rrule="FREQ=DAILY")
    make_event(user, "Lunch with Li", start=dt.datetime(2026, 5, 16, 4))
    page = client.get("/calendar/?view=agenda&date=2026-05-15&q=Lunch").get_data(as_text=True)
    assert "Lunch with Li" in page and "Daily call" not in page
    first = client.get("/calendar/?view=agenda&date=2026-05-15").get_data(as_text=True)
    assert 'rel="next"' in first  # 30 daily calls + lunch: more than one page
    assert "Daily call" in client.get("/calendar/?view=agenda&date=2026-05-15&page=2").get_data(as_text=True)


def test_record_page_lists_its_events_and_plans_new_ones(client, login, make_user):
    alice = make_user("alice")
    login(client, alice)
    account = Account(name="Huaxin Trading", owner=alice.id)
    records.save("account", account, alice)
    make_event(alice, "Visit Huaxin", related_type="account", related_id=account.id)
    make_event(alice, "Unrelated")
    page = client.get(f"/records/account/{account.id}").get_data(as_text=True)
    assert "data-calendar-related" in page and "Visit Huaxin" in page and "Unrelated" not in page
    form = client.get(f"/calendar/events/new?related_type=account&related_id={account.id}").get_data(as_text=True)
    assert f'name="related_id" type="text" value="{account.id}"' in form or f'value="{account.id}"' in form
    assert '<option selected value="account">' in form or 'value="account" selected' in form


def test_edit_form_of_a_changed_occurrence_shows_its_changes(client, login, make_user):
    user = make_user("alice")
    login(client, user)
    series = make_event(user, "Standup", start=dt.datetime(2026, 5, 4, 1), rrule="FREQ=DAILY;COUNT=3")
    key = "20260505T010000"
    data = dict(FORM, subject="Standup (late)", start_date="2026-05-05", start_time="15:00", end_date="2026-05-05",
                end_time="16:00", scope="this", occurrence=key)
    client.post(f"/calendar/events/{series.id}/edit", data=data)
    page = client.get(f"/calendar/events/{series.id}/edit?scope=this&occurrence={key}").get_data(as_text=True)
    assert 'value="Standup (late)"' in page and 'value="15:00"' in page
    # the series stops repeating: its changed occurrences go with it
    data = dict(FORM, subject="Standup", start_date="2026-05-04", start_time="09:00", end_date="2026-05-04",
                end_time="10:00", scope="series", freq="")
    client.post(f"/calendar/events/{series.id}/edit", data=data)
    assert CalendarEvent.select().count() == 1
