"""A service item's timeline starts when the customer's message was received, not when it was typed in."""
import datetime as dt

from flask_babel import format_datetime

from tests.plugins.reports.html import parse


def test_timeline_shows_the_received_time_of_an_item_entered_later(app, team, make_item, login, frozen_clock):
    frozen_clock(dt.datetime(2026, 5, 15, 2, 0))
    received = dt.datetime(2026, 5, 10, 1, 30)           # five days before it was entered
    item = make_item("feedback", team["owner"], received_at=received)
    client = login(app.test_client(), team["owner"])
    html = client.get(f"/service/feedback/{item.id}").get_data(as_text=True)
    table = next(t for t in parse(html).tables if "data-timeline" in t["attrs"])
    created = next(r for r in table["body"] if r["attrs"].get("data-event") == "created")
    with app.test_request_context(headers={"Accept-Language": "en"}):
        expected = format_datetime(received, "short")
    assert created["cells"][0] == " ".join(expected.split())
