"""Users, positions (工作岗位), organisation profile and sharing modes (共享模式)."""
import datetime as _dt

import peewee
from flask_login import UserMixin

from core import clock, passwords, stamp
from core.db import BaseModel

SHARING_MODES = ("private", "read", "readwrite", "readwritedelete")


class Position(BaseModel):
    """A job position (工作岗位) in the organisation tree.

    ``path`` is a materialized path of ids (``/1/4/9/``): a subtree is one indexed range query
    (``path > '/1/4/' AND path < '/1/40'``), never a recursive walk.
    """
    name = peewee.CharField(max_length=100)
    parent = peewee.ForeignKeyField("self", null=True, backref="children", on_delete="RESTRICT")
    path = peewee.CharField(max_length=255, index=True, default="")
    depth = peewee.IntegerField(default=0)
    description = peewee.TextField(default="")

    def __str__(self):
        return self.name

    @staticmethod
    def descendant_bounds(path):
        """(lower, upper) so that ``lower < p.path < upper`` holds exactly for strict descendants."""
        return path, path[:-1] + "0"  # '0' sorts right after '/'

    def descendants_query(self):
        lower, upper = self.descendant_bounds(self.path)
        return Position.select().where((Position.path > lower) & (Position.path < upper))

    def ancestors(self):
        ids = [int(x) for x in self.path.strip("/").split("/") if x][:-1]
        by_id = {p.id: p for p in Position.select().where(Position.id.in_(ids))} if ids else {}
        return [by_id[i] for i in ids if i in by_id]

    def is_below(self, other):
        """True when this position lies strictly below ``other``."""
        return other is not None and self.path != other.path and self.path.startswith(other.path)


class User(UserMixin, BaseModel):
    username = peewee.CharField(max_length=80, unique=True)
    password_hash = peewee.CharField(max_length=255)
    full_name = peewee.CharField(max_length=100, default="")
    email = peewee.CharField(max_length=254, default="")
    position = peewee.ForeignKeyField(Position, null=True, backref="users", on_delete="SET NULL", index=True)
    is_admin = peewee.BooleanField(default=False)
    active = peewee.BooleanField(default=True)
    # set when the administrator deactivates the account: a roster re-import never reactivates it
    deactivated_by_admin = peewee.BooleanField(default=False)
    language = peewee.CharField(max_length=10, default="")
    must_change_password = peewee.BooleanField(default=False)
    must_change_username = peewee.BooleanField(default=False)
    student_number = peewee.CharField(max_length=40, null=True, unique=True)
    created_at = peewee.DateTimeField(default=clock.utcnow)
    last_login_at = peewee.DateTimeField(null=True)

    def __str__(self):
        return self.full_name or self.username

    @property
    def display_name(self):
        return self.full_name or self.username

    @property
    def is_active(self):  # Flask-Login: a deactivated user cannot log in
        return bool(self.active)

    def set_password(self, password, method=None):
        from flask import current_app, has_app_context
        if method is None:
            method = current_app.config["PASSWORD_METHOD"] if has_app_context() else passwords.DEFAULT_METHOD
        self.password_hash = passwords.make_hash(password, method)

    def check_password(self, password):
        return verify_password(self.password_hash, password)


def verify_password(password_hash, password):
    """The one password check (login compares unknown and deactivated names against a dummy hash with it)."""
    return passwords.check_hash(password_hash, password)


class UserSession(BaseModel):
    """One logged-in browser (会话), see core.sessions: the SHA-256 of the key its session cookie carries,
    when it logged in and when it was last seen, in real time."""
    user = peewee.ForeignKeyField(User, backref="sessions", on_delete="CASCADE")
    key = peewee.CharField(max_length=64, unique=True)
    created_at = peewee.DateTimeField(default=clock.real_utcnow)
    seen_at = peewee.DateTimeField(default=clock.real_utcnow)


class Organisation(BaseModel):
    """The organisation profile (单位信息): one row."""
    name = peewee.CharField(max_length=200, default="Zhixin CRM")
    address = peewee.CharField(max_length=300, default="")
    phone = peewee.CharField(max_length=50, default="")
    website = peewee.CharField(max_length=200, default="")
    logo = peewee.CharField(max_length=200, default="")
    currency = peewee.CharField(max_length=3, default="CNY")
    fiscal_year_start = peewee.IntegerField(default=1)  # month 1..12
    timezone = peewee.CharField(max_length=64, default="Asia/Shanghai")
    default_language = peewee.CharField(max_length=10, default="zh")
    clock_offset_seconds = peewee.BigIntegerField(default=0)  # the teaching clock
    reminder_days = peewee.IntegerField(default=3)
    modified_at = peewee.DateTimeField(default=clock.utcnow)

    @classmethod
    def get_profile(cls):
        from flask import g, has_app_context
        if has_app_context() and "org_profile" in g:
            return g.org_profile
        def load():
            row = cls.get_or_none(cls.id == 1)
            return dict(row.__data__) if row is not None else None
        data = stamp.cached("organisation", load)
        org = cls(**data) if data is not None else cls(id=1)  # a copy: a view may change it without saving
        if has_app_context():
            g.org_profile = org
        return org

    def clock_offset(self):
        return _dt.timedelta(seconds=self.clock_offset_seconds or 0)


clock.set_timezone_source(lambda: Organisation.get_profile().timezone)


class SharingMode(BaseModel):
    """The sharing mode (共享模式) of one record family: private, read, readwrite or readwritedelete."""
    family = peewee.CharField(max_length=64, unique=True)
    mode = peewee.CharField(max_length=20, default="private")
