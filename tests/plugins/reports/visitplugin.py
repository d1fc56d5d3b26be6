"""An in-process test plugin: its own owned record type (visits) and a report in the service family."""
import peewee

from core import hookimpl
from core.babel import lazy_gettext as _l
from core.models import Record
from core.records.registry import RecordType
from core.reports import ReportColumn, ReportDefinition, ReportResult

NAME = "visittest"
VERSION = "1"
HOOKS = __name__


class Visit(Record):
    """A customer visit, owned like any record."""
    place = peewee.CharField(max_length=100)
    minutes = peewee.IntegerField(default=0)
    visited_on = peewee.DateField()

    class Meta:
        table_name = "visittest_visit"


@hookimpl
def zhixin_record_types():
    return [RecordType("visit", Visit, _l("Visit"), _l("Visits"), family="visit", menu_group="")]


def _visits_report(user, params):
    from core import access
    count = access.visible(Visit.select(), user, "visit").count()
    return ReportResult([ReportColumn("label", "What"), ReportColumn("count", "Count", "number")],
                        [{"label": "Visits", "count": count}])


@hookimpl
def zhixin_reports():
    return [ReportDefinition("visittest.visits", "service", "Visits I can see", _visits_report)]
