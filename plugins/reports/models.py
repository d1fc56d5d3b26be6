"""Saved reports (保存的报表): a builder specification with its owner, sharing and delivery schedule."""
import json

import peewee

from core import clock
from core.babel import lazy_gettext as _l
from core.db import BaseModel
from core.extension import ClassRows
from core.records.classrows import history
from core.models import Position, User

SCHEDULES = ("", "daily", "weekly", "monthly")


class SavedReport(BaseModel):
    """A report built with the report builder. Private to its owner unless shared with positions; whoever
    runs it sees only what their own access allows."""
    owner = peewee.ForeignKeyField(User, on_delete="CASCADE", backref="+", index=True)
    name = peewee.CharField(max_length=200, index=True)
    description = peewee.TextField(default="")
    record_type = peewee.CharField(max_length=64)
    spec = peewee.TextField(default="{}")               # JSON, see plugins.reports.builder
    shared = peewee.BooleanField(default=False)
    schedule = peewee.CharField(max_length=10, default="")
    created_at = peewee.DateTimeField(default=clock.utcnow)
    modified_at = peewee.DateTimeField(default=clock.utcnow)

    class Meta:
        table_name = "reports_saved_report"

    @property
    def spec_data(self):
        try:
            return json.loads(self.spec or "{}")
        except ValueError:
            return {}

    def __str__(self):
        return self.name


class SavedReportShare(BaseModel):
    """A position a saved report is shared with (its holders and everyone below may run it)."""
    report = peewee.ForeignKeyField(SavedReport, on_delete="CASCADE", backref="shares")
    position = peewee.ForeignKeyField(Position, on_delete="CASCADE", backref="+")

    class Meta:
        table_name = "reports_saved_report_share"
        indexes = ((("report", "position"), True),)


MODELS = [SavedReport, SavedReportShare]


def class_rows(user_ids):
    """A class's rows (``zhixin_class_rows``): the reports its users saved, with their shares and history."""
    reports = SavedReport.select(SavedReport.id).where(SavedReport.owner.in_(user_ids))
    return [history(_l("Saved report history entries"), "reports.saved_report", reports),
            ClassRows(_l("Saved report shares"), SavedReportShare, SavedReportShare.report.in_(reports)),
            ClassRows(_l("Saved reports"), SavedReport, SavedReport.owner.in_(user_ids))]
