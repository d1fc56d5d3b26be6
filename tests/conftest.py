"""Test fixtures: a real database (SQLite file by default; PostgreSQL or MariaDB through
ZHIXIN_TEST_DATABASE_URL), a fresh schema per run, emptied tables per test, an app factory, users, login
and a frozen clock. Never a mocked database."""
import copy
import datetime as dt
import os

from urllib.parse import urlparse

import peewee
import pytest
from werkzeug.security import generate_password_hash

from core import clock, search
from core.app import create_app
from core.db import backend, db, make_database
from core.migrate import ensure_defaults, upgrade

BUNDLED = ["calendar", "campaigns", "forecast", "reports", "sales", "service"]
TEST_PASSWORD = "correct-horse-1"
FAST_HASH = "pbkdf2:sha256:1000"  # the real default is argon2id (core.passwords); hashing cost is not under test here
# Connection options of the test database only (a deployment's URL is never changed), added unless the URL
# already sets them. MariaDB: with no SSL option PyMySQL >= 1.2 builds a new default SSL context (it reads the
# system's CA store, ~26 ms) on every connection, and the app connects once per request — ~6 times a test;
# the test server is on the loopback. PostgreSQL: synchronous_commit=off lets a commit return before its WAL
# is on disk (a server crash may lose the last commits, never consistency): ~1.5 ms saved per commit.
TEST_PASSWORD_HASH = generate_password_hash(TEST_PASSWORD, method=FAST_HASH)
TEST_CONNECTION_OPTIONS = {"mysql": ("ssl", "ssl_disabled=true"),
                           "postgresql": ("options", "options=-c%20synchronous_commit%3Doff")}


def _database_url(tmp_root):
    url = os.environ.get("ZHIXIN_TEST_DATABASE_URL") or f"sqlite:///{tmp_root}/test.db"
    name, option = TEST_CONNECTION_OPTIONS.get(backend(url), (None, None))
    if option and name not in urlparse(url).query:
        url += ("&" if "?" in url else "?") + option
    return url


def _drop_everything(url):
    database = make_database(url)
    database.connect()
    tables = database.get_tables()
    if isinstance(database, peewee.PostgresqlDatabase):
        database.execute_sql("DROP SCHEMA public CASCADE")
        database.execute_sql("CREATE SCHEMA public")
    elif isinstance(database, peewee.MySQLDatabase):
        database.execute_sql("SET FOREIGN_KEY_CHECKS=0")
        for table in tables:
            database.execute_sql(f"DROP TABLE `{table}`")
        database.execute_sql("SET FOREIGN_KEY_CHECKS=1")
    database.close()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """A fresh schema with every bundled plugin's tables, built once per test run."""
    root = tmp_path_factory.mktemp("db")
    url = _database_url(root)
    _drop_everything(url)
    app = create_app({"DATABASE_URL": url, "PLUGINS": BUNDLED, "TESTING": True,
                      "INSTANCE_PATH": str(root / "instance")})
    upgrade(app)
    return url


def empty_tables():
    """Delete every row (but the migration history) so each test starts from an empty database.

    One query finds the tables that hold a row (an EXISTS each, exact; row estimates such as
    information_schema.TABLES are not reliable on InnoDB), then one transaction with foreign-key checks off
    deletes from those only: one commit instead of one per table (PostgreSQL's TRUNCATE was ~3 s a test, as
    it recreates every table's files), and no round trip for the tables a test left empty."""
    quote = "`" if isinstance(db.obj, peewee.MySQLDatabase) else '"'
    # the settings cache's stamp stays (these deletes bump it, so an app reused from an earlier test reloads)
    tables = [f"{quote}{t}{quote}" for t in search.data_tables(db.obj)
              if not t.endswith("_migration") and t != "cache_stamp"]
    found = db.execute_sql("SELECT " + ", ".join(f"EXISTS (SELECT 1 FROM {t})" for t in tables)).fetchone()
    tables = [t for t, has_rows in zip(tables, found) if has_rows]
    if not tables:
        return
    if isinstance(db.obj, peewee.PostgresqlDatabase):
        with db.atomic():
            db.execute_sql("SET LOCAL session_replication_role = replica")  # no FK triggers (superuser)
            _delete_from(tables)
    elif isinstance(db.obj, peewee.MySQLDatabase):
        db.execute_sql("SET FOREIGN_KEY_CHECKS=0")
        try:
            with db.atomic():
                _delete_from(tables)
        finally:
            db.execute_sql("SET FOREIGN_KEY_CHECKS=1")
    else:
        db.execute_sql("PRAGMA foreign_keys=OFF")
        with db.atomic():
            _delete_from(tables)
        db.execute_sql("PRAGMA foreign_keys=ON")


def _delete_from(quoted_tables):
    for table in quoted_tables:
        db.execute_sql(f"DELETE FROM {table}")


_APPS = {}  # settings -> (app, its config as built, the extra plugin modules kept alive)


@pytest.fixture(scope="session")
def shared_dirs(tmp_path_factory):
    return tmp_path_factory.mktemp("instance"), tmp_path_factory.mktemp("uploads")


