"""Calendar test helpers: an app with the calendar alone, users in the small school, events made quickly."""
import datetime as dt

import pytest

from core.models import SharingMode
from core.records import service as records


@pytest.fixture
def cal(make_app):
    app = make_app(plugins=["calendar"])
    with app.app_context():
        yield app


@pytest.fixture
def client(cal):
    return cal.test_client()


@pytest.fixture
def school(cal, make_school):
    """The shared school seen from Sales A, in English: owner and peer share Sales A; lead heads Dept A
    (above both); outsider in Sales B; admin."""
    s = make_school()
    return {"owner": s["alice"], "peer": s["bob"], "lead": s["manager_a"], "outsider": s["carol"],
            "admin": s["admin"]}


def set_mode(mode):
    if SharingMode.select().where(SharingMode.family == "calendar").exists():
        SharingMode.update(mode=mode).where(SharingMode.family == "calendar").execute()
    else:
        SharingMode.create(family="calendar", mode=mode)


def make_event(user, subject="Meeting", start=dt.datetime(2026, 5, 18, 1, 0), hours=1, **fields):
    from plugins.calendar.models import CalendarEvent
    event = CalendarEvent(owner=user.id, subject=subject, start=start, end=start + dt.timedelta(hours=hours),
                          uid=f"test-{subject}-{start:%Y%m%d%H%M}@zhixin", **fields)
    records.save("calendar_event", event, user)
    return event


def make_task(user, subject="Call back", due=dt.date(2026, 5, 15), **fields):
    from plugins.calendar.models import CalendarTask
    task = CalendarTask(owner=user.id, subject=subject, due_date=due, **fields)
    records.save("calendar_task", task, user)
    return task


@pytest.fixture
def make_user(make_user):
    """Core's ``make_user``, with English as the language unless a test asks for another (assertions read
    English text; the Chinese pages are checked in test_smoke_pages)."""
    def factory(username, position=None, admin=False, **fields):
        fields.setdefault("language", "en")
        return make_user(username, position=position, admin=admin, **fields)
    return factory
