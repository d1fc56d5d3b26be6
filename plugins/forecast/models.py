"""Forecast tables (销售预期): quotas, forecast commits and quarter-end snapshots."""
import peewee

from core import clock
from core.babel import lazy_gettext as _l
from core.db import BaseModel
from core.extension import ClassRows
from core.models import MoneyField, Record, User, list_sort_indexes
from core.records.classrows import history

COMMIT_KINDS = ("own", "team")


class Quota(BaseModel):
    """A user's personal quota (个人配额) for one fiscal quarter, identified by the quarter's first day.

    Keyed by date rather than by (fiscal year, number) so that a later change of the organisation's
    fiscal-year start never silently moves a quota to other months."""
    user = peewee.ForeignKeyField(User, backref="+", on_delete="CASCADE")
    quarter_start = peewee.DateField()
    amount = MoneyField(default=0)
    set_by = peewee.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    set_at = peewee.DateTimeField(default=clock.utcnow)

    class Meta:
        table_name = "forecast_quota"
        indexes = ((("user", "quarter_start"), True), (("quarter_start",), False))


class Commit(Record):
    """A forecast commit (预测提交): the likely and best figures a user submits for a quarter.

    ``kind`` "own" is the user's own forecast; "team" is a manager's adjusted figure for their whole
    team. Every submission is a new row, so the history stays."""
    quarter_start = peewee.DateField(index=True)
    kind = peewee.CharField(max_length=10, default="own")
    likely = MoneyField(default=0)
    best = MoneyField(default=0)
    comment = peewee.TextField(default="")

    class Meta:
        table_name = "forecast_commit"
        indexes = ((("owner", "quarter_start", "kind"), False),) + list_sort_indexes(  # the list's order and columns
            "created_at", "quarter_start", "kind", "likely", "best")


class Snapshot(BaseModel):
    """A user's figures frozen at the end of a quarter (季度快照), so past quarters show what was forecast
    then. One row per user and quarter (unique): the snapshot job can run twice without duplicates."""
    user = peewee.ForeignKeyField(User, backref="+", on_delete="CASCADE")
    quarter_start = peewee.DateField()
    position_path = peewee.CharField(max_length=255, default="")
    quota = MoneyField(null=True)
    closed = MoneyField(default=0)
    expected = MoneyField(default=0)
    best = MoneyField(default=0)
    pipeline_count = peewee.IntegerField(default=0)
    pipeline_amount = MoneyField(default=0)
    taken_at = peewee.DateTimeField(default=clock.real_utcnow)  # real time, never the teaching clock
    # taken ahead, while the teaching clock was past the quarter's end: replaced at the real end
    shifted = peewee.BooleanField(default=False)

    class Meta:
        table_name = "forecast_snapshot"
        indexes = ((("user", "quarter_start"), True), (("quarter_start",), False))


MODELS = [Quota, Commit, Snapshot]


def class_rows(user_ids):
    """A class's rows (``zhixin_class_rows``): its users' quotas with their history, and quarter snapshots.
    Their commits go with core's rule for owned records."""
    quotas = Quota.select(Quota.id).where(Quota.user.in_(user_ids))
    return [history(_l("Quota history entries"), "forecast_quota", quotas),
            ClassRows(_l("Quotas"), Quota, Quota.user.in_(user_ids)),
            ClassRows(_l("Quarter snapshots"), Snapshot, Snapshot.user.in_(user_ids))]