@pytest.fixture
def make_app(database_url, shared_dirs):
    """Build an app on the test database: ``make_app(plugins=["forecast"], SOME_SETTING=…)``.

    Building a Flask app costs ~0.4 s (Werkzeug compiles every URL rule), so an app with the same settings is
    built once per run and reused; its config is restored to what it was built with each time it is handed
    out. The first call in a test empties the database."""
    made = []
    instance, uploads = shared_dirs

    def factory(plugins=None, extra_plugins=(), **config):
        settings = {"DATABASE_URL": database_url, "TESTING": True, "WTF_CSRF_ENABLED": False,
                    "PLUGINS": BUNDLED if plugins is None else plugins, "PASSWORD_METHOD": FAST_HASH,
                    "SECRET_KEY": "test-secret", "INSTANCE_PATH": str(instance), "UPLOAD_FOLDER": str(uploads)}
        settings.update(config)
        key = (repr(sorted(settings.items())), tuple(id(m) for m in extra_plugins))
        fresh = key not in _APPS
        if fresh:
            app = create_app(settings, extra_plugins=extra_plugins)
            _APPS[key] = (app, copy.deepcopy(dict(app.config)), tuple(extra_plugins))
        else:
            app, built_config, _ = _APPS[key]
            app.config.clear()
            app.config.update(copy.deepcopy(built_config))
        with app.app_context(), db.connection_context():
            if not made:
                empty_tables()
            if fresh:
                upgrade(app)  # a plugin's first activation creates its tables; defaults come back
            else:
                ensure_defaults(app)
        made.append(app)
        return app

    yield factory
    clock.freeze(None)
    clock.set_offset(None)
    if not db.is_closed():
        db.close()


@pytest.fixture
def app(make_app):
    app = make_app()
    with app.app_context():
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make_user():
    """``make_user("alice", position=pos, admin=False, **fields)`` with password TEST_PASSWORD."""
    from core.models import User

    def factory(username, position=None, admin=False, **fields):
        user = User(username=username, full_name=fields.pop("full_name", username.title()),
                    position=position, is_admin=admin, **fields)
        user.password_hash = TEST_PASSWORD_HASH  # one salt for all: hashing is not under test here
        user.save()
        return user
    return factory


@pytest.fixture
def login():
    """``login(client, user)``: puts the user in the test client's session (no password round-trip)."""
    def do(client, user):
        with client.session_transaction() as session:
            session["_user_id"] = str(user.id)
            session["_fresh"] = True
        return client
    return do


@pytest.fixture
def as_user(app, login):
    """``as_user(user, language="en")`` → a test client logged in as ``user``, asking for ``language``."""
    def make(user, language="en"):
        client = login(app.test_client(), user)
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
        return client
    return make


@pytest.fixture
def frozen_clock():
    """``frozen_clock(datetime)`` freezes core's clock (naive = UTC); unfrozen after the test."""
    def freeze(at):
        clock.freeze(at)
        return at
    freeze(dt.datetime(2026, 5, 15, 2, 0, 0))
    yield freeze
    clock.freeze(None)


@pytest.fixture
def demo_app(make_app, frozen_clock):
    """An app with the demo school loaded (``core.demo``), the clock frozen at its "now" (15 May 2026, 10:00
    in Shanghai)."""
    from core.demo import load_demo
    app = make_app()
    load_demo(app, "demo-pass-1", "admin-pass-1", progress=lambda *_: None)
    return app


@pytest.fixture
def positions():
    """A small school: teacher → class A/B → department → salesperson positions (dict by key)."""
    from core import positions as P
    with db.atomic():  # one commit, not one per row
        teacher = P.create("Teacher")
        out = {"teacher": teacher}
        for cls in ("a", "b"):
            c = P.create(f"Class {cls.upper()}", teacher)
            d = P.create(f"Dept {cls.upper()}", c)
            s = P.create(f"Sales {cls.upper()}", d)
            out.update({f"class_{cls}": c, f"dept_{cls}": d, f"sales_{cls}": s})
    return out


# The one school of the tests: (username, position key or None, admin). Every viewpoint an access or
# hierarchy test needs, once: the teacher above both classes, each class's lead and department manager, a
# second holder of Dept A (a same-position peer at department level), two students in Sales A (peers at sales
# level), a student of the other class, a user without a position, and the administrator.
SCHOOL = (
    ("teacher", "teacher", False),
    ("lead_a", "class_a", False),
    ("lead_b", "class_b", False),
    ("manager_a", "dept_a", False),
    ("deputy_a", "dept_a", False),
    ("manager_b", "dept_b", False),
    ("alice", "sales_a", False),
    ("bob", "sales_a", False),
    ("carol", "sales_b", False),
    ("outsider", None, False),
    ("admin", None, True),
)


@pytest.fixture
def make_school(positions, make_user):
    """``make_school(language="en")`` creates the canonical school (``SCHOOL``) once and returns its users by
    username, plus ``"positions"``. Every user has an e-mail address ``<username>@example.edu.cn``; the
    language is English (the assertions read English pages) unless asked otherwise (``""`` lets the browser
    decide). Directories' own ``school`` fixtures are views of it under their role names."""
    made = {}

    def factory(language="en"):
        if not made:
            with db.atomic():  # one commit, not one per user
                for username, position, admin in SCHOOL:
                    made[username] = make_user(username, position=positions[position] if position else None,
                                               admin=admin, language=language, email=f"{username}@example.edu.cn")
            made["positions"] = positions
        return made
    return factory


@pytest.fixture
def school(make_school):
    """The canonical school in English; directories override it with their role names (see ``make_school``)."""
    return make_school()


def pytest_report_header(config):
    url = os.environ.get("ZHIXIN_TEST_DATABASE_URL") or "sqlite (temporary file)"
    return f"zhixin test database: {url}"

