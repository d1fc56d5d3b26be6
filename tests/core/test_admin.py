"""Administration: users, the organisation profile (with logo checks) and who may open these pages."""
import io
import re
import struct
import zlib

import pytest

from core.models import Organisation, StoredFile, User
from tests.conftest import TEST_PASSWORD
from tests.core.english import make_app  # noqa: F401  (English default language)


def png_bytes(width=2, height=2):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff)
    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


@pytest.fixture
def app(make_app):
    """Core alone: these tests are about the admin pages, not about the plugins' pages."""
    app = make_app(plugins=[])
    with app.app_context():
        yield app


@pytest.fixture
def admin_client(client, make_user, login):
    admin = make_user("root", admin=True)
    login(client, admin)
    client.admin = admin
    return client


ORG_FORM = {"name": "智欣中学", "address": "上海", "phone": "021-1234", "website": "https://zhixin.example",
            "currency": "EUR", "fiscal_year_start": "4", "timezone": "Europe/Berlin", "default_language": "en"}


@pytest.mark.parametrize("path", ["/admin/", "/admin/users", "/admin/users/new", "/admin/organisation",
                                  "/admin/plugins"])
def test_admin_pages_are_forbidden_to_users_and_ask_anonymous_to_log_in(client, make_user, login, path):
    assert client.get(path).status_code == 302
    login(client, make_user("alice"))
    response = client.get(path)
    assert response.status_code == 403


def test_admin_index_links_the_settings_pages(admin_client):
    html = admin_client.get("/admin/").get_data(as_text=True)
    for path in ("/admin/organisation", "/admin/users", "/admin/plugins"):
        assert f'href="{path}"' in html


