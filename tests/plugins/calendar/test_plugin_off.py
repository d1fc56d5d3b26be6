"""Disabled means absent: no menu, routes 404, no jobs, no widget, no hook output — and the app works."""
from core import scheduler


def test_app_works_without_the_calendar(make_app, make_user, login):
    app = make_app(plugins=[])
    with app.app_context():
        user = make_user("alice")
        client = app.test_client()
        login(client, user)
        home = client.get("/")
        assert home.status_code == 200
        text = home.get_data(as_text=True)
        assert 'data-menu="calendar"' not in text and 'data-widget="calendar"' not in text
        for url in ("/calendar/", "/calendar/today", "/calendar/tasks/", "/calendar/feed/x.ics",
                    "/calendar/static/calendar.js"):
            assert client.get(url).status_code == 404, url
        assert not [j for j in scheduler.all_jobs(app) if j.id.startswith("calendar.")]
        assert "calendar_event" not in app.extensions["zhixin_record_types"]
        assert app.extensions["zhixin_plugins"].hook.zhixin_calendar_items(user=user, start=None, end=None,
                                                                       owners=None) == []


def test_calendar_on_shows_menu_and_widget(make_app, make_user, login):
    app = make_app(plugins=["calendar"])
    with app.app_context():
        client = app.test_client()
        login(client, make_user("alice"))
        text = client.get("/").get_data(as_text=True)
        assert 'data-menu="calendar"' in text and 'data-menu="calendar-today"' in text
        assert 'data-widget="calendar"' in text
        assert client.get("/calendar/static/calendar.js").status_code == 200
