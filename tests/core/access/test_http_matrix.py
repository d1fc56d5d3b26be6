"""Every side × every sharing mode × every action, through HTTP, on each core record type.

Sides: owner, superior two levels up (teacher), superior one level up (class lead), peer in the same
position, subordinate, outsider in another class, administrator. Actions: list membership, detail,
edit, delete. A record the user may not read answers 404; one they may read but not change answers 403.
"""
import pytest

from core.hierarchy.sharing import set_mode
from core.models import Opportunity
from tests.core.access.helpers import FAMILY, SIDES, expected, make_record

MODES = ("private", "read", "readwrite", "readwritedelete")
TYPES = ("account", "contact", "lead", "opportunity", "document", "competitor")
MARK = "Marker4711"


def status_for(side, mode, action):
    if not expected(side, mode, "read"):
        return 404
    return 200 if expected(side, mode, action) else 403


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("type_name", TYPES)
def test_every_side_gets_what_the_rule_gives(school, clients, type_name, mode):
    record = make_record(type_name, school["owner"], MARK)
    set_mode(FAMILY[type_name], mode)
    wrong = []
    for side in SIDES:
        client = clients[side]
        listed = MARK in client.get(f"/records/{type_name}/").get_data(as_text=True)
        if listed != expected(side, mode, "read"):
            wrong.append((side, "list", listed))
        got = client.get(f"/records/{type_name}/{record.id}").status_code
        if got != status_for(side, mode, "read"):
            wrong.append((side, "detail", got))
        for action, url in (("write", "edit"), ("delete", "delete")):
            got = client.get(f"/records/{type_name}/{record.id}/{url}").status_code
            if got != status_for(side, mode, action):
                wrong.append((side, url, got))
    assert wrong == []


@pytest.mark.parametrize("mode", MODES)
def test_quick_search_and_export_follow_the_rule(school, clients, mode):
    make_record("opportunity", school["owner"], MARK)
    set_mode("opportunity", mode)
    for side in SIDES:
        search = clients[side].get(f"/records/opportunity/?q={MARK[:8]}").get_data(as_text=True)
        export = clients[side].get("/records/opportunity/export.csv").get_data(as_text=True)
        assert (f"Opportunity {MARK}" in search) == expected(side, mode, "read"), (side, "search")
        assert (MARK in export) == expected(side, mode, "read"), (side, "export")


def test_peer_deletes_only_when_the_mode_allows_delete(school, clients):
    record = make_record("opportunity", school["owner"], MARK)
    set_mode("opportunity", "readwrite")
    assert clients["peer"].post(f"/records/opportunity/{record.id}/delete").status_code == 403
    assert Opportunity.select().where(Opportunity.id == record.id).exists()
    set_mode("opportunity", "readwritedelete")
    response = clients["peer"].post(f"/records/opportunity/{record.id}/delete")
    assert response.status_code in (302, 303)
    assert not Opportunity.select().where(Opportunity.id == record.id).exists()


def test_outsider_cannot_delete_a_private_record_by_posting(school, clients):
    record = make_record("opportunity", school["owner"], MARK)
    set_mode("opportunity", "private")
    assert clients["outsider"].post(f"/records/opportunity/{record.id}/delete").status_code == 404
    assert clients["subordinate"].post(f"/records/opportunity/{record.id}/edit",
                                       data={"name": "stolen"}).status_code == 404
    assert Opportunity.get_by_id(record.id).name == f"Opportunity {MARK}"


def test_superior_deletes_a_private_record_two_levels_down(school, clients):
    record = make_record("opportunity", school["owner"], MARK)
    set_mode("opportunity", "private")
    assert clients["superior"].post(f"/records/opportunity/{record.id}/delete").status_code in (302, 303)
    assert not Opportunity.select().where(Opportunity.id == record.id).exists()


def test_a_changed_mode_applies_on_the_next_request(school, clients):
    make_record("lead", school["owner"], MARK)
    set_mode("lead", "private")
    assert MARK not in clients["outsider"].get("/records/lead/").get_data(as_text=True)
    set_mode("lead", "read")
    assert MARK in clients["outsider"].get("/records/lead/").get_data(as_text=True)
