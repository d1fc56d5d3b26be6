"""An in-process test plugin that refuses a merge when asked: first of all (in zhixin_record_merging), or last
(when the other record is deleted, after every row moved and both audit entries were written)."""
from core import hookimpl
from core.records import RecordError

NAME = "refuse_merge"
VERSION = "0.1"
DESCRIPTION = "Refuses merges on demand"
REQUIRES = ()
HOOKS = __name__

WHEN = {"stage": ""}


@hookimpl
def zhixin_record_merging(record_type, survivor, other, user):
    if WHEN["stage"] == "merging":
        raise RecordError("refused by the test plugin")


@hookimpl
def zhixin_record_deleted(record_type, record, user):
    if WHEN["stage"] == "deleted":
        raise RecordError("refused at the very end")
