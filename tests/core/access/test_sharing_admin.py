"""The sharing modes page: one setting per family (plugins' families included), audited, effective on the
next request."""
import json

from core import access
from core.models import AuditEntry, SharingMode
from core.records import registry as records
from tests.core.access.helpers import make_record


def test_the_page_lists_every_family_with_its_current_mode(app, clients):
    html = clients["admin"].get("/admin/structure/sharing").get_data(as_text=True)
    for family in records.families():
        assert f'data-family="{family}"' in html
    assert "Accounts &amp; Contacts" in html


def test_non_admins_cannot_open_it(clients):
    assert clients["peer"].get("/admin/structure/sharing").status_code == 403
    assert clients["peer"].post("/admin/structure/sharing", data={"lead": "readwritedelete"}).status_code == 403


def test_saving_changes_the_mode_audits_it_and_applies_next_request(app, school, clients):
    make_record("lead", school["owner"], "Marker4711")
    assert "Marker4711" not in clients["outsider"].get("/records/lead/").get_data(as_text=True)
    data = {family: access.mode_of(types[0]) for family, types in records.families().items()}
    data["lead"] = "read"
    response = clients["admin"].post("/admin/structure/sharing", data=data)
    assert response.status_code == 302
    assert SharingMode.get(SharingMode.family == "lead").mode == "read"
    entries = list(AuditEntry.select().where(AuditEntry.record_type == "sharing_mode"))
    assert len(entries) == 1 and json.loads(entries[0].changes) == {"lead": ["private", "read"]}
    assert entries[0].user_id == school["admin"].id
    assert "Marker4711" in clients["outsider"].get("/records/lead/").get_data(as_text=True)


def test_an_unknown_mode_is_refused(clients):
    data = {family: "private" for family in records.families()}
    data["lead"] = "everyone"
    assert clients["admin"].post("/admin/structure/sharing", data=data).status_code == 400
    assert not SharingMode.select().where(SharingMode.mode == "everyone").exists()
