"""Quotes, orders and invoices follow core's rule through HTTP from every side (tests/core/access: owner, superiors,
peer, subordinate, another class, the administrator, and a user with no position) under each sharing mode of the
``sales`` family: list, CSV export, detail, header form, lines, status actions. Documents are never deleted. A
conversion keeps the owner and needs write access to the source."""
import pytest

from core.hierarchy.sharing import set_mode
from plugins.sales import services
from plugins.sales.models import DOCUMENTS, Quote, SalesOrder
from tests.core.access.helpers import expected, sides_of

MODES = ("private", "read", "readwrite", "readwritedelete")
KINDS = ("quote", "sales_order", "invoice")


@pytest.fixture
def sides(school, as_user):
    users = dict(sides_of(school), nobody=school["outsider"])
    return users, {side: as_user(user) for side, user in users.items()}


def status_for(side, mode, action):
    if not expected(side, mode, "read"):
        return 404
    return 200 if expected(side, mode, action) else 403


def _document(kind, owner):
    return services.create(kind, DOCUMENTS[kind](owner=owner.id, notes="Marker4711"), owner)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("kind", KINDS)
def test_every_side_gets_what_the_rule_gives(sides, kind, mode):
    users, clients = sides
    document = _document(kind, users["owner"])
    set_mode("sales", mode)
    first_action = {"quote": "send", "sales_order": "deliver", "invoice": "issue"}[kind]
    wrong = []
    for side, client in clients.items():
        can_read = expected(side, mode, "read")
        listed = document.number in client.get(f"/records/{kind}/").get_data(as_text=True)
        exported = document.number in client.get(f"/records/{kind}/export.csv").get_data(as_text=True)
        for what, got, want in (("list", listed, can_read), ("export", exported, can_read),
                                ("detail", client.get(f"/records/{kind}/{document.id}").status_code,
                                 status_for(side, mode, "read")),
                                ("edit", client.get(f"/records/{kind}/{document.id}/edit").status_code,
                                 status_for(side, mode, "write")),
                                ("lines", client.get(f"/sales/{kind}/{document.id}/lines").status_code,
                                 status_for(side, mode, "write")),
                                ("action", client.get(f"/sales/{kind}/{document.id}/do/{first_action}").status_code,
                                 status_for(side, mode, "write")),
                                ("delete", client.get(f"/records/{kind}/{document.id}/delete").status_code,
                                 404 if not can_read else 403)):
            if got != want:
                wrong.append((side, what, got))
    assert wrong == []


def test_a_superior_converts_and_the_owner_stays(sides):
    users, clients = sides
    owner = users["owner"]
    quote = _document("quote", owner)
    set_mode("sales", "private")
    for action in ("send", "accept", "order"):
        assert clients["superior"].post(f"/sales/quote/{quote.id}/do/{action}").status_code == 302
    order = SalesOrder.get(SalesOrder.quote == quote.id)
    assert order.owner_id == owner.id and order.created_by_id == users["superior"].id


@pytest.mark.parametrize("mode,answer", [("private", 404), ("read", 403)])
def test_who_may_only_read_a_quote_cannot_convert_it(sides, mode, answer):
    users, clients = sides
    quote = _document("quote", users["owner"])
    services.change_status("quote", quote, "sent", users["owner"])
    services.change_status("quote", quote, "accepted", users["owner"])
    set_mode("sales", mode)
    for action in ("order", "invoice", "revise"):
        assert clients["peer"].post(f"/sales/quote/{quote.id}/do/{action}").status_code == answer
    assert not SalesOrder.select().exists() and Quote.select().count() == 1


def test_a_sent_quote_keeps_its_content_but_gets_a_linked_revision(sides):
    users, clients = sides
    owner = clients["owner"]
    quote = _document("quote", users["owner"])
    owner.post(f"/sales/quote/{quote.id}/do/send")
    assert owner.get(f"/sales/quote/{quote.id}/lines").status_code == 409
    refused = owner.post(f"/records/quote/{quote.id}/edit", data={"shipping": "10", "discount": "0"})
    assert refused.status_code == 400 and Quote.get_by_id(quote.id).shipping == 0
    assert owner.post(f"/sales/quote/{quote.id}/do/revise").status_code == 302
    new = Quote.get(Quote.previous == quote.id)
    assert (new.number, new.revision, new.status) == (quote.number, 2, "draft")
    assert Quote.get_by_id(quote.id).status == "sent"
    assert owner.post(f"/sales/quote/{quote.id}/do/revise").status_code == 409  # one newer revision only
