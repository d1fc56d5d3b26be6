"""The clock reads the organisation's time zone without importing the models: core.models hands it the
profile's zone, so "today" turns at the organisation's midnight."""
import datetime as dt

import pytest

from core import clock
from core.db import db
from core.models import Organisation


@pytest.fixture
def app(make_app):
    app = make_app(plugins=[])
    with app.test_request_context(), db.connection_context():
        yield app
    clock.freeze(None)


def set_zone(name):
    Organisation.update(timezone=name).where(Organisation.id == 1).execute()


@pytest.mark.parametrize("zone,expected", [
    ("Asia/Shanghai", dt.date(2027, 1, 1)),     # 31 Dec 16:30 UTC is 00:30 on 1 Jan in Shanghai
    ("America/New_York", dt.date(2026, 12, 31)),
    ("UTC", dt.date(2026, 12, 31)),
])
def test_today_is_the_date_in_the_organisations_time_zone(app, zone, expected):
    set_zone(zone)
    clock.freeze(dt.datetime(2026, 12, 31, 16, 30))
    assert clock.org_timezone().key == zone
    assert clock.today() == expected


def test_an_unknown_time_zone_falls_back_to_utc(app):
    set_zone("Mars/Olympus")
    clock.freeze(dt.datetime(2026, 12, 31, 16, 30))
    assert clock.org_timezone().key == "UTC" and clock.today() == dt.date(2026, 12, 31)


def test_a_typed_local_time_is_stored_as_utc_in_the_organisations_zone(app):
    set_zone("Asia/Shanghai")
    assert clock.to_utc(dt.datetime(2027, 1, 1, 8, 0)) == dt.datetime(2027, 1, 1, 0, 0)
