"""Several app servers, one school (issue 16, item 16): files live in the database, so a document or a logo
uploaded through one app server downloads through another. Two real server processes share the test
database (PostgreSQL, MariaDB, or one SQLite file) and the secret key; each has its own empty UPLOAD_FOLDER."""
import http.cookiejar
import os
import re
import secrets
import subprocess
import sys
import urllib.request

import pytest

from tests.conftest import TEST_PASSWORD
from tests.core.test_admin import ORG_FORM, png_bytes

WORKTREE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


@pytest.fixture
def app_server(database_url, tmp_path):
    """``app_server(name, gunicorn=False)`` → the base URL of a new app process on the test database: werkzeug's
    server (``serve.py``), or gunicorn with two workers as in production."""
    started = []

    def start(name, gunicorn=False):
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([WORKTREE, os.environ.get("PYTHONPATH", "")]),
                   ZHIXIN_DATABASE_URL=database_url, ZHIXIN_SECRET_KEY="one-school-two-servers",
                   ZHIXIN_INSTANCE_PATH=str(tmp_path / name), ZHIXIN_UPLOAD_FOLDER=str(tmp_path / name / "uploads"))
        env.pop("ZHIXIN_PLUGINS", None)
        if gunicorn:
            command = [sys.executable, "-m", "gunicorn", "-w", "2", "-b", "127.0.0.1:0", "core.app:create_app()"]
        else:
            command = [sys.executable, os.path.join(os.path.dirname(__file__), "serve.py")]
        process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        started.append(process)
        if not gunicorn:
            port = process.stdout.readline().strip()
            assert port, process.stderr.read()
            return f"http://127.0.0.1:{port}"
        for line in process.stderr:  # gunicorn logs "Listening at: http://127.0.0.1:PORT (pid)"
            found = re.search(r"Listening at: (http://127\.0\.0\.1:\d+)", line)
            if found:
                return found.group(1)
        raise AssertionError("gunicorn did not start")

    yield start
    for process in started:
        process.terminate()
        process.wait()


def multipart(fields, files):
    """A multipart/form-data body: (content type, bytes)."""
    boundary = secrets.token_hex(16)
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
             for k, v in fields.items()]
    for name, (filename, data) in files.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                     f"Content-Type: application/octet-stream\r\n\r\n".encode() + data + b"\r\n")
    return f"multipart/form-data; boundary={boundary}", b"".join(parts) + f"--{boundary}--\r\n".encode()


class Browser:
    """One browser behind a load balancer: its cookies go to whichever server answers."""

    def __init__(self):
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, url):
        with self.opener.open(url) as response:
            return response.status, response.read()

    def post(self, url, fields, files=None):
        """Submit the form of the page ``url`` as a user would: with the CSRF token that page carries."""
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', self.get(url)[1].decode()).group(1)
        content_type, body = multipart(dict(fields, csrf_token=token), files or {})
        request = urllib.request.Request(url, data=body, headers={"Content-Type": content_type})
        with self.opener.open(request) as response:
            return response.status, response.geturl()


def test_a_document_uploaded_through_one_server_downloads_through_the_other(app_server, make_app, make_user,
                                                                            tmp_path):
    make_app()
    make_user("sally")
    make_user("root", admin=True)
    first, second = app_server("first"), app_server("second", gunicorn=True)
    content = b"%PDF-1.4\n" + os.urandom(3 * 1024 * 1024) + b"\n%%EOF\n"  # 3 MB: about fifty chunks

    sally = Browser()
    assert sally.post(f"{first}/login", {"username": "sally", "password": TEST_PASSWORD})[1] == f"{first}/"
    status, landed = sally.post(f"{first}/records/document/new", {"title": "合同"}, {"file": ("合同.pdf", content)})
    assert status == 200 and "/records/document/" in landed, landed
    document_id = landed.rstrip("/").rsplit("/", 1)[1]
    assert sally.get(f"{second}/records/document/{document_id}/download") == (200, content)
    assert not any((tmp_path / name / "uploads").exists() for name in ("first", "second"))

    root = Browser()
    root.post(f"{second}/login", {"username": "root", "password": TEST_PASSWORD})
    status, landed = root.post(f"{second}/admin/organisation", ORG_FORM, {"logo": ("logo.png", png_bytes())})
    assert landed.endswith("/admin/organisation")
    assert Browser().get(f"{first}/admin/logo") == (200, png_bytes())
    assert not any((tmp_path / name / "uploads").exists() for name in ("first", "second"))
