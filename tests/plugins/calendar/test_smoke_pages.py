"""Every calendar page renders for a logged-in user, in both languages."""
import pytest

from tests.plugins.calendar.conftest import make_event, make_task


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_page_renders(client, login, make_user, frozen_clock, lang):
    user = make_user("alice", language=lang)
    login(client, user)
    event = make_event(user, rrule="FREQ=WEEKLY;BYDAY=MO")
    task = make_task(user)
    for url in ["/calendar/", "/calendar/?view=week", "/calendar/?view=day", "/calendar/?view=agenda",
                "/calendar/?view=agenda&quarter=FY2026-Q2", "/calendar/?who=team", "/calendar/?who=all",
                "/calendar/today", "/calendar/tasks/", "/calendar/tasks/new", f"/calendar/tasks/{task.id}",
                f"/calendar/tasks/{task.id}/edit", "/calendar/events/new", f"/calendar/events/{event.id}",
                f"/calendar/events/{event.id}/edit", "/calendar/subscription", "/calendar/invitations", "/",
                "/calendar/export.ics"]:
        response = client.get(url)
        assert response.status_code == 200, (url, response.data[:2000])
