"""Instance files owner-only (issue 15, item 15): with the usual umask 022 the SQLite database with its -wal
and -shm and the secret key are created 0600, their folders 0700; uploads (logo, documents) are in the
database (issue 16, item 16)."""
import io
import os
import stat

import pytest

from core import db as db_module
from core.models import StoredFile
from tests.core.test_admin import ORG_FORM, png_bytes
from tests.core.test_cli import cli  # noqa: F401  (the CLI runner fixture on the test database)

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture(autouse=True)
def usual_umask():
    old = os.umask(0o022)
    yield
    os.umask(old)


@pytest.fixture
def upload_app(make_app, tmp_path):
    app = make_app(UPLOAD_FOLDER=str(tmp_path / "instance" / "uploads"))
    with app.app_context():
        yield app


def test_logo_and_documents_leave_no_file_on_disk(upload_app, login, make_user, tmp_path):
    """Uploads are kept in the database (core.filestore), so no upload file can be world-readable."""
    admin = make_user("admin", admin=True, language="zh")
    client = login(upload_app.test_client(), admin)
    client.post("/admin/organisation", data=dict(ORG_FORM, logo=(io.BytesIO(png_bytes()), "logo.png")),
                content_type="multipart/form-data")
    resp = client.post("/records/document/new", data={"title": "报价单", "file": (io.BytesIO(PDF), "a.pdf")},
                       content_type="multipart/form-data")
    assert resp.status_code == 302
    assert StoredFile.select().count() == 2
    assert not os.path.exists(upload_app.config["UPLOAD_FOLDER"])


def test_init_creates_an_owner_only_sqlite_database_and_secret_key(cli, database_url, tmp_path):  # noqa: F811
    instance = tmp_path / "cli"
    try:
        result = cli(["init"], ZHIXIN_DATABASE_URL=None, ZHIXIN_SECRET_KEY=None)
        assert result.exit_code == 0, result.output
    finally:
        db_module.init(database_url)  # the CLI pointed the shared database proxy at the instance's file
    database = instance / "zhixin.db"
    assert mode(instance) == 0o700 and mode(database) == 0o600 and mode(instance / "secret_key") == 0o600
    sqlite = db_module.make_database(f"sqlite:///{database}")
    with sqlite.connection_context():
        sqlite.execute_sql("CREATE TABLE probe (x INTEGER)")
        sqlite.execute_sql("INSERT INTO probe VALUES (1)")
        assert mode(str(database) + "-wal") == 0o600 and mode(str(database) + "-shm") == 0o600
