"""Backup and restore (issue 16, item 14): ``zhixin backup`` copies a live database consistently while the app
writes, files included; ``zhixin restore`` brings it back, row for row, into an empty database only."""
import datetime as dt
import io
import json
import os
import re
import threading
import zipfile

import pytest

from core import backup as backups
from core.db import backend, db, make_database
from core.demo import load_demo
from core.models import Lead, StoredFileChunk, User
from tests.conftest import _drop_everything
from tests.core.files.conftest import every_row
from tests.core.test_admin import ORG_FORM, png_bytes

PDF = b"%PDF-1.4\n" + bytes(range(256)) * 600 + b"\n%%EOF\n"  # ~150 KB: three chunks, every byte value


@pytest.fixture
def demo_school(make_app, login):
    """The demo school, a logo and a three-chunk document; returns (app, a logged-in student's client)."""
    app = make_app()
    load_demo(app, "demo-Pass-2026", "admin-Pass-2026", seed=7, progress=lambda *a: None)
    with app.app_context():
        admin = User.get(User.is_admin == True)  # noqa: E712
        User.update(must_change_password=False, must_change_username=False).where(User.id == admin.id).execute()
        student = User.get(User.username.startswith("student"))
        admin_client = login(app.test_client(), admin)
        assert admin_client.post("/admin/organisation", content_type="multipart/form-data", data=dict(
            ORG_FORM, logo=(io.BytesIO(png_bytes()), "logo.png"))).status_code == 302
        client = login(app.test_client(), student)
        assert client.post("/records/document/new", content_type="multipart/form-data", data={
            "title": "合同", "file": (io.BytesIO(PDF), "合同.pdf")}).status_code == 302
        assert StoredFileChunk.select().count() >= 3 + 1
        yield app, client


def _new_lead(client, name):
    response = client.post("/records/lead/new", data={"last_name": name, "company": "并发公司", "status": "new"})
    assert response.status_code == 302, response.get_data(as_text=True)[-800:]


def test_a_backup_taken_while_the_app_writes_restores_every_table_as_it_was(
        demo_school, database_url, empty_database, zhixin, tmp_path):
    app, client = demo_school
    before, migrations = every_row(database_url)
    written = []

    def write_from_another_thread(table, count):
        """Between two tables, another thread adds a lead through the app (a lead and its audit row, one
        transaction) and waits for its commit: a backup that read table by table would hold half of it."""
        writer = threading.Thread(target=_new_lead, args=(client, f"并发线索 {table}"))
        writer.start()
        writer.join()
        written.append(table)

    path = str(tmp_path / "school.zip")
    with db.connection_context():
        manifest = backups.backup(db.obj, path, progress=write_from_another_thread)
    assert written and Lead.select().where(Lead.last_name.startswith("并发线索")).count() == len(written)
    assert set(manifest["tables"]) == set(before) and manifest["migrations"] == migrations
    assert {t: info["rows"] for t, info in manifest["tables"].items()} == {t: len(r) for t, r in before.items()}

    target = empty_database()
    result = zhixin(["restore", path], url=target)
    assert result.exit_code == 0, result.output
    assert "restored lead: " in result.output and "Restored " in result.output
    restored, restored_migrations = every_row(target)
    assert restored_migrations == migrations
    assert sorted(restored) == sorted(before)
    for table, rows in before.items():
        assert restored[table] == rows, table


def test_a_restored_database_gives_new_rows_fresh_ids(demo_school, database_url, empty_database, zhixin, tmp_path):
    path = str(tmp_path / "school.zip")
    result = zhixin(["backup", path])
    assert result.exit_code == 0, result.output
    assert "backed up stored_file_chunk: " in result.output and "Backup written to" in result.output
    target = empty_database()
    assert zhixin(["restore", path], url=target).exit_code == 0
    result = zhixin(["users", "create", "newcomer", "--password", "Blue-harbour-2026"], url=target)
    assert result.exit_code == 0, result.output
    users = every_row(target)[0]["user"]
    assert max(row[0] for row in every_row(database_url)[0]["user"]) < users[-1][0]
    assert len({row[0] for row in users}) == len(users)


def test_restore_refuses_a_database_that_holds_rows(demo_school, zhixin, tmp_path, database_url):
    path = str(tmp_path / "school.zip")
    assert zhixin(["backup", path]).exit_code == 0
    result = zhixin(["restore", path])  # the source itself: full
    assert result.exit_code == 1
    assert "restore needs an empty database" in result.output and "lead" in result.output


def test_restore_refuses_an_instance_with_other_migrations(demo_school, zhixin, tmp_path, empty_database):
    path = str(tmp_path / "school.zip")
    assert zhixin(["backup", path]).exit_code == 0
    result = zhixin(["restore", path], url=empty_database(), ZHIXIN_PLUGINS="forecast")
    assert result.exit_code == 1
    assert "other migrations than this instance" in result.output
    assert re.search(r"calendar: the backup has 0001_initial(, \w+)*, this instance has not", result.output)


def test_restore_refuses_a_file_that_is_no_backup(zhixin, tmp_path, empty_database, make_app):
    make_app()
    path = tmp_path / "not-a-backup.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", json.dumps({"format": 1}))
    result = zhixin(["restore", str(path)], url=empty_database())
    assert result.exit_code == 1 and "this is not a Zhixin backup" in result.output


def _reflected_rows(url):
    """Every table's rows as the backup reads them (Python values by column type), comparable across backends:
    bytes for binary columns, whole seconds where either side may be MariaDB (its DATETIME keeps no more)."""
    database = make_database(url)
    with database.connection_context():
        return {table: [tuple(_comparable(v) for v in row) for row in backups.rows(model)]
                for table, model in backups.data_tables(database).items()}


def _comparable(value):
    if isinstance(value, memoryview):
        return bytes(value)
    if isinstance(value, dt.datetime):
        return value.replace(microsecond=0)
    return value


def test_a_backup_restores_into_another_backend(demo_school, database_url, empty_database, zhixin, tmp_path):
    """SQLite → PostgreSQL for a school that grows (or any other pair): on a server backend the suite restores
    into a SQLite file; on SQLite into the empty server database ZHIXIN_TEST_RESTORE_DATABASE_URL names."""
    if backend(database_url) != "sqlite":
        target = f"sqlite:///{tmp_path}/restored.db"
    elif os.environ.get("ZHIXIN_TEST_RESTORE_DATABASE_URL"):
        target = os.environ["ZHIXIN_TEST_RESTORE_DATABASE_URL"]
        _drop_everything(target)
    else:
        pytest.skip("the suite runs on SQLite and ZHIXIN_TEST_RESTORE_DATABASE_URL names no server database")
    path = str(tmp_path / "school.zip")
    assert zhixin(["backup", path]).exit_code == 0
    result = zhixin(["restore", path], url=target)
    assert result.exit_code == 0, result.output
    source, restored = _reflected_rows(database_url), _reflected_rows(target)
    assert sorted(restored) == sorted(source)
    for table, rows in source.items():
        assert restored[table] == rows, table
