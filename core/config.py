"""Configuration: defaults, then the instance config file, then ``ZHIXIN_*`` from the environment."""
import os
import secrets
from datetime import timedelta
from urllib.parse import urlparse

from core.db import ConfigError, backend
from core.files import create_private, private_folder

DEFAULTS = {
    # Database URL; None means an SQLite file in the instance folder.
    "DATABASE_URL": None,
    # Comma list of plugin names to enable; None means "all bundled plugins" (or the admin page's choice).
    "PLUGINS": None,
    "THEME": "default",
    # Extra folders (os.pathsep-separated) searched for ZHIXIN_THEME before the bundled themes/.
    "THEMES_PATH": None,
    "SAFE_MODE": False,
    "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
    "MAX_UPLOAD_BYTES": 10 * 1024 * 1024,
    "MAX_LOGO_BYTES": 1024 * 1024,
    "UPLOAD_FOLDER": None,
    # The login lock-out (core.lockout): per account, growing locks, a per-address flood ceiling.
    "LOGIN_MAX_FAILURES": 5,
    "LOGIN_LOCK_MINUTES": 1,
    "LOGIN_LOCK_MAX_MINUTES": 60,
    "LOGIN_ADDRESS_MAX_FAILURES": 200,
    "LOGIN_ADDRESS_WINDOW_MINUTES": 10,
    # How many reverse proxies in front of the app set X-Forwarded-For (0: the header is ignored).
    "PROXY_COUNT": 0,
    # Sessions (core.sessions), in real time: ended after this long without a request, and this long after login.
    "SESSION_IDLE_MINUTES": 120,
    "SESSION_LIFETIME_HOURS": 12,
    # Secure on every cookie even over plain HTTP (over HTTPS they always get it).
    "SECURE_COOKIES": False,
    "SMTP_HOST": None,
    "SMTP_PORT": 25,
    "SMTP_USER": None,
    "SMTP_PASSWORD": None,
    "SMTP_FROM": "zhixin@localhost",
    "SMTP_TLS": False,
    # Inbound replies (core.mail.inbound): the IMAP mailbox the reply address delivers to.
    "IMAP_HOST": None,
    "IMAP_PORT": 143,
    "IMAP_USER": None,
    "IMAP_PASSWORD": None,
    "IMAP_TLS": False,
    "IMAP_FOLDER": "INBOX",
    "IMAP_MAX_BYTES": 2_000_000,
    "MAIL_REPLY_ADDRESS": None,
    # How long a scheduler holds a notification e-mail it is sending (core.notify): far longer than one send.
    "EMAIL_LEASE_SECONDS": 600,
    # Run every interval job this often instead of its own interval (labs, demos and tests); None: their own.
    "SCHEDULER_INTERVAL_SECONDS": None,
    "PAGE_SIZE": 20,
    # Record lists count the visible rows up to this many, then say "more than …" (core.records.listing).
    "LIST_COUNT_CAP": 1000,
    "PASSWORD_METHOD": "argon2id",  # core.passwords: argon2id[:m=…,t=…,p=…] or a Werkzeug method
    "SESSION_COOKIE_NAME": "zhixin_session",  # not Flask's "session": cookies from before core.sessions are void
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "WTF_CSRF_TIME_LIMIT": None,
    "LANGUAGES": ["zh", "en"],
}

