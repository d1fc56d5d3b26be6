"""Helpers for the service plugin's tests: items created through the plugin's own service layer."""
import datetime as dt

import pytest

from plugins.service import services
from plugins.service.models import ITEM_MODELS


@pytest.fixture
def app(make_app):
    """The app with only the service plugin (other plugins' pages are their engineers' business)."""
    app = make_app(plugins=["service"])
    with app.app_context():
        yield app


@pytest.fixture
def make_item():
    """``make_item(kind, owner, **fields)`` creates an item as ``owner`` (or ``by=user``) through the service."""
    def factory(kind="feedback", owner=None, by=None, **fields):
        fields.setdefault("subject", f"{kind} item")
        item = ITEM_MODELS[kind](owner=owner.id if owner else None, **fields)
        services.create(kind, item, by or owner)
        return ITEM_MODELS[kind].get_by_id(item.id)
    return factory


@pytest.fixture
def team(positions, make_user):
    """Users around the Sales A position: its holder, a peer, the department head above, the class lead
    above that, an outsider in Sales B, and the administrator."""
    return {
        "owner": make_user("owner", positions["sales_a"]),
        "peer": make_user("peer", positions["sales_a"]),
        "boss": make_user("boss", positions["dept_a"]),
        "lead": make_user("lead", positions["class_a"]),
        "outsider": make_user("outsider", positions["sales_b"]),
        "admin": make_user("admin", admin=True),
    }


def utc(*args):
    return dt.datetime(*args)
