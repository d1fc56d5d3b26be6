"""What the HTTP benchmarks (bench.lab, bench.load) share: a fresh database, gunicorn serving it on the
loopback, a student's browser (its own cookie jar, the CSRF token and fields read from each form), worker
memory and percentiles."""
import html.parser
import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import peewee

from bench import BENCH_DIR
from core.db import make_database

ROOT = os.path.dirname(BENCH_DIR)
CSRF = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"|<input[^>]*value="([^"]+)"[^>]*name="csrf_token"')


# --- the database and the server ------------------------------------------------------------------------------

def common_arguments(parser, database, students):
    """The options every HTTP benchmark takes: the databases, the throwaway PostgreSQL database, the number of
    students and of gunicorn workers."""
    parser.add_argument("--databases", nargs="+", choices=("sqlite", "postgresql"), default=["sqlite", "postgresql"])
    parser.add_argument("--postgresql-url", default=f"postgresql://postgres@127.0.0.1:5432/{database}",
                        help="a throwaway database: every table in it is dropped first")
    parser.add_argument("--students", type=int, default=students)
    parser.add_argument("--workers", type=int, default=4)


def empty_database(url):
    """Drop every table of a PostgreSQL database (an SQLite file is new anyway)."""
    database = make_database(url)
    if isinstance(database, peewee.PostgresqlDatabase):
        with database.connection_context():
            database.execute_sql("DROP SCHEMA public CASCADE")
            database.execute_sql("CREATE SCHEMA public")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(port, workers, log_path, app_spec, worker_class="sync", threads=1):
    """gunicorn serving ``app_spec`` (``module:factory()``) on 127.0.0.1:``port``, once it answers /healthz;
    its output goes to ``log_path``. The environment (the database URL, the secret key) passes to it."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [ROOT, os.environ.get("PYTHONPATH")])))
    command = [sys.executable, "-m", "gunicorn", "-w", str(workers), "-k", worker_class, "--threads", str(threads),
               "-b", f"127.0.0.1:{port}", "--timeout", "60", app_spec]
    with open(log_path, "w") as log:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            break
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return server
        except OSError:
            time.sleep(0.2)
    stop(server)
    with open(log_path) as log:
        raise SystemExit(f"gunicorn did not start (is it installed?):\n{log.read()[-3000:]}")


def stop(server):
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def worker_rss_mib(server):
    """{pid: resident memory in MiB} of each gunicorn worker (the children of the master ``server``), read
    from /proc/<pid>/status (VmRSS)."""
    rss = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/status") as status:
                fields = dict(line.split(":", 1) for line in status if ":" in line)
        except OSError:
            continue  # the process ended while we looked
        if int(fields["PPid"]) == server.pid and "VmRSS" in fields:
            rss[int(pid)] = int(fields["VmRSS"].split()[0]) / 1024
    return rss


def server_cpu_seconds(server):
    """CPU seconds (user + system) used so far by the gunicorn master ``server`` and its workers, read from
    /proc/<pid>/stat: what the server cost, apart from the simulated students on the same machine."""
    tick, total = os.sysconf("SC_CLK_TCK"), 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(pid) == server.pid or int(fields[1]) == server.pid:  # fields[1]: the parent's pid
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / tick


# --- one student's browser ------------------------------------------------------------------------------------

class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect is an answer to look at, not to follow


class StepError(Exception):
    def __init__(self, step, reason):
        super().__init__(f"{step}: {reason}")
        self.step, self.reason = step, reason


class Browser:
    """A student's browser: its own cookie jar; every request timed into ``record(step, ms)``."""

    def __init__(self, base, record):
        self.base, self.record, self.last_ms = base, record, 0.0
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect)

    def request(self, step, path, fields=None):
        """(status, body, Location) of GET ``path``, or POST of ``fields`` when given; the time is recorded
        under ``step`` (``None``: kept in ``last_ms`` for the caller to record once it knows the outcome)."""
        data = urllib.parse.urlencode(fields).encode() if fields is not None else None
        start = time.perf_counter()
        try:
            with self.opener.open(self.base + path, data=data, timeout=60) as response:
                status, body, location = response.status, response.read().decode(), None
        except urllib.error.HTTPError as answer:
            status, body, location = answer.code, answer.read().decode(), answer.headers.get("Location")
        self.last_ms = (time.perf_counter() - start) * 1000
        if step:
            self.record(step, self.last_ms)
        return status, body, location

    def form_page(self, step, path):
        """(CSRF token, body) of the form page at ``path``."""
        status, body, _ = self.request(step, path)
        match = CSRF.search(body) if status == 200 else None
        if not match:
            raise StepError(step, f"GET {path} answered {status} without a CSRF token")
        return match.group(1) or match.group(2), body


class FormReader(html.parser.HTMLParser):
    """The fields a browser would post from the form whose action is ``action`` (the page's path, for a form
    without one): inputs with their values
    (checkboxes and radios only when checked), each select's selected option (else its first), textareas'
    text."""

    def __init__(self, action):
        super().__init__()
        self.action, self.fields, self.inside, self.select, self.textarea = action, {}, False, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            action = attrs.get("action")  # none: the form posts to its own page
            self.inside = not action or urllib.parse.urlparse(action).path == self.action
        elif not self.inside:
            return
        elif tag == "option" and self.select:
            if "selected" in attrs or self.select not in self.fields:
                self.fields[self.select] = attrs.get("value") or ""
        elif "name" not in attrs:
            return
        elif tag == "input" and (attrs.get("type") not in ("checkbox", "radio") or "checked" in attrs):
            self.fields.setdefault(attrs["name"], attrs.get("value") or "")
        elif tag == "select":
            self.select = attrs["name"]
        elif tag == "textarea":
            self.textarea = attrs["name"]
            self.fields[self.textarea] = ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self.select = None
        elif tag == "textarea" and self.textarea:
            value = self.fields[self.textarea]  # a browser drops the newline that follows <textarea>
            self.fields[self.textarea] = value[2:] if value.startswith("\r\n") else value.removeprefix("\n")
            self.textarea = None

    def handle_data(self, data):
        if self.textarea:
            self.fields[self.textarea] += data


def form_fields(body, action):
    """{name: value} a browser would post from the form at ``action`` (a path) in ``body``."""
    reader = FormReader(action)
    reader.feed(body)
    return reader.fields


def percentile(samples, q):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]
