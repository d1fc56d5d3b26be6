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

import peewee

from flask import current_app, session
from flask.sessions import SecureCookieSessionInterface

from core import clock, stamp
from core.db import Compiled
from core.models import Notification, User, UserSession
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


def _session_user(slot):
    unread = (Notification.select(peewee.fn.COUNT(Notification.id))
              .where((Notification.user == User.id) & Notification.read_at.is_null()))
    return (User.select(User, UserSession.id.alias("session_id"), UserSession.seen_at.alias("session_seen_at"),
                        unread.alias("unread_count"))
            .join(UserSession, on=UserSession.user == User.id)
            .where((UserSession.key == slot("key")) & User.active & (UserSession.seen_at >= slot("seen"))
                   & (UserSession.created_at >= slot("created"))).limit(1))


# every request's one query: the session's live row, its user and the user's unread notifications
SESSION_USER = Compiled(_session_user)


def user_of_session(user_id):
    """The user of this request's session, or None once the session has ended (Flask-Login's user loader).
    Its unread notification count comes with it, for ``core.notify.unread_count``."""
    try:
        user_id = int(user_id)
    except (TypeError, ValueError):
        return None
    digest, now = _this_key(), clock.real_utcnow()
    idle, lifetime = _limits()
    row = next(iter(SESSION_USER.rows(User, key=digest, seen=now - idle, created=now - lifetime)),
               None) if digest else None
    if digest is None or (row is not None and row.id != user_id):  # signed without a key (see above)
        user = User.get_or_none((User.id == user_id) & User.active)
        if user is not None:
            start(user)
        return user
    if row is None:  # logged out, ended elsewhere, timed out, or the user is deactivated
        end()
        return None
    if now - UserSession.seen_at.python_value(row.session_seen_at) >= TOUCH_EVERY:
        UserSession.update(seen_at=now).where(UserSession.id == row.session_id).execute()
    stamp.memo("unread")[row.id] = row.unread_count
    return row



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
