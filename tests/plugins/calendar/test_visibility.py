"""Who sees whose calendar — through HTTP, from every side, in every sharing mode; private events as busy."""
import datetime as dt

import pytest

from plugins.calendar.models import CalendarEvent, CalendarTask
from tests.plugins.calendar.conftest import make_event, make_task, set_mode

MODES = ["private", "read", "readwrite", "readwritedelete"]


@pytest.fixture
def people(cal, positions, make_user):
    return {
        "owner": make_user("owner", position=positions["dept_a"]),
        "peer": make_user("peer", position=positions["dept_a"]),
        "superior": make_user("superior", position=positions["class_a"]),
        "subordinate": make_user("subordinate", position=positions["sales_a"]),
        "outsider": make_user("outsider", position=positions["dept_b"]),
        "admin": make_user("admin", admin=True),
    }


def expected(side, mode):
    """(read, write, delete) per core's rule."""
    if side in ("owner", "superior", "admin"):
        return True, True, True
    return mode != "private", mode in ("readwrite", "readwritedelete"), mode == "readwritedelete"


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("side", ["owner", "peer", "superior", "subordinate", "outsider", "admin"])
def test_event_access_from_every_side(client, login, people, frozen_clock, mode, side):
    set_mode(mode)
    event = make_event(people["owner"], "Quarterly plan", start=dt.datetime(2026, 5, 18, 1))
    login(client, people[side])
    can_read, can_write, can_delete = expected(side, mode)
    page = client.get("/calendar/?view=month&date=2026-05-01&who=all").get_data(as_text=True)
    assert ("Quarterly plan" in page) is can_read
    assert client.get(f"/calendar/events/{event.id}").status_code == (200 if can_read else 404)
    assert client.get(f"/calendar/events/{event.id}/edit").status_code == (
        200 if can_write else 403 if can_read else 404)
    moved = client.post(f"/calendar/events/{event.id}/move", data={"start": "2026-05-19T09:00"})
    assert moved.status_code == (302 if can_write else 403 if can_read else 404)
    deleted = client.post(f"/calendar/events/{event.id}/delete", data={"scope": "series"})
    assert deleted.status_code == (302 if can_delete else 403 if can_read else 404)
    assert CalendarEvent.select().exists() is not can_delete


@pytest.mark.parametrize("mode", ["private", "readwritedelete"])
@pytest.mark.parametrize("side", ["owner", "peer", "superior", "subordinate", "outsider", "admin"])
def test_task_access_from_every_side(client, login, people, frozen_clock, mode, side):
    set_mode(mode)
    task = make_task(people["owner"], "Send the quote", due=dt.date(2026, 5, 15))
    login(client, people[side])
    can_read, can_write, can_delete = expected(side, mode)
    assert ("Send the quote" in client.get("/calendar/tasks/?who=all").get_data(as_text=True)) is can_read
    assert client.get(f"/calendar/tasks/{task.id}").status_code == (200 if can_read else 404)
    done = client.post(f"/calendar/tasks/{task.id}/complete")
    assert done.status_code == (302 if can_write else 403 if can_read else 404)
    assert (CalendarTask.get_by_id(task.id).status == "completed") is can_write


@pytest.mark.parametrize("side,sees", [("owner", "details"), ("admin", "details"), ("superior", "busy"),
                                       ("peer", "busy"), ("outsider", "nothing")])
def test_private_event_shows_to_others_only_as_busy(client, login, people, frozen_clock, side, sees):
    set_mode("private" if side == "outsider" else "read")  # peers see a busy slot only through sharing
    event = make_event(people["owner"], "Doctor appointment", start=dt.datetime(2026, 5, 18, 1), private=True,
                       location="Hospital")
    login(client, people[side])
    month = client.get("/calendar/?view=month&date=2026-05-01&who=all").get_data(as_text=True)
    detail = client.get(f"/calendar/events/{event.id}")
    agenda = client.get("/calendar/?view=agenda&date=2026-05-18&who=all").get_data(as_text=True)
    if sees == "details":
        assert "Doctor appointment" in month and "Hospital" in agenda
        assert "Doctor appointment" in detail.get_data(as_text=True)
    elif sees == "busy":
        for text in (month, agenda, detail.get_data(as_text=True)):
            assert "Doctor appointment" not in text and "Hospital" not in text
        assert "Busy" in month and f'data-event="{event.id}"' in month
        assert detail.status_code == 200
        assert client.get(f"/calendar/events/{event.id}/edit").status_code == 403  # busy is never changeable
    else:
        assert "Doctor appointment" not in month and "Busy" not in month and detail.status_code == 404


