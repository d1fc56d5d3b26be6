"""A record's change history (变更记录) as a reader sees it: the newest audit entries, each change as
(label, old, new) in the reader's language. The generic detail page and a plugin's own record page (a
campaign's) show the same panel: ``entries()`` here, the ``history_panel`` macro of
``core/records/_history.html`` there."""
import json

import peewee

from core.babel import gettext as _
from core.models import AuditEntry, User
from core.records import display


def action_label(action):
    labels = {"create": _("Created this record"), "update": _("Changed"), "delete": _("Deleted this record"),
              "line_add": _("Added a product line"), "line_remove": _("Removed a product line"),
              "link": _("Linked a record"), "unlink": _("Removed a link"), "merge": _("Merged two records")}
    return labels.get(action, action)


def entries(rt, record, limit=50):
    """The newest ``limit`` entries of ``record``'s history: dicts of entry, user (None for the system),
    action (its label) and changes. A key the record type's ``audit_change`` knows (a plugin's own entry)
    reads as that hook says; a field's values as the detail page shows them."""
    # the user's name only: each selected column costs Peewee ~10 µs to compile, and User has 25
    rows = (AuditEntry.select(AuditEntry, User.id, User.username, User.full_name)
            .join(User, peewee.JOIN.LEFT_OUTER)
            .where((AuditEntry.record_type == rt.name) & (AuditEntry.record_id == record.id))
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit))
    out = []
    cache = {}
    fields = record._meta.fields
    for e in rows:
        try:
            changes = json.loads(e.changes or "{}")
        except ValueError:
            changes = {}
        shown = []
        for key, pair in changes.items():
            own = rt.audit_change(key, pair) if rt.audit_change and key not in fields else None
            if own is not None:
                shown.extend(own)
                continue
            old, new = (pair + [None, None])[:2] if isinstance(pair, list) else (None, pair)
            old, new = display.audit_value(rt, key, old, cache), display.audit_value(rt, key, new, cache)
            if old is None and new is None:
                continue
            label = display.label(rt, key) if key in fields else display.FIELD_LABELS.get(key, key)
            shown.append((label, old, new))
        out.append({"entry": e, "user": e.user if e.user_id else None, "action": action_label(e.action),
                    "changes": shown})
    return out
