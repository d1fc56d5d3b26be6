"""Tasks through HTTP: create with due date and time, assign within one's own team, list filters."""
import datetime as dt

from core.models import Notification
from plugins.calendar.models import CalendarTask
from tests.plugins.calendar.conftest import make_task

FORM = {"subject": "Send the quote", "due_date": "2026-05-20", "due_time": "17:30", "priority": "high",
        "status": "not_started", "related_type": "", "description": ""}


def test_create_and_assign_to_a_subordinate_but_not_a_peer(client, login, make_user, positions, frozen_clock):
    lead = make_user("lead", position=positions["dept_a"])
    junior = make_user("junior", position=positions["sales_a"])
    peer = make_user("peer", position=positions["dept_a"])
    login(client, lead)
    response = client.post("/calendar/tasks/new", data=dict(FORM, owner=str(junior.id)))
    assert response.status_code == 302
    task = CalendarTask.get()
    assert (task.owner_id, task.due_time, task.priority) == (junior.id, dt.time(17, 30), "high")
    note = Notification.get(Notification.user == junior.id)  # the assignee hears of it
    assert "Send the quote" in note.title and note.link == f"/calendar/tasks/{task.id}"
    page = client.post("/calendar/tasks/new", data=dict(FORM, owner=str(peer.id))).get_data(as_text=True)
    assert "You may assign tasks to yourself and to the people below you." in page
    assert CalendarTask.select().count() == 1
    assert client.post("/calendar/tasks/new", data=dict(FORM, owner=str(lead.id), subject="")).status_code == 200
    login(client, junior)
    assert "Send the quote" in client.get("/calendar/tasks/").get_data(as_text=True)


def test_task_list_filters_and_sorts(client, login, make_user, frozen_clock):
    user = make_user("alice")
    login(client, user)
    make_task(user, "Alpha", due=dt.date(2026, 5, 20))
    make_task(user, "Bravo", due=dt.date(2026, 5, 10))
    make_task(user, "Charlie", due=dt.date(2026, 5, 1), status="completed")
    page = client.get("/calendar/tasks/").get_data(as_text=True)
    assert page.index("Bravo") < page.index("Alpha") and "Charlie" not in page
    assert 'class="overdue"' in page
    page = client.get("/calendar/tasks/?status=all&sort=-due").get_data(as_text=True)
    assert page.index("Alpha") < page.index("Bravo") < page.index("Charlie")
    page = client.get("/calendar/tasks/?status=all&q=arl").get_data(as_text=True)
    assert "Charlie" in page and "Alpha" not in page


def test_edit_and_delete_a_task(client, login, make_user, frozen_clock):
    user = make_user("alice")
    login(client, user)
    task = make_task(user, "Old subject")
    client.post(f"/calendar/tasks/{task.id}/edit", data=dict(FORM, subject="New subject", status="completed",
                                                            owner=str(user.id)))
    task = CalendarTask.get_by_id(task.id)
    assert task.subject == "New subject" and task.completed_at is not None
    client.post(f"/calendar/tasks/{task.id}/delete")
    assert CalendarTask.select().count() == 0


def test_sorting_by_priority_puts_high_first(client, login, make_user, frozen_clock):
    user = make_user("alice")
    login(client, user)
    make_task(user, "Lowly", priority="low")
    make_task(user, "Urgent", priority="high")
    make_task(user, "Usual", priority="normal")
    page = client.get("/calendar/tasks/?sort=priority").get_data(as_text=True)
    assert page.index("Urgent") < page.index("Usual") < page.index("Lowly")
    page = client.get("/calendar/tasks/?sort=-priority").get_data(as_text=True)
    assert page.index("Lowly") < page.index("Usual") < page.index("Urgent")
