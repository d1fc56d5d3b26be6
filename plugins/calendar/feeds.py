"""Personal subscription feeds (订阅链接): the secret token in the URL is the only key, so it is renewed
whenever what opens the account changes, and a feed serves only an owner who may use the calendar now."""
import secrets

from flask import current_app

from core import clock
from core.db import db
from core.models import User
from plugins.calendar.models import CalendarFeed


def feed_of(user):
    return CalendarFeed.get_or_none(CalendarFeed.user == user.id)


def renew(user):
    """A new secret link for ``user`` (the old one, if any, stops working at once)."""
    with db.atomic():
        CalendarFeed.delete().where(CalendarFeed.user == user.id).execute()
        return CalendarFeed.create(user=user.id, token=secrets.token_urlsafe(32), created_at=clock.real_utcnow())


def revoke(user):
    CalendarFeed.delete().where(CalendarFeed.user == user.id).execute()


def rotate(user):
    """Renew ``user``'s link if they have one (a password reset, a deactivation or a reactivation)."""
    if feed_of(user) is not None:
        renew(user)


def owner_of(token):
    """The feed row and its owner for ``token``, or (None, None) when nothing may be served: no such token, the
    owner is deactivated, or the calendar is off for the owner's class. What the feed lists is then decided
    by core's access rule for the owner as they are now."""
    row = CalendarFeed.get_or_none(CalendarFeed.token == token) if token else None
    user = User.get_or_none((User.id == row.user_id) & User.active) if row else None
    if user is None or not current_app.extensions["zhixin_plugins"].is_on("calendar", user):
        return None, None
    return row, user


def mark_read(row):
    CalendarFeed.update(last_read_at=clock.real_utcnow()).where(CalendarFeed.id == row.id).execute()
