"""Every record view goes through core.access: for each core type, an outsider and a same-position peer
(private mode) get 404 and see no row in list, search or export; the superior reads and writes."""
import datetime as dt

import pytest

from core.models import Account, Competitor, Contact, Document, Lead, Opportunity
from tests.core.records.conftest import set_sharing, stage

SECRET = "机密记录甲"


def _make(type_name, owner):
    if type_name == "account":
        return Account.create(name=SECRET, owner=owner)
    if type_name == "contact":
        return Contact.create(last_name=SECRET, owner=owner)
    if type_name == "lead":
        return Lead.create(last_name=SECRET, owner=owner)
    if type_name == "opportunity":
        return Opportunity.create(name=SECRET, owner=owner, stage=stage("Proposal"), close_date=dt.date(2026, 6, 1))
    if type_name == "document":
        return Document.create(title=SECRET, owner=owner, filename="x.pdf", stored_name="0" * 32)
    return Competitor.create(name=SECRET, owner=owner)


FAMILY = {"account": "account", "contact": "account", "lead": "lead", "opportunity": "opportunity",
          "document": "document", "competitor": "competitor"}
TYPES = list(FAMILY)


@pytest.mark.parametrize("type_name", TYPES)
@pytest.mark.parametrize("who", ["outsider", "peer"])
def test_others_get_404_and_see_no_row(school, as_user, type_name, who):
    set_sharing(FAMILY[type_name], "private")
    record = _make(type_name, school["owner"])
    client = as_user(school[who])
    base = f"/records/{type_name}"
    for url in (f"{base}/{record.id}", f"{base}/{record.id}/edit", f"{base}/{record.id}/delete"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"{base}/{record.id}/delete").status_code == 404
    for url in (f"{base}/", f"{base}/?q={SECRET}"):
        assert f'data-id="{record.id}"' not in client.get(url).get_data(as_text=True), url
    for url in (f"{base}/export.csv", f"{base}/export.csv?q={SECRET}"):
        assert SECRET not in client.get(url).get_data(as_text=True), url
    if type_name == "document":
        assert client.get(f"{base}/{record.id}/download").status_code == 404
    if type_name == "lead":
        assert client.get(f"{base}/{record.id}/convert").status_code == 404
    if type_name == "opportunity":
        assert client.post(f"{base}/{record.id}/lines", data={"quantity": "1"}).status_code == 404
    assert type(record).select().where(type(record).id == record.id).exists()


@pytest.mark.parametrize("type_name", TYPES)
def test_owner_and_superior_see_the_row_everywhere(school, as_user, type_name):
    set_sharing(FAMILY[type_name], "private")
    record = _make(type_name, school["owner"])
    for who in ("owner", "boss", "admin"):
        client = as_user(school[who])
        base = f"/records/{type_name}"
        assert client.get(f"{base}/{record.id}").status_code == 200, who
        assert client.get(f"{base}/{record.id}/edit").status_code == 200, who
        assert client.get(f"{base}/{record.id}/delete").status_code == 200, who
        assert SECRET in client.get(f"{base}/?q={SECRET}").get_data(as_text=True), who
        assert SECRET in client.get(f"{base}/export.csv").get_data(as_text=True), who


@pytest.mark.parametrize("type_name", TYPES)
def test_subordinate_does_not_see_the_superiors_records(school, as_user, type_name):
    set_sharing(FAMILY[type_name], "private")
    record = _make(type_name, school["boss"])
    client = as_user(school["owner"])
    assert client.get(f"/records/{type_name}/{record.id}").status_code == 404
    assert f'data-id="{record.id}"' not in client.get(f"/records/{type_name}/").get_data(as_text=True)


def test_public_read_write_lets_a_peer_edit_but_not_delete(school, as_user):
    set_sharing("lead", "readwrite")
    record = _make("lead", school["owner"])
    client = as_user(school["peer"])
    assert client.post(f"/records/lead/{record.id}/edit", data={"last_name": "改过", "status": "new"}).status_code == 302
    assert client.get(f"/records/lead/{record.id}/delete").status_code == 403
    set_sharing("lead", "readwritedelete")
    assert client.post(f"/records/lead/{record.id}/delete").status_code == 302
