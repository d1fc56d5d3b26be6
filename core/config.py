"""Configuration: defaults, then the instance config file, then ``ZHIXIN_*`` from the environment."""
import os
import secrets

DEFAULTS = {
    # Database URL; None means an SQLite file in the instance folder.
    "DATABASE_URL": None,
    # Comma list of plugin names to enable; None means "all bundled plugins" (or the admin page's choice).
    "PLUGINS": None,
    "THEME": "default",
    "SAFE_MODE": False,
    "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
    "MAX_UPLOAD_BYTES": 10 * 1024 * 1024,
    "MAX_LOGO_BYTES": 1024 * 1024,
    "UPLOAD_FOLDER": None,
    "LOGIN_MAX_FAILURES": 5,
    "LOGIN_LOCK_MINUTES": 15,
    "SMTP_HOST": None,
    "SMTP_PORT": 25,
    "SMTP_USER": None,
    "SMTP_PASSWORD": None,
    "SMTP_FROM": "zhixin@localhost",
    "SMTP_TLS": False,
    "PAGE_SIZE": 20,
    "PASSWORD_METHOD": "scrypt",
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "WTF_CSRF_TIME_LIMIT": None,
    "LANGUAGES": ["zh", "en"],
}

# Documented environment variables (README's configuration table is checked against this list).
ENVIRONMENT = {
    "ZHIXIN_DATABASE_URL": "Database URL: sqlite:///path, postgresql://user@host/db, mysql://user@host/db",
    "ZHIXIN_SECRET_KEY": "Signs sessions and CSRF tokens; generated into the instance folder when unset",
    "ZHIXIN_PLUGINS": "Comma list of enabled plugins; overrides the admin page",
    "ZHIXIN_SAFE_MODE": "1 starts with no plugins",
    "ZHIXIN_THEME": "Theme folder name under themes/ (default: default)",
    "ZHIXIN_ADMIN_PASSWORD": "Initial administrator password for `zhixin init`",
    "ZHIXIN_DEMO_PASSWORD": "Shared password of the demo users for `zhixin demo`",
    "ZHIXIN_UPLOAD_FOLDER": "Where uploaded files are kept (default: instance/uploads)",
    "ZHIXIN_SMTP_HOST": "SMTP server for e-mail notifications (unset: in-app only)",
    "ZHIXIN_SMTP_PORT": "SMTP port (default 25)",
    "ZHIXIN_SMTP_USER": "SMTP user name",
    "ZHIXIN_SMTP_PASSWORD": "SMTP password",
    "ZHIXIN_SMTP_FROM": "Sender address of notification e-mails",
    "ZHIXIN_SMTP_TLS": "true to use STARTTLS",
    "ZHIXIN_INSTANCE_PATH": "The instance folder (database, uploads, secret key)",
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
    if isinstance(cfg["SAFE_MODE"], str):
        cfg["SAFE_MODE"] = cfg["SAFE_MODE"].lower() in ("1", "true", "yes", "on")
    if not cfg.get("DATABASE_URL"):
        cfg["DATABASE_URL"] = "sqlite:///" + os.path.join(app.instance_path, "zhixin.db")
    if not cfg.get("UPLOAD_FOLDER"):
        cfg["UPLOAD_FOLDER"] = os.path.join(app.instance_path, "uploads")
    if not cfg.get("SECRET_KEY"):
        cfg["SECRET_KEY"] = _instance_secret(app.instance_path)


def _instance_secret(instance_path):
    """A random key kept in the instance folder, so sessions survive restarts and workers agree."""
    os.makedirs(instance_path, exist_ok=True)
    path = os.path.join(instance_path, "secret_key")
    try:
        with open(path) as fh:
            return fh.read().strip()
    except FileNotFoundError:
        key = secrets.token_hex(32)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(key)
        return key
