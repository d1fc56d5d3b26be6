"""Documents: upload checks (size, extension and content), random storage names, guarded download, links."""
import io
import os

from core.models import Document, StoredFile, StoredFileChunk
from tests.core.records.conftest import make_account

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def _upload(client, filename, content, **form):
    data = {"title": form.pop("title", "报价单"), "file": (io.BytesIO(content), filename)}
    data.update(form)
    return client.post("/records/document/new", data=data, content_type="multipart/form-data")


def test_upload_stores_under_a_random_name_and_downloads_as_attachment(school, as_user, app):
    client = as_user(school["owner"])
    r = _upload(client, "../../etc/报价 单.pdf", PDF, folder="合同")
    assert r.status_code == 302, r.get_data(as_text=True)[-1500:]
    doc = Document.get()
    assert doc.filename == "报价 单.pdf" and doc.size == len(PDF) and doc.content_type == "application/pdf"
    assert doc.stored_name != doc.filename and "/" not in doc.stored_name and len(doc.stored_name) == 32
    assert StoredFile.get(StoredFile.name == doc.stored_name).size == len(PDF)
    assert not os.path.exists(os.path.join(app.config["UPLOAD_FOLDER"], "documents"))  # in the database only
    dl = client.get(f"/records/document/{doc.id}/download")
    assert dl.status_code == 200 and dl.data == PDF
    assert dl.headers["Content-Disposition"].startswith("attachment")
    html = client.get(f"/records/document/{doc.id}").get_data(as_text=True)
    assert f"/records/document/{doc.id}/download" in html


def test_oversize_and_wrong_types_are_refused(school, as_user, make_app, login):
    client = as_user(school["owner"])
    for filename, content in (("x.exe", b"MZ\x90\x00"), ("fake.pdf", b"MZ not a pdf"), ("n.txt", b"a\x00b"),
                              ("img.png", PDF), ("empty.pdf", b""), ("noext", PDF)):
        r = _upload(client, filename, content)
        assert r.status_code == 400, filename
    assert Document.select().count() == 0
    for filename, content in (("a.txt", "纯文本".encode()), ("b.csv", b"a,b\n1,2\n"),
                              ("c.png", b"\x89PNG\r\n\x1a\n...."), ("d.docx", b"PK\x03\x04....")):
        assert _upload(client, filename, content, title=filename).status_code == 302, filename
    assert Document.select().count() == 4


def test_oversize_upload_is_refused_with_a_reason(make_app, make_user, login):
    app = make_app(MAX_UPLOAD_BYTES=100)
    with app.app_context():
        client = login(app.test_client(), make_user("u1"))
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        r = _upload(client, "big.pdf", PDF + b"x" * 200)
        assert r.status_code == 400 and "larger than" in r.get_data(as_text=True)
        assert Document.select().count() == 0


def test_outsider_cannot_open_or_download(school, as_user):
    _upload(as_user(school["owner"]), "a.pdf", PDF)
    doc = Document.get()
    outsider = as_user(school["outsider"])
    assert outsider.get(f"/records/document/{doc.id}/download").status_code == 404
    assert outsider.get(f"/records/document/{doc.id}").status_code == 404
    assert as_user(school["boss"]).get(f"/records/document/{doc.id}/download").status_code == 200


def test_linked_record_must_be_visible(school, as_user):
    mine = make_account(school["owner"], name="我的客户")
    hidden = make_account(school["outsider"], name="别人的客户")
    client = as_user(school["owner"])
    r = _upload(client, "a.pdf", PDF, related_type="account", related_id=str(hidden.id))
    assert r.status_code == 400 and Document.select().count() == 0
    r = _upload(client, "a.pdf", PDF, related_type="account", related_id=str(mine.id))
    assert r.status_code == 302
    html = client.get(f"/records/account/{mine.id}").get_data(as_text=True)
    assert 'data-related="documents"' in html and "a.pdf" in html
    doc = Document.get()
    assert "我的客户" in client.get(f"/records/document/{doc.id}").get_data(as_text=True)


def test_edit_without_a_new_file_keeps_it_and_delete_removes_it(school, as_user, app):
    client = as_user(school["owner"])
    _upload(client, "a.pdf", PDF)
    doc = Document.get()
    r = client.post(f"/records/document/{doc.id}/edit", data={"title": "新标题"}, content_type="multipart/form-data")
    assert r.status_code == 302
    assert Document.get_by_id(doc.id).stored_name == doc.stored_name
    assert client.post(f"/records/document/{doc.id}/delete").status_code == 302
    assert StoredFile.select().count() == 0 and StoredFileChunk.select().count() == 0