def test_admin_creates_user_and_sees_the_password_once(admin_client, positions):
    response = admin_client.post("/admin/users/new", data={
        "username": "li.na", "full_name": "李娜", "email": "lina@example.cn",
        "position": str(positions["sales_a"].id), "language": "zh"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    user = User.get(User.username == "li.na")
    assert user.position_id == positions["sales_a"].id and user.must_change_password and not user.is_admin
    password = html.split('data-password>')[1].split("<")[0]
    assert user.check_password(password)
    assert password not in admin_client.get("/admin/users").get_data(as_text=True)


def test_user_form_refuses_bad_input(admin_client, make_user):
    make_user("taken")
    html = admin_client.post("/admin/users/new", data={
        "username": "taken", "email": "not-an-address", "position": "0", "language": ""}).get_data(as_text=True)
    assert "This user name is taken." in html and "Enter a valid e-mail address." in html
    html = admin_client.post("/admin/users/new", data={
        "username": "bad name!", "position": "99999", "language": ""}).get_data(as_text=True)
    assert "Use letters, digits" in html
    assert "Not a valid choice" in html or "Choose a position" in html
    assert User.select().count() == 2


def test_admin_edits_user(admin_client, make_user, positions):
    user = make_user("alice")
    assert "Alice" in admin_client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    response = admin_client.post(f"/admin/users/{user.id}", data={
        "username": "alice", "full_name": "Alice Wang", "email": "a@example.cn",
        "position": str(positions["dept_b"].id), "language": "en", "is_admin": "y"})
    assert response.status_code == 302
    user = User.get_by_id(user.id)
    assert (user.full_name, user.email, user.position_id, user.language, user.is_admin) == (
        "Alice Wang", "a@example.cn", positions["dept_b"].id, "en", True)
    assert admin_client.get("/admin/users/99999").status_code == 404


def test_admin_cannot_remove_own_admin_flag_or_deactivate_self(admin_client):
    me = admin_client.admin
    html = admin_client.post(f"/admin/users/{me.id}", data={
        "username": "root", "position": "0", "language": ""}).get_data(as_text=True)
    assert "your own administrator rights" in html
    response = admin_client.post(f"/admin/users/{me.id}/active", data={"active": "0"})
    assert response.status_code == 409
    assert User.get_by_id(me.id).is_admin and User.get_by_id(me.id).active


def test_deactivate_and_reactivate_user(admin_client, make_user):
    user = make_user("alice")
    admin_client.post(f"/admin/users/{user.id}/active", data={"active": "0"})
    assert not User.get_by_id(user.id).active
    other = admin_client.application.test_client()
    html = other.post("/login", data={"username": "alice", "password": TEST_PASSWORD}).get_data(as_text=True)
    assert "Wrong user name or password." in html  # as for an unknown name (no one learns who exists)
    admin_client.post(f"/admin/users/{user.id}/active", data={"active": "1"})
    assert other.post("/login", data={"username": "alice", "password": TEST_PASSWORD}).status_code == 302


def test_reset_password_shows_new_password_and_forces_a_change(admin_client, make_user):
    user = make_user("alice")
    html = admin_client.post(f"/admin/users/{user.id}/reset-password").get_data(as_text=True)
    password = html.split('data-password>')[1].split("<")[0]
    user = User.get_by_id(user.id)
    assert user.check_password(password) and not user.check_password(TEST_PASSWORD)
    assert user.must_change_password
    assert admin_client.get(f"/admin/users/{user.id}/reset-password").status_code == 405


def test_user_list_is_searchable_filtered_and_paginated(make_app, make_user, login):
    app = make_app(PAGE_SIZE=5)
    with app.app_context():
        client = login(app.test_client(), make_user("root", admin=True))
        for i in range(12):
            make_user(f"student{i:02d}", full_name=f"学生{i}", active=i % 3 != 0)
        first = client.get("/admin/users").get_data(as_text=True)
        assert first.count("data-user=") == 5 and "13 in all" in first
        third = client.get("/admin/users?page=3").get_data(as_text=True)
        assert third.count("data-user=") == 3
        found = client.get("/admin/users?q=学生1").get_data(as_text=True)
        assert 'data-user="student01"' in found and 'data-user="student10"' in found
        assert 'data-user="student02"' not in found
        inactive = client.get("/admin/users?status=inactive").get_data(as_text=True)
        assert inactive.count("data-user=") == 4
        assert "No user matches your search." in client.get("/admin/users?q=nobody").get_data(as_text=True)


def test_organisation_profile_is_saved_and_used_for_money_and_dates(admin_client):
    response = admin_client.post("/admin/organisation", data=ORG_FORM)
    assert response.status_code == 302
    org = Organisation.get_by_id(1)
    assert (org.name, org.currency, org.fiscal_year_start, org.timezone, org.default_language) == (
        "智欣中学", "EUR", 4, "Europe/Berlin", "en")
    html = admin_client.get("/admin/organisation").get_data(as_text=True)
    assert "智欣中学" in html  # the top bar shows the new name


def test_organisation_profile_refuses_unknown_time_zone_currency_and_url(admin_client):
    bad = dict(ORG_FORM, timezone="Mars/Olympus", currency="XXY", website="not a url", name="")
    html = admin_client.post("/admin/organisation", data=bad).get_data(as_text=True)
    assert "Unknown time zone Mars/Olympus" in html
    assert "Not a valid choice" in html
    assert "Enter a full web address" in html
    assert Organisation.get_by_id(1).timezone == "Asia/Shanghai"


def test_logo_upload_accepts_a_real_png_and_serves_it(app, admin_client, tmp_path):
    data = dict(ORG_FORM, logo=(io.BytesIO(png_bytes()), "logo.png"))
    response = admin_client.post("/admin/organisation", data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    org = Organisation.get_by_id(1)
    assert org.logo.endswith(".png")
    served = admin_client.get("/admin/logo")
    assert served.status_code == 200 and served.data == png_bytes()
    assert 'class="brand-logo"' in admin_client.get("/").get_data(as_text=True)
    # replacing it removes the old file; removing clears it
    admin_client.post("/admin/organisation", data=dict(ORG_FORM, logo=(io.BytesIO(png_bytes(3, 3)), "b.png")),
                      content_type="multipart/form-data")
    assert admin_client.get("/admin/logo").data == png_bytes(3, 3)
    assert [f.name for f in StoredFile.select()] == [Organisation.get_by_id(1).logo] != [org.logo]
    admin_client.post("/admin/organisation", data=dict(ORG_FORM, remove_logo="y"))
    assert Organisation.get_by_id(1).logo == "" and StoredFile.select().count() == 0
    assert admin_client.get("/admin/logo").status_code == 404


@pytest.mark.parametrize("content,filename", [
    (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "logo.svg"),
    (b"just some text pretending", "logo.png"),
    (b"<html>", "logo.jpg"),
])
def test_logo_upload_refuses_files_that_are_not_images(admin_client, content, filename):
    data = dict(ORG_FORM, logo=(io.BytesIO(content), filename))
    html = admin_client.post("/admin/organisation", data=data, content_type="multipart/form-data").get_data(
        as_text=True)
    assert "must be a PNG, JPEG, GIF or WebP image" in html
    assert Organisation.get_by_id(1).logo == "" and Organisation.get_by_id(1).name != "智欣中学"


def test_logo_upload_refuses_an_oversized_image(make_app, make_user, login):
    app = make_app(MAX_LOGO_BYTES=100)
    with app.app_context():
        client = login(app.test_client(), make_user("root", admin=True))
        big = png_bytes(40, 40)
        assert len(big) > 100
        html = client.post("/admin/organisation", data=dict(ORG_FORM, logo=(io.BytesIO(big), "big.png")),
                           content_type="multipart/form-data").get_data(as_text=True)
        assert "The logo is too large" in html
        assert Organisation.get_by_id(1).logo == ""


def test_request_larger_than_the_limit_gets_a_clear_413(make_app, make_user, login):
    app = make_app(MAX_CONTENT_LENGTH=1000)
    with app.app_context():
        client = login(app.test_client(), make_user("root", admin=True))
        response = client.post("/admin/organisation", data=dict(ORG_FORM, logo=(io.BytesIO(b"x" * 5000), "a.png")),
                               content_type="multipart/form-data")
        assert response.status_code == 413
        assert "The upload is too large." in response.get_data(as_text=True)


def test_image_kind_recognises_the_accepted_formats():
    from core.admin.views import image_kind
    assert image_kind(png_bytes()[:16]) == "png"
    assert image_kind(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00") == "jpg"
    assert image_kind(b"GIF89a\x01\x00") == "gif"
    assert image_kind(b"RIFF\x10\x00\x00\x00WEBPVP8 ") == "webp"
    assert image_kind(b"<?xml version=") is None


def test_user_and_organisation_changes_are_audited_without_secrets(app, make_user, login):
    from core.models import AuditEntry
    admin = make_user("boss", admin=True, language="en")
    ann = make_user("ann")
    client = login(app.test_client(), admin)
    client.post(f"/admin/users/{ann.id}", data={"username": "ann", "full_name": "Ann Li", "email": "",
                                              "position": "0", "language": "zh"})
    client.post(f"/admin/users/{ann.id}/reset-password")
    client.post(f"/admin/users/{ann.id}/active", data={"active": "0"})
    rows = list(AuditEntry.select().where(AuditEntry.record_type == "user").order_by(AuditEntry.id))
    assert [r.action for r in rows] == ["update", "password_reset", "deactivate"]
    assert all(r.user_id == admin.id for r in rows)
    assert '"full_name": ["Ann", "Ann Li"]' in rows[0].changes
    assert "password_hash" not in "".join(r.changes for r in rows)
    client.post("/admin/organisation", data={"name": "Test School", "currency": "CNY", "fiscal_year_start": "4",
                                             "timezone": "Asia/Shanghai", "default_language": "zh"})
    org_rows = list(AuditEntry.select().where(AuditEntry.record_type == "organisation"))
    assert len(org_rows) == 1 and '"fiscal_year_start": [1, 4]' in org_rows[0].changes


def test_admin_index_lists_the_structure_pages_together_between_users_and_plugins(admin_client):
    page = admin_client.get("/admin/").get_data(as_text=True)
    hrefs = re.findall(r'<a class="panel" href="([^"]+)"', page)
    assert hrefs == ["/admin/organisation", "/admin/users", "/admin/structure/", "/admin/structure/sharing",
                     "/admin/structure/products", "/admin/structure/categories", "/admin/structure/stages",
                     "/mail/templates", "/mail/unfiled", "/admin/plugins"]
