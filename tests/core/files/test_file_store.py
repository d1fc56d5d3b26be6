"""The file store (issue 16, item 16): files of an older UPLOAD_FOLDER move into the database with
``zhixin files import``; the migration makes the tables on an older database; the size limit still holds
while a file is streamed in."""
import io
import os

from core.db import db
from core.models import Document, Organisation, StoredFile, StoredFileChunk
from core.filestore import CHUNK_BYTES
from tests.core.test_admin import png_bytes
from tests.migrations import run_steps

PDF = b"%PDF-1.4\n" + b"0123456789abcdef" * (CHUNK_BYTES // 8) + b"\n%%EOF\n"  # two and a bit chunks


def _old_upload_folder(root, owner):
    """What an older version left: documents/<stored name> and a logo file, named by the records."""
    (root / "documents").mkdir(parents=True)
    (root / "documents" / "0123456789abcdef0123456789abcdef").write_bytes(PDF)
    (root / "logo-00ff00ff00ff00ff.png").write_bytes(png_bytes())
    (root / "documents" / "fedcba9876543210fedcba9876543210").write_bytes(b"a file no record names")
    Organisation.update(logo="logo-00ff00ff00ff00ff.png").execute()
    return Document.create(title="旧合同", filename="旧合同.pdf", stored_name="0123456789abcdef0123456789abcdef",
                           size=len(PDF), content_type="application/pdf", owner=owner, created_by=owner)


def test_files_import_moves_an_older_upload_folder_into_the_database(make_app, make_user, login, zhixin, tmp_path):
    app = make_app()
    with app.app_context():
        owner = make_user("sally")
        document = _old_upload_folder(tmp_path / "uploads", owner)
    result = zhixin(["files", "import"], ZHIXIN_UPLOAD_FOLDER=str(tmp_path / "uploads"))
    assert result.exit_code == 0, result.output
    assert "Moved 2 files into the database." in result.output
    assert "1 files under" in result.output and "belong to no record" in result.output
    assert sorted(os.listdir(tmp_path / "uploads" / "documents")) == ["fedcba9876543210fedcba9876543210"]
    assert not (tmp_path / "uploads" / "logo-00ff00ff00ff00ff.png").exists()
    with app.app_context():
        client = login(app.test_client(), owner)
        assert client.get(f"/records/document/{document.id}/download").data == PDF
        assert client.get("/admin/logo").data == png_bytes()
    again = zhixin(["files", "import"], ZHIXIN_UPLOAD_FOLDER=str(tmp_path / "uploads"))
    assert "Moved 0 files into the database." in again.output


def test_backup_warns_about_files_left_in_the_upload_folder(make_app, make_user, zhixin, tmp_path):
    app = make_app()
    with app.app_context():
        _old_upload_folder(tmp_path / "uploads", make_user("sally"))
    result = zhixin(["backup", str(tmp_path / "b.zip")], ZHIXIN_UPLOAD_FOLDER=str(tmp_path / "uploads"))
    assert result.exit_code == 0 and "run zhixin files import first" in result.output


def test_an_oversized_upload_leaves_no_chunk_behind(make_app, make_user, login):
    app = make_app(MAX_UPLOAD_BYTES=CHUNK_BYTES + 10)
    with app.app_context():
        client = login(app.test_client(), make_user("sally"))
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        response = client.post("/records/document/new", data={"title": "大", "file": (io.BytesIO(PDF), "a.pdf")},
                               content_type="multipart/form-data")
        assert response.status_code == 400 and "larger than" in response.get_data(as_text=True)
        assert StoredFile.select().count() == 0 and StoredFileChunk.select().count() == 0


def test_the_migration_adds_the_file_tables_to_an_older_database(make_app, make_user, login):
    app = make_app()
    with app.app_context():
        run_steps("core.migrations.0010_stored_file", "down")
        assert not {"stored_file", "stored_file_chunk"} & set(db.get_tables())
        run_steps("core.migrations.0010_stored_file", "up")
        client = login(app.test_client(), make_user("sally"))
        assert client.post("/records/document/new", data={"title": "合同", "file": (io.BytesIO(PDF), "a.pdf")},
                           content_type="multipart/form-data").status_code == 302
        assert client.get(f"/records/document/{Document.get().id}/download").data == PDF
        assert [c.seq for c in StoredFileChunk.select().order_by(StoredFileChunk.seq)] == [0, 1, 2]
