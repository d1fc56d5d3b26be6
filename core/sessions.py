"""Sessions that can be ended (会话).

Flask keeps the session in a signed cookie, which anyone holding a copy could replay. So every login also gets
a row in ``user_session``: the cookie carries a random key (``_sid``), the row only the key's SHA-256. Every
request looks the key up with its user (Flask-Login's user loader, one query); the session has ended when the
row is gone, the user is deactivated, the row was last seen more than ``SESSION_IDLE_MINUTES`` ago, or the
login is older than ``SESSION_LIFETIME_HOURS``. Logging out deletes the row; a password change deletes the
account's other rows; a reset by the administrator, a deactivation and "log out everywhere" delete them all.
Times are real time (``clock.real_utcnow``): shifting the teaching clock never ends a session.

A session the server signed without a key (only code holding the secret key writes one: the test suite's
login helper does) gets a row at its first request and is an ordinary session from then on. Cookies signed
before sessions had keys are never read: the cookie is named ``zhixin_session`` since.
"""
import datetime as _dt
import hashlib
import secrets

from flask import current_app, session
from flask.sessions import SecureCookieSessionInterface

from core import clock
from core.models import User, UserSession
from core.web import secure_cookies

KEY = "_sid"
LOGIN_KEYS = ("_user_id", "_fresh", "_id", KEY)  # Flask-Login's own and ours
TOUCH_EVERY = _dt.timedelta(minutes=1)  # seen_at is written at most once a minute, not on every request


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions (the CSRF token lives there too), Secure whenever ``secure_cookies``."""

    def get_cookie_secure(self, app):
        return secure_cookies()


def _digest(key):
    return hashlib.sha256(key.encode()).hexdigest()


def _this_key():
    key = session.get(KEY)
    return _digest(key) if isinstance(key, str) else None


def start(user):
    """Right after ``login_user``: a row for this browser, its key in the session; ended rows go."""
    key = secrets.token_urlsafe(32)
    now = clock.real_utcnow()
    UserSession.delete().where(~_live(now)).execute()
    UserSession.create(user=user.id, key=_digest(key), created_at=now, seen_at=now)
    session[KEY] = key


def _limits():
    cfg = current_app.config
    return _dt.timedelta(minutes=cfg["SESSION_IDLE_MINUTES"]), _dt.timedelta(hours=cfg["SESSION_LIFETIME_HOURS"])


def _live(now):
    idle, lifetime = _limits()
    return (UserSession.seen_at >= now - idle) & (UserSession.created_at >= now - lifetime)


def user_of_session(user_id):
    """The user of this request's session, or None once the session has ended (Flask-Login's user loader)."""
    try:
        user_id = int(user_id)
    except (TypeError, ValueError):
        return None
    digest, now = _this_key(), clock.real_utcnow()
    row = UserSession.select(UserSession, User).join(User).where(
        (UserSession.key == digest) & User.active & _live(now)).first() if digest else None
    if digest is None or (row is not None and row.user_id != user_id):  # signed without a key (see above)
        user = User.get_or_none((User.id == user_id) & User.active)
        if user is not None:
            start(user)
        return user
    if row is None:  # logged out, ended elsewhere, timed out, or the user is deactivated
        end()
        return None
    if now - row.seen_at >= TOUCH_EVERY:
        UserSession.update(seen_at=now).where(UserSession.id == row.id).execute()
    return row.user


def end():
    """This browser's session ends (logout, or found ended): its row goes, the cookie forgets the login."""
    digest = _this_key()
    if digest:
        UserSession.delete().where(UserSession.key == digest).execute()
    for name in LOGIN_KEYS:
        session.pop(name, None)


def _of(user_ids, but_this):
    where = UserSession.user.in_(list(user_ids))
    digest = _this_key() if but_this else None
    return where & (UserSession.key != digest) if digest else where


def end_all(user_ids, keep_this=False):
    """Every session of these users ends; with ``keep_this`` all but this browser's (a password change)."""
    UserSession.delete().where(_of(user_ids, keep_this)).execute()


def others(user):
    """How many other browsers are logged in to ``user``'s account (the account page says so)."""
    return UserSession.select().where(_of([user.id], True) & _live(clock.real_utcnow())).count()
