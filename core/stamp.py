"""The settings cache (设置缓存): what nearly every page reads and rarely changes — the organisation profile,
the sharing modes, the sales stages, the modules switched off per class, the position tree and the viewer's
reach — is kept per process (per app), and validated on each request by one cheap read of a version stamp
that lives in the database (``cache_stamp``, one row). Every write to a table those things come from bumps
the stamp in the same transaction (``StampingMixin``, below, sees each statement), so several app servers
on one database see a change with their next request. Outside a request nothing is cached.

The stamp sees statements, not their side effects, so no write may reach a cached table except as a statement
on it: every cascade into a cached table starts from a cached table (a deleted position sets its holders'
position to none), and no trigger writes one — a test reads both from the schema."""
import re

import peewee
from flask import current_app, has_app_context, has_request_context, request

STAMP_TABLE = "cache_stamp"
# tables whose rows the cache is made of; a write to any bumps the stamp
STAMPED_TABLES = frozenset({"organisation", "sharing_mode", "sales_stage", "position", "user",
                            "classroom_class_module", "plugin_state"})
# ``user`` rows change on every login (last_login_at, language): only these columns change reach, rules or
# the names cached choices show
USER_COLUMNS = ("position_id", "active", "is_admin", "username", "full_name")
# INSERT [OR IGNORE|OR REPLACE|IGNORE] INTO, REPLACE INTO, UPDATE, DELETE FROM, TRUNCATE [TABLE]: the dialects
_WRITE = re.compile(r'\s*(INSERT(?:\s+OR\s+\w+|\s+IGNORE)?\s+INTO|REPLACE\s+INTO|UPDATE|DELETE\s+FROM'
                    r'|TRUNCATE(?:\s+TABLE)?)\s+[`"]?(\w+)[`"]?', re.I)
_SET = re.compile(r"\bSET\b(.*?)(\bWHERE\b|$)", re.I | re.S)
BUMP_SQL = f"UPDATE {STAMP_TABLE} SET version = version + 1 WHERE slot = 1"
READ_SQL = f"SELECT version FROM {STAMP_TABLE} WHERE slot = 1"


def stamped_table(sql):
    """The cached table a statement writes to, or None."""
    match = _WRITE.match(sql)
    if not match or match.group(2).lower() not in STAMPED_TABLES:
        return None
    table = match.group(2).lower()
    if table == "user" and match.group(1).upper() == "UPDATE":
        columns = _SET.search(sql)
        if columns and not any(name in columns.group(1) for name in USER_COLUMNS):
            return None
    return table


class StampingMixin:
    """Bumps the stamp after each statement that writes a cached table, on the same connection (so inside the
    caller's transaction). Before migration 0011 has made the table (while migrating) there is nothing to bump."""
    _zhixin_stamp_ready = False

    def execute_sql(self, sql, params=None, *args, **kwargs):
        cursor = super().execute_sql(sql, params, *args, **kwargs)
        if has_request_context() and _WRITE.match(sql):
            request.environ.pop(MEMO_KEY, None)  # any write: what this request memoised may have changed
        if stamped_table(sql) and self._stamp_ready():
            super().execute_sql(BUMP_SQL)
            forget()
        return cursor

    def _stamp_ready(self):
        if not self._zhixin_stamp_ready:
            self._zhixin_stamp_ready = self.table_exists(STAMP_TABLE)
        return self._zhixin_stamp_ready


def stamping(database_class):
    """A subclass of ``database_class`` (a Peewee backend) that bumps the stamp."""
    if issubclass(database_class, StampingMixin):
        return database_class
    return type(f"Stamping{database_class.__name__}", (StampingMixin, database_class), {})


def _state():
    return current_app.extensions.setdefault("zhixin_settings_cache", {"version": None, "data": {}})


def begin_request(database):
    """Read the stamp (one query) and drop this process's cache if another change came since."""
    try:
        row = database.execute_sql(READ_SQL).fetchone()
    except peewee.DatabaseError:  # not migrated yet (an upgrade is due): no caching
        version = None
    else:
        version = row[0] if row else None
    state = _state()
    if version is None or version != state["version"]:
        state["version"], state["data"] = version, {}
    request.environ["zhixin.stamp"] = version


MEMO_KEY = "zhixin.stamp.memo"


def memo(name):
    """A dict kept for the rest of this request, emptied by any write the request makes (a fresh, unkept
    dict outside a request): for answers a page asks for several times, such as ``core.access.can``."""
    if not has_request_context():
        return {}
    return request.environ.setdefault(MEMO_KEY, {}).setdefault(name, {})


def forget():
    """After a write in this process: nothing cached is used for the rest of the request, and the next
    request reloads."""
    if has_app_context():
        _state().update(version=None, data={})
    if has_request_context():
        request.environ["zhixin.stamp"] = None
        request.environ.pop("zhixin.stamp.request_cache", None)


def cached(key, load):
    """``load()`` once per stamp version in this process (in a request; once per request while a write of
    this request made the cache stale, or without a stamp row); ``load()`` each time outside a request.
    Callers must not mutate what they get (copy first)."""
    if not has_request_context():
        return load()
    if request.environ.get("zhixin.stamp") is None:  # no stamp to trust: once per request
        data = request.environ.setdefault("zhixin.stamp.request_cache", {})
    else:
        data = _state()["data"]
    if key not in data:
        data[key] = load()
    return data[key]
