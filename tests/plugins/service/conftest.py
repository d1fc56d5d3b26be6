"""Helpers for the service plugin's tests: items created through the plugin's own service layer."""
import datetime as dt
import re

import pytest

from plugins.service import services
from plugins.service.models import ITEM_MODELS


@pytest.fixture
def app(make_app):
    """The app with only the service plugin (other plugins' pages are their engineers' business)."""
    app = make_app(plugins=["service"])
    with app.test_request_context():      # report labels are translated, which needs a request
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
def team(make_school):
    """The shared school around the Sales A position: its holder, a peer, the department head above and the
    other holder of that position (deputy), the class lead above that, an outsider in Sales B, and the
    administrator (no user language)."""
    s = make_school(language="")
    return {"owner": s["alice"], "peer": s["bob"], "boss": s["manager_a"], "deputy": s["deputy_a"],
            "lead": s["lead_a"], "outsider": s["carol"], "admin": s["admin"]}


def utc(*args):
    return dt.datetime(*args)


def solve_challenge(client, url="/service/public"):
    """Open the public form and answer its arithmetic question, as a person would: the form's fields
    ``challenge`` (the token of this rendering) and ``answer``."""
    html = client.get(url).get_data(as_text=True)
    match = re.search(r'data-question="(\d+) \+ (\d+)"', html)
    token = re.search(r'name="challenge" type="hidden" value="([^"]+)"', html)
    assert match and token, "the public form asks no question"
    return {"challenge": token.group(1), "answer": str(int(match.group(1)) + int(match.group(2)))}


def public_post(client, answer=None, **fields):
    """Post the public form, answering its question (``answer``: the text to give instead, or a function of
    the right answer, e.g. a wrong one)."""
    data = {"kind": "feedback", "category": "other", "name": "Li Lei", "email": "li.lei@example.com",
            "phone": "", "subject": "The parcel came late", "message": "Two days late.", "website": ""}
    data.update(fields)
    data.update(solve_challenge(client))
    if answer is not None:
        data["answer"] = answer(data["answer"]) if callable(answer) else answer
    return client.post("/service/public", data=data)


def set_rule(position=None, default_owner=None, limit=None):
    from plugins.service.models import ServiceSettings
    values = {"assign_position": position.id if position else None,
              "default_owner": default_owner.id if default_owner else None}
    if limit is not None:
        values["public_limit"] = limit
    ServiceSettings.update(**values).where(ServiceSettings.id == 1).execute()
