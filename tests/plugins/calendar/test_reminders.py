"""Reminders through the notification centre: exactly once per occurrence, however often the job runs."""
import datetime as dt

from core import scheduler
from core.models import Notification
from plugins.calendar.models import CalendarInvitee
from plugins.calendar.service import send_reminders
from tests.plugins.calendar.conftest import make_event
from tests.concurrency import run_at_once


def reminder_job(app):
    return [j for j in scheduler.all_jobs(app) if j.id == "calendar.reminders"][0]


def test_reminder_is_sent_once_when_due(cal, make_user, frozen_clock):
    user = make_user("alice")
    make_event(user, "Client call", start=dt.datetime(2026, 5, 15, 3, 0), reminder_minutes=15)
    frozen_clock(dt.datetime(2026, 5, 15, 2, 40))
    assert send_reminders() == 0  # not yet
    frozen_clock(dt.datetime(2026, 5, 15, 2, 46))
    assert send_reminders() == 1
    assert send_reminders() == 0
    scheduler.run_once(cal)
    notes = list(Notification.select())
    assert len(notes) == 1 and notes[0].user_id == user.id and "Client call" in notes[0].title
    assert notes[0].link.startswith("/calendar/events/")
    frozen_clock(dt.datetime(2026, 5, 15, 3, 1))  # started: no late reminder
    assert send_reminders() == 0


def test_reminder_job_run_concurrently_sends_once(cal, make_user, frozen_clock):
    user = make_user("alice")
    make_event(user, "Board meeting", start=dt.datetime(2026, 5, 15, 3, 0), reminder_minutes=30)
    frozen_clock(dt.datetime(2026, 5, 15, 2, 45))
    job = reminder_job(cal)
    results = run_at_once(lambda: scheduler.run_job(cal, job), 4)
    assert sum(results) == 1
    assert Notification.select().count() == 1


def test_each_occurrence_of_a_series_reminds_its_people_once(cal, make_user, frozen_clock):
    alice, bob, carol = make_user("alice"), make_user("bob"), make_user("carol")
    series = make_event(alice, "Standup", start=dt.datetime(2026, 5, 15, 1, 0), rrule="FREQ=DAILY;COUNT=3",
                        reminder_minutes=10)
    CalendarInvitee.create(event=series.id, user=bob.id, answer="accepted")
    CalendarInvitee.create(event=series.id, user=carol.id, answer="declined")
    for day in (15, 16, 16, 17):
        frozen_clock(dt.datetime(2026, 5, day, 0, 55))
        send_reminders()
    rows = sorted((n.user_id, n.key.split(":")[2]) for n in Notification.select())
    assert rows == sorted([(alice.id, "20260515T0100"), (alice.id, "20260516T0100"), (alice.id, "20260517T0100"),
                           (bob.id, "20260515T0100"), (bob.id, "20260516T0100"), (bob.id, "20260517T0100")])
    assert all(n.key.startswith(f"calendar:{series.id}:") for n in Notification.select())


def test_moved_occurrence_reminds_at_its_new_time(client, login, cal, make_user, frozen_clock):
    alice = make_user("alice")
    login(client, alice)
    series = make_event(alice, "Standup", start=dt.datetime(2026, 5, 15, 1, 0), rrule="FREQ=DAILY;COUNT=3",
                        reminder_minutes=10)
    client.post(f"/calendar/events/{series.id}/move", data={"start": "2026-05-16T15:00",
                                                           "occurrence": "20260516T010000"})
    frozen_clock(dt.datetime(2026, 5, 16, 0, 55))
    assert send_reminders() == 0  # the 09:00 occurrence was moved away
    frozen_clock(dt.datetime(2026, 5, 16, 6, 55))
    assert send_reminders() == 1


def test_a_reminder_at_the_start_reaches_the_bell_when_the_event_begins(cal, client, login, make_user,
                                                                         frozen_clock):
    alice = make_user("alice")
    make_event(alice, "Client call", start=dt.datetime(2026, 5, 15, 3, 0), reminder_minutes=0)
    frozen_clock(dt.datetime(2026, 5, 15, 2, 59))
    scheduler.run_job(cal, reminder_job(cal))
    login(client, alice)
    assert "Reminder: Client call" not in client.get("/notifications").get_data(as_text=True)
    frozen_clock(dt.datetime(2026, 5, 15, 3, 0))
    scheduler.run_job(cal, reminder_job(cal))
    assert "Reminder: Client call" in client.get("/notifications").get_data(as_text=True)


def test_a_reminder_missed_while_no_scheduler_ran_is_caught_up_while_the_event_is_on(cal, client, login, make_user,
                                                                                      frozen_clock):
    alice = make_user("alice")
    make_event(alice, "Long workshop", start=dt.datetime(2026, 5, 15, 3, 0), hours=3, reminder_minutes=15)
    make_event(alice, "Short call", start=dt.datetime(2026, 5, 15, 2, 0), hours=1, reminder_minutes=15)
    frozen_clock(dt.datetime(2026, 5, 15, 4, 30))  # no scheduler ran from 01:40 to now
    scheduler.run_job(cal, reminder_job(cal))
    html = login(client, alice).get("/notifications").get_data(as_text=True)
    assert "Reminder: Long workshop" in html      # still on: caught up
    assert "Reminder: Short call" not in html     # over: a reminder would be of no use


def test_reminders_of_many_people_run_by_several_schedulers_at_once_are_each_made_once(cal, make_user,
                                                                                       frozen_clock):
    people = [make_user(f"user{i}") for i in range(8)]
    events = [make_event(people[0], f"Review {n}", start=dt.datetime(2026, 5, 15, 3, n), reminder_minutes=30)
              for n in range(4)]
    for event in events:
        for person in people[1:]:
            CalendarInvitee.create(event=event.id, user=person.id, answer="accepted")
    frozen_clock(dt.datetime(2026, 5, 15, 2, 45))
    job = reminder_job(cal)
    assert sum(run_at_once(lambda: scheduler.run_job(cal, job), 4)) == len(events) * len(people)
    assert Notification.select().count() == len(events) * len(people)


def test_a_series_from_another_zone_reminds_at_its_own_hour_after_daylight_saving(cal, make_user, frozen_clock):
    """09:00 New York every Monday: 14:00 UTC in winter, 13:00 UTC once New York moves its clocks (8 March
    2026), wherever the organisation is; expanded in the organisation's zone it would remind an hour late."""
    alice = make_user("alice")
    make_event(alice, "NY standup", start=dt.datetime(2026, 3, 2, 14, 0), rrule="FREQ=WEEKLY;COUNT=3",
               timezone="America/New_York", reminder_minutes=15)
    frozen_clock(dt.datetime(2026, 3, 9, 12, 50))
    assert send_reminders() == 1
    frozen_clock(dt.datetime(2026, 3, 9, 13, 50))
    assert send_reminders() == 0
    assert [n.key.split(":")[2] for n in Notification.select()] == ["20260309T1300"]
