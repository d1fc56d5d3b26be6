"""Replacing a document's file (issue 16, item 13): the new file is stored and the old one removed in the same
transaction as the record, so a save that fails keeps the document and its old file as they were."""
import io

import pytest

from core.models import Document
from tests.core.records import sample_plugin

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
NEW_PDF = PDF.replace(b"1.4", b"1.7") + b"% the new version\n"


@pytest.fixture
def refusing_app(make_app):
    """The record test plugin, whose saving hook refuses the record types put in its ``refuse`` set."""
    app = make_app(plugins=["recordtest"], extra_plugins=[sample_plugin])
    with app.app_context():
        yield app
    sample_plugin.STATE["refuse"] = set()


def _post(client, url, content, filename="a.pdf", title="报价单"):
    return client.post(url, data={"title": title, "file": (io.BytesIO(content), filename)},
                       content_type="multipart/form-data")


def test_a_refused_replacement_keeps_the_old_file_downloadable(refusing_app, make_user, login):
    client = login(refusing_app.test_client(), make_user("sally"))
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert _post(client, "/records/document/new", PDF).status_code == 302
    doc_id = Document.get().id
    sample_plugin.STATE["refuse"] = {"document"}
    refused = _post(client, f"/records/document/{doc_id}/edit", NEW_PDF, "b.pdf", title="新版")
    assert refused.status_code == 400 and "document refused by the test plugin" in refused.get_data(as_text=True)
    download = client.get(f"/records/document/{doc_id}/download")
    assert download.status_code == 200 and download.data == PDF
    assert "a.pdf" in client.get(f"/records/document/{doc_id}").get_data(as_text=True)


def test_an_accepted_replacement_serves_the_new_file(refusing_app, make_user, login):
    client = login(refusing_app.test_client(), make_user("sally"))
    assert _post(client, "/records/document/new", PDF).status_code == 302
    doc_id = Document.get().id
    assert _post(client, f"/records/document/{doc_id}/edit", NEW_PDF, "b.pdf").status_code == 302
    assert client.get(f"/records/document/{doc_id}/download").data == NEW_PDF
