"""The login lock-out (登录锁定), made for a lab where a whole room shares one network address.

Failed logins are counted per account, never per address. A browser that logged in to an account before holds
a signed *device cookie* naming it (OWASP's device-cookie pattern): its failures are counted apart
(``LoginLock.client`` is the cookie's id), while every other client shares the account's untrusted count
(``client`` ""). A classmate's guesses therefore lock the teacher's (or anyone's) account only for browsers
that account never logged in from; its owner still logs in from their own. This holds for every account.

After ``LOGIN_MAX_FAILURES`` failures an (account, client) pair is locked for ``LOGIN_LOCK_MINUTES``, each
further lock twice as long, up to ``LOGIN_LOCK_MAX_MINUTES``; a successful login, or an unlock by the
administrator or an instructor, clears it, and a day without failures forgets it. Every password check is
claimed before it happens, under a row lock (``SELECT … FOR UPDATE``; SQLite's IMMEDIATE transactions), so
parallel guesses cannot pass the limit. A network address is refused only past a flood ceiling
(``LOGIN_ADDRESS_MAX_FAILURES`` failures within ``LOGIN_ADDRESS_WINDOW_MINUTES``), and never for a browser
known to the account. All times are real time (``clock.real_utcnow``), never the teaching clock.
"""
import datetime as _dt
import logging
import math
import secrets
from dataclasses import dataclass

import peewee
from flask import current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from core import clock
from core.classroom import audit
from core.classroom.scope import class_of
from core.db import db, is_sqlite
from core.models import LoginAttempt, LoginLock
from core.web import secure_cookies

log = logging.getLogger(__name__)
DEVICE_COOKIE = "zhixin_device"
DEVICE_DAYS = 180
DEVICES_KEPT = 20  # accounts one browser remembers (a lab computer is shared)
UNTRUSTED = ""
FORGET_AFTER = _dt.timedelta(days=1)


@dataclass
class Refusal:
    """Why a login is refused before its password is checked: ``scope`` is "account" or "address"."""
    scope: str
    minutes: int


def account_key(username):
    return username.strip().lower()[:80]


def address():
    """The client's address (behind trusted proxies, ProxyFix has put X-Forwarded-For's into remote_addr)."""
    return (request.remote_addr or "unknown")[:64]


# --- device cookies ---------------------------------------------------------------------------------------

def _signer():
    return URLSafeTimedSerializer(current_app.secret_key, salt="zhixin-device")


def _devices():
    """{account: device id} from this browser's device cookie; {} when absent, expired or forged."""
    raw = request.cookies.get(DEVICE_COOKIE)
    try:
        value = _signer().loads(raw, max_age=DEVICE_DAYS * 86400) if raw else {}
    except BadSignature:  # SignatureExpired included
        return {}
    return value if isinstance(value, dict) else {}


def client_of(account):
    """This browser's device id for ``account``, or UNTRUSTED."""
    device = _devices().get(account)
    return device if isinstance(device, str) and 0 < len(device) <= 32 else UNTRUSTED


def remember_device(response, account):
    """After a successful login: this browser is known to ``account`` from now on."""
    devices = _devices()
    device = client_of(account) or secrets.token_urlsafe(16)
    devices.pop(account, None)
    devices[account] = device
    kept = dict(list(devices.items())[-DEVICES_KEPT:])
    response.set_cookie(DEVICE_COOKIE, _signer().dumps(kept), max_age=DEVICE_DAYS * 86400, httponly=True,
                        samesite="Lax", secure=secure_cookies())


# --- counting ---------------------------------------------------------------------------------------------

def _minutes(delta):
    return max(1, math.ceil(delta.total_seconds() / 60))


def lock_length(locks):
    """The ``locks``-th lock: LOGIN_LOCK_MINUTES, then twice as long each time, capped."""
    cfg = current_app.config
    return _dt.timedelta(minutes=min(cfg["LOGIN_LOCK_MINUTES"] * 2 ** min(locks - 1, 30),
                                     cfg["LOGIN_LOCK_MAX_MINUTES"]))


def _address_refusal(now):
    cfg = current_app.config
    window = _dt.timedelta(minutes=cfg["LOGIN_ADDRESS_WINDOW_MINUTES"])
    recent = LoginAttempt.select().where((LoginAttempt.address == address()) & (LoginAttempt.at > now - window))
    oldest = recent.order_by(LoginAttempt.at.desc()).offset(cfg["LOGIN_ADDRESS_MAX_FAILURES"] - 1).first()
    return Refusal("address", _minutes(oldest.at + window - now)) if oldest else None


def _key(account, client):
    return (LoginLock.username == account) & (LoginLock.client == client)


def claim(account, client):
    """Count one password check of ``account`` from ``client`` before it happens (the check that reaches the
    limit starts the lock); a Refusal, and nothing counted, while locked or past the address ceiling."""
    now = clock.real_utcnow()
    refusal = _address_refusal(now) if client == UNTRUSTED else None
    if refusal:
        return refusal
    LoginLock.insert(username=account, client=client, updated_at=now).on_conflict_ignore().execute()
    with db.atomic():
        query = LoginLock.select().where(_key(account, client))
        row = (query if is_sqlite() else query.for_update()).get()
        if row.locked_until and row.locked_until > now:
            return Refusal("account", _minutes(row.locked_until - now))
        row.failures += 1
        if row.failures >= current_app.config["LOGIN_MAX_FAILURES"]:
            row.failures, row.locks = 0, row.locks + 1
            row.locked_until = now + lock_length(row.locks)
        row.updated_at = now
        row.save()
    return None


def failed(account):
    """A wrong password: one more failure from this address; old attempts and forgotten locks go."""
    now = clock.real_utcnow()
    window = _dt.timedelta(minutes=current_app.config["LOGIN_ADDRESS_WINDOW_MINUTES"])
    LoginAttempt.create(username=account, address=address(), at=now)
    try:  # housekeeping, each delete its own statement: never in one transaction with the count above
        LoginAttempt.delete().where(LoginAttempt.at < now - window).execute()
        LoginLock.delete().where((LoginLock.updated_at < now - FORGET_AFTER) & (
            LoginLock.locked_until.is_null() | (LoginLock.locked_until < now))).execute()
    except peewee.OperationalError as exc:  # a deadlock with a parallel login (InnoDB): the next failure cleans up
        log.info("login housekeeping deferred: %s", exc)


def succeeded(account, client):
    LoginLock.delete().where(_key(account, client)).execute()


def locked_minutes(user):
    """Minutes left of the longest lock on ``user``'s account (from any client), or 0."""
    now = clock.real_utcnow()
    row = (LoginLock.select().where((LoginLock.username == account_key(user.username))
                                    & (LoginLock.locked_until > now))
           .order_by(LoginLock.locked_until.desc()).first())
    return _minutes(row.locked_until - now) if row else 0


def unlock(user, by):
    """Clear every lock and failure count of ``user``'s account; audited as the teaching action "unlock"."""
    with db.atomic():
        cleared = LoginLock.delete().where(LoginLock.username == account_key(user.username)).execute()
        audit.log("unlock", by, position=class_of(user), account=user.username)
    return cleared