# Documented environment variables (docs/configuration.md's table is checked against this list).
ENVIRONMENT = {
    "ZHIXIN_DATABASE_URL": "Database URL: sqlite:///path/zhixin.db, postgresql://user@host:5432/db or "
                           "mysql://user@host:3306/db (default: an SQLite file in the instance folder)",
    "ZHIXIN_SECRET_KEY": "Signs sessions and CSRF tokens; generated into the instance folder when unset "
                         "(set the same value on every server)",
    "ZHIXIN_INSTANCE_PATH": "The instance folder (SQLite database, uploads, secret key, zhixin.cfg)",
    "ZHIXIN_PLUGINS": "Comma list of enabled plugins; when set it overrides the admin page (which becomes "
                      "read-only)",
    "ZHIXIN_SAFE_MODE": "1 starts with no plugins at all",
    "ZHIXIN_THEME": "Theme folder name (default: default)",
    "ZHIXIN_THEMES_PATH": "Extra folders holding themes, searched before the bundled themes/ (separated by :)",
    "ZHIXIN_ADMIN_PASSWORD": "Initial administrator password for `zhixin init` and `zhixin demo` "
                             "(default: generated and printed once)",
    "ZHIXIN_DEMO_PASSWORD": "Shared password of the demo users for `zhixin demo` (default: generated)",
    "ZHIXIN_UPLOAD_FOLDER": "Where versions before the file store kept uploads; `zhixin files import` moves them into "
                            "the database (default: instance/uploads)",
    "ZHIXIN_MAX_CONTENT_LENGTH": "Largest request body in bytes (default 16 MB); larger uploads get a clear 413",
    "ZHIXIN_MAX_UPLOAD_BYTES": "Largest uploaded document in bytes (default 10 MB)",
    "ZHIXIN_MAX_LOGO_BYTES": "Largest organisation logo in bytes (default 1 MB)",
    "ZHIXIN_LOGIN_MAX_FAILURES": "Failed logins of one account before it is locked, counted apart for each browser "
                                 "the account logged in from before (default 5)",
    "ZHIXIN_LOGIN_LOCK_MINUTES": "How long the first lock lasts, in minutes; each further one lasts twice as long "
                                 "(default 1)",
    "ZHIXIN_LOGIN_LOCK_MAX_MINUTES": "The longest lock, in minutes (default 60)",
    "ZHIXIN_LOGIN_ADDRESS_MAX_FAILURES": "Flood ceiling: failed logins from one network address, within the "
                                         "window below, before that address is refused (default 200)",
    "ZHIXIN_LOGIN_ADDRESS_WINDOW_MINUTES": "The window of that ceiling, in minutes (default 10)",
    "ZHIXIN_PROXY_COUNT": "How many reverse proxies in front of the app add X-Forwarded-For; the client address is "
                          "taken from that header only when this is 1 or more (default 0: the header is ignored)",
    "ZHIXIN_SESSION_IDLE_MINUTES": "A login ends after this many minutes without a request (default 120)",
    "ZHIXIN_SESSION_LIFETIME_HOURS": "A login ends this many hours after it began, however active (default 12); "
                                     "at least as long as the idle time",
    "ZHIXIN_SECURE_COOKIES": "true to mark every cookie Secure even on plain HTTP; over HTTPS (behind the proxies "
                             "ZHIXIN_PROXY_COUNT trusts) they always are (default false)",
    "ZHIXIN_PAGE_SIZE": "Rows per page in lists (default 20)",
    "ZHIXIN_LIST_COUNT_CAP": "Record lists count the matching rows exactly up to this many, then show "
                             "\"more than …\" until the user asks for the exact count (default 1000)",
    "ZHIXIN_PASSWORD_METHOD": "How passwords are hashed: argon2id (the default: 7 MiB, 5 passes, 1 lane), "
                              "argon2id:m=KiB,t=passes,p=lanes, or a Werkzeug method such as scrypt; hashes "
                              "made otherwise are replaced at the user's next login",
    "ZHIXIN_SMTP_HOST": "SMTP server for e-mail notifications and e-mail to customers (unset: notifications in-app "
                        "only, customer e-mail stays queued)",
    "ZHIXIN_SMTP_PORT": "SMTP port (default 25)",
    "ZHIXIN_SMTP_USER": "SMTP user name",
    "ZHIXIN_SMTP_PASSWORD": "SMTP password",
    "ZHIXIN_SMTP_FROM": "Sender address of notification e-mails and of e-mail to customers",
    "ZHIXIN_SMTP_TLS": "true to use STARTTLS",
    "ZHIXIN_IMAP_HOST": "IMAP server holding the replies to e-mail to customers (unset: replies are not fetched)",
    "ZHIXIN_IMAP_PORT": "IMAP port (default 143; 993 with ZHIXIN_IMAP_TLS)",
    "ZHIXIN_IMAP_USER": "IMAP user name",
    "ZHIXIN_IMAP_PASSWORD": "IMAP password",
    "ZHIXIN_IMAP_TLS": "true to connect to the IMAP server over TLS (IMAPS)",
    "ZHIXIN_IMAP_FOLDER": "IMAP folder the replies arrive in (default INBOX)",
    "ZHIXIN_IMAP_MAX_BYTES": "Larger messages are not fetched: skipped, flagged seen, logged (default 2000000)",
    "ZHIXIN_MAIL_REPLY_ADDRESS": "Reply address of e-mail to customers, e.g. replies@school.example; each "
                                 "message gets replies+<token>@… (unset: replies go to the sender's own address)",
    "ZHIXIN_EMAIL_LEASE_SECONDS": "How long one scheduler holds a notification e-mail while sending it, in "
                                  "seconds (default 600); an unfinished send is retried, marked, when it ends",
    "ZHIXIN_SCHEDULER_INTERVAL_SECONDS": "Run every interval job this often, in seconds, instead of its own "
                                         "interval (for a lab or a demo; default: each job's own)",
    "ZHIXIN_TEST_DATABASE_URL": "Tests only: run the test suite on this PostgreSQL or MariaDB database "
                                "(default: a temporary SQLite file); the suite drops every table in it",
    "ZHIXIN_TEST_RESTORE_DATABASE_URL": "Tests only: an empty PostgreSQL or MariaDB database a suite run on SQLite "
                                        "restores a backup into (default: that test is skipped); dropped first",
    "ZHIXIN_CHROMIUM": "Tests only: path of the Chromium the browser tests drive (default /usr/bin/chromium)",
}