def test_private_event_hidden_from_other_plugins_and_generic_pages(client, login, people, frozen_clock, cal):
    """Outside the calendar's pages, someone else's private event is not listed at all."""
    from core import access
    from flask import g
    set_mode("read")
    make_event(people["owner"], "Doctor appointment", private=True)
    make_event(people["owner"], "Team lunch")
    with cal.test_request_context("/somewhere-else"):
        g.pop("sharing_modes", None)
        rows = access.visible(CalendarEvent.select(), people["peer"], "calendar_event")
        assert [e.subject for e in rows] == ["Team lunch"]
    with cal.test_request_context("/records/calendar_event/"):
        rows = access.visible(CalendarEvent.select(), people["admin"], "calendar_event")
        assert len(list(rows)) == 2


def test_leader_picks_team_or_one_subordinate_with_colours(client, login, people, frozen_clock):
    make_event(people["owner"], "Owner's meeting")
    make_event(people["subordinate"], "Junior's call")
    make_event(people["superior"], "Leader's review")
    login(client, people["superior"])
    page = client.get("/calendar/").get_data(as_text=True)
    assert 'value="team"' in page and f'value="{people["subordinate"].id}"' in page
    mine = client.get("/calendar/?date=2026-05-01").get_data(as_text=True)
    assert "Leader&#39;s review" in mine and "Owner&#39;s meeting" not in mine
    team = client.get("/calendar/?date=2026-05-01&who=team").get_data(as_text=True)
    assert all(s in team for s in ("Leader&#39;s review", "Owner&#39;s meeting", "Junior&#39;s call"))
    one = client.get(f"/calendar/?date=2026-05-01&who={people['subordinate'].id}").get_data(as_text=True)
    assert "Junior&#39;s call" in one and "Owner&#39;s meeting" not in one
    assert 'class="cal-legend"' in team  # colour per person
    # a subordinate cannot pick the leader's calendar into view
    login(client, people["subordinate"])
    sneaky = client.get(f"/calendar/?date=2026-05-01&who={people['superior'].id}").get_data(as_text=True)
    assert "Leader&#39;s review" not in sneaky


def test_a_large_team_picks_one_person_by_user_name_not_from_a_thousand_options(client, login, people, positions,
                                                                                 make_user, frozen_clock):
    """Beyond OWNER_SELECT_LIMIT people below, the calendar and the task list offer the type-ahead (a user name)
    instead of one option per person; a name outside the viewer's team is refused (404), not shown."""
    from core.db import db
    from core.records.lookups import OWNER_SELECT_LIMIT
    with db.atomic():
        for i in range(OWNER_SELECT_LIMIT + 1):
            make_user(f"junior{i:02d}", position=positions["sales_a"])
    make_event(people["subordinate"], "Junior's call")
    make_event(people["outsider"], "Elsewhere")
    login(client, people["superior"])
    page = client.get("/calendar/").get_data(as_text=True)
    assert 'name="who_name"' in page and 'value="team"' in page
    assert "junior00" not in page and f'value="{people["subordinate"].id}"' not in page
    one = client.get("/calendar/?date=2026-05-01&who_name=subordinate").get_data(as_text=True)
    assert "Junior&#39;s call" in one
    assert f'<option value="{people["subordinate"].id}" selected>' in one  # the person shown stays named
    assert client.get("/calendar/?who_name=outsider").status_code == 404
    assert client.get("/calendar/?who_name=nobody-at-all").status_code == 404
    tasks = client.get("/calendar/tasks/?who_name=subordinate").get_data(as_text=True)
    assert 'name="who_name"' in tasks
    login(client, people["subordinate"])  # a small team (nobody below): the plain select, no type-ahead
    small = client.get("/calendar/").get_data(as_text=True)
    assert 'name="who_name"' not in small and 'value="team"' not in small
