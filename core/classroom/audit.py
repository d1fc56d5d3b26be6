"""The teaching log (教学日志): every teaching action (reset, clock shift, view-as, grade override, roster
import, module change, exercise opening, unlock) is one AuditEntry with ``record_type`` "teaching", stamped
in real time.

``record_id`` is the class position the action concerns (0 for school-wide ones); ``changes`` holds the
details as JSON."""
import json

from core import clock
from core.models import AuditEntry

RECORD_TYPE = "teaching"


def log(action, user, position=None, **details):
    """Write one teaching-log entry; ``action`` is a short code (≤ 20 characters), e.g. "reset"."""
    if len(action) > 20:
        raise ValueError(f"teaching action code too long: {action!r}")
    position_id = getattr(position, "id", position) or 0
    return AuditEntry.create(record_type=RECORD_TYPE, record_id=position_id, action=action,
                             user=getattr(user, "id", user), at=clock.real_utcnow(),
                             changes=json.dumps(details, ensure_ascii=False, default=str, sort_keys=True))


def query(position_ids=None):
    """The entries newest first (a query, to paginate), optionally only those of these classes and the
    school-wide ones."""
    select = AuditEntry.select().where(AuditEntry.record_type == RECORD_TYPE)
    if position_ids is not None:
        select = select.where(AuditEntry.record_id.in_([0, *position_ids]))
    return select.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())


def entries(position_ids=None, limit=200):
    """The newest entries, optionally only those of these classes (and the school-wide ones)."""
    return list(query(position_ids).limit(limit))


def details(entry):
    """An entry's details as a dict."""
    try:
        value = json.loads(entry.changes or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