def load(app, overrides=None):
    app.config.update(DEFAULTS)
    app.config.from_pyfile("zhixin.cfg", silent=True)
    app.config.from_prefixed_env("ZHIXIN")
    if overrides:
        app.config.update(overrides)
    cfg = app.config
    if isinstance(cfg["PLUGINS"], str):
        cfg["PLUGINS"] = [p.strip() for p in cfg["PLUGINS"].split(",") if p.strip()]
    for key in FLAGS:
        cfg[key] = flag(key, cfg[key])
    if not cfg.get("DATABASE_URL"):
        cfg["DATABASE_URL"] = "sqlite:///" + os.path.join(app.instance_path, "zhixin.db")
    check_database_url(str(cfg["DATABASE_URL"]))
    for key, minimum in WHOLE_NUMBERS.items():
        cfg[key] = whole_number(key, cfg[key], minimum)
    if cfg["SCHEDULER_INTERVAL_SECONDS"] not in (None, ""):
        cfg["SCHEDULER_INTERVAL_SECONDS"] = whole_number("SCHEDULER_INTERVAL_SECONDS",
                                                         cfg["SCHEDULER_INTERVAL_SECONDS"], 1)
    if cfg["SESSION_IDLE_MINUTES"] > cfg["SESSION_LIFETIME_HOURS"] * 60:
        raise ConfigError("ZHIXIN_SESSION_IDLE_MINUTES: longer than ZHIXIN_SESSION_LIFETIME_HOURS allows")
    # Flask refuses a session cookie signed longer ago than this (a second, coarser limit than core.sessions').
    cfg["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=cfg["SESSION_LIFETIME_HOURS"])
    if not cfg.get("UPLOAD_FOLDER"):
        cfg["UPLOAD_FOLDER"] = os.path.join(app.instance_path, "uploads")
    if not cfg.get("SECRET_KEY"):
        cfg["SECRET_KEY"] = _instance_secret(app.instance_path)


# Settings that must be whole numbers, with their smallest allowed value.
WHOLE_NUMBERS = {"LOGIN_MAX_FAILURES": 1, "LOGIN_LOCK_MINUTES": 1, "LOGIN_LOCK_MAX_MINUTES": 1,
                 "LOGIN_ADDRESS_MAX_FAILURES": 1, "LOGIN_ADDRESS_WINDOW_MINUTES": 1, "PROXY_COUNT": 0,
                 "SESSION_IDLE_MINUTES": 1, "SESSION_LIFETIME_HOURS": 1, "EMAIL_LEASE_SECONDS": 1,
                 "LIST_COUNT_CAP": 1, "IMAP_PORT": 1, "IMAP_MAX_BYTES": 1}
# Settings that are yes or no.
FLAGS = ("SAFE_MODE", "SECURE_COOKIES", "IMAP_TLS")
TRUE, FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off", "")


def whole_number(key, value, minimum):
    """``value`` as an int of at least ``minimum`` (the environment may give text), or a ConfigError naming it."""
    try:
        number = int(str(value).strip()) if not isinstance(value, bool) else None
    except ValueError:
        number = None
    if number is None or number < minimum:
        raise ConfigError(f"ZHIXIN_{key}: {value!r} is not a whole number of at least {minimum}")
    return number


def flag(key, value):
    """``value`` as a bool (the environment may give 1, true, yes, on or their opposites), or a ConfigError."""
    text = str(value).strip().lower() if value is not None else ""
    if text in TRUE or text in FALSE:
        return text in TRUE
    raise ConfigError(f"ZHIXIN_{key}: {value!r} is neither true nor false")


def check_database_url(url):
    """Refuse a malformed database URL with a message that names the variable (not a traceback later)."""
    backend(url)
    parsed = urlparse(url)
    try:
        parsed.port
    except ValueError:
        raise ConfigError(f"ZHIXIN_DATABASE_URL: the port in {url!r} is not a number") from None


def _instance_secret(instance_path):
    """A random key kept in the instance folder, so sessions survive restarts and workers agree."""
    private_folder(instance_path)
    path = os.path.join(instance_path, "secret_key")
    try:
        with open(path) as fh:
            return fh.read().strip()
    except FileNotFoundError:
        key = secrets.token_hex(32)
        create_private(path, key.encode())
        return key
