"""An in-process test plugin for the record machinery: a "source campaign" extra field on leads and
opportunities, and a switch that makes the record_saving hook refuse opportunities."""
from markupsafe import Markup
from wtforms import StringField
from wtforms.validators import Length

from core import hookimpl
from core.extension import ExtraField
from core.records import RecordError

NAME = "recordtest"
VERSION = "0.1"
DESCRIPTION = "Extra fields and refusals for the record machinery tests"
HOOKS = __name__

STATE = {"refuse": set(), "values": {}, "events": []}  # events: (hook, record type, created)


def _save(record, value, user):
    if value == "boom":
        raise RecordError("boom refused")
    STATE["values"][(type(record).__name__, record.id)] = value


@hookimpl
def zhixin_record_fields(record_type):
    if record_type not in ("lead", "opportunity"):
        return []
    return [ExtraField(
        name="source_campaign", label="Source campaign",
        form_field=lambda: StringField("Source campaign", validators=[Length(max=20)]),
        load=lambda record: STATE["values"].get((type(record).__name__, record.id), ""),
        save=_save,
        display=lambda record: Markup("<b>{}</b>").format(STATE["values"].get((type(record).__name__, record.id), "")),
    )]


@hookimpl
def zhixin_record_saving(record_type, record, user, created, changes):
    STATE["events"].append(("saving", record_type, created))
    if record_type in STATE["refuse"]:
        raise RecordError(f"{record_type} refused by the test plugin")


@hookimpl
def zhixin_record_saved(record_type, record, user, created, changes):
    STATE["events"].append(("saved", record_type, created))
