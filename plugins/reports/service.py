"""Saved reports: who may see and change them, saving, copying, deleting, and the scheduled delivery."""
import json

from flask import current_app
from flask_babel import force_locale

from core import clock, notify
from core.babel import gettext as _
from core.db import db, transaction
from core.models import Notification, Position, User
from core.records.service import audit
from core.reports import FAMILIES, ReportParams
from plugins.reports import builder
from plugins.reports.models import SavedReport, SavedReportShare


# --- the report definitions of every enabled plugin ------------------------------------------------------

def definitions(user=None):
    """id -> ReportDefinition of every enabled plugin (mine included), each stamped with its plugin; for
    ``user``, only of the plugins on for them (a plugin switched off for their class has no reports)."""
    plugins = current_app.extensions["zhixin_plugins"]
    out = {}
    for plugin, definition in plugins.results("zhixin_reports", for_user=user):
        if definition.family not in FAMILIES:
            continue
        definition.plugin = definition.plugin or plugin
        out[definition.id] = definition
    return out


def by_family(user=None):
    grouped = {family: [] for family in FAMILIES}
    for definition in definitions(user).values():
        grouped[definition.family].append(definition)
    for items in grouped.values():
        items.sort(key=lambda d: (d.order, str(d.title)))
    return grouped


# --- saved reports ---------------------------------------------------------------------------------------

def _position_ids(user):
    """The user's position and all above it: a report shared with any of them reaches the user."""
    if not user.position_id:
        return []
    pos = Position.get_or_none(Position.id == user.position_id)
    return [int(x) for x in pos.path.strip("/").split("/") if x] if pos else []


def readable(user):
    """Saved reports ``user`` may open: their own, shared with their position or one above, or all (admin)."""
    query = SavedReport.select()
    if user.is_admin:
        return query
    shared = (SavedReportShare.select(SavedReportShare.report)
              .where(SavedReportShare.position.in_(_position_ids(user) or [0])))
    return query.where((SavedReport.owner == user.id) | (SavedReport.shared & SavedReport.id.in_(shared)))


def may_change(user, report):
    return bool(user.is_admin or report.owner_id == user.id)


def save(report, spec, user, name, description="", shared=False, positions=(), schedule=""):
    """Store a checked specification; ``positions`` are the ids it is shared with."""
    created = report.id is None
    with db.atomic():
        if created:
            report.owner = user.id
            report.created_at = clock.utcnow()
        report.name = name.strip()[:200]
        report.description = description.strip()
        report.record_type = spec["type"]
        report.spec = json.dumps(spec, ensure_ascii=False, sort_keys=True)
        report.shared = bool(shared and positions)
        report.schedule = schedule
        report.modified_at = clock.utcnow()
        report.save(force_insert=created)
        SavedReportShare.delete().where(SavedReportShare.report == report.id).execute()
        ids = {int(p) for p in positions} if report.shared else set()
        valid = [p.id for p in Position.select(Position.id).where(Position.id.in_(list(ids) or [0]))]
        if valid:
            SavedReportShare.insert_many([{"report": report.id, "position": p} for p in valid]).execute()
        audit("reports.saved_report", report.id, "create" if created else "update", user,
              {"name": [None, report.name]})
    return report


def copy(report, user):
    copied = SavedReport(name=_("Copy of %(name)s", name=report.name)[:200])
    return save(copied, json.loads(report.spec), user, copied.name, report.description)


def delete(report, user):
    with db.atomic():
        audit("reports.saved_report", report.id, "delete", user, {"name": [report.name, None]})
        report.delete_instance(recursive=True)


# --- scheduled delivery ----------------------------------------------------------------------------------

def period_key(schedule, today):
    if schedule == "daily":
        return today.isoformat()
    if schedule == "weekly":
        year, week, _day = today.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{today.year}-{today.month:02d}"


def summary(report, owner):
    """The report as its owner sees it now, in a few lines of text."""
    spec = builder.clean(report.spec_data)
    result = builder.run(spec, owner, ReportParams())
    lines = []
    label_key = result.columns[0].key
    value_cols = result.columns[1:]
    for row in [r for r in result.rows if not r.get("_subtotal")][:20]:
        values = ", ".join(f"{c.label}: {'' if row.get(c.key) is None else row.get(c.key)}" for c in value_cols)
        lines.append(f"{row.get(label_key)} — {values}" if values else str(row.get(label_key)))
    if result.totals:
        lines.append(_("Total") + ": " + ", ".join(f"{c.label} {result.totals[c.key]}" for c in result.columns
                                                  if c.key in result.totals and c.key != label_key))
    return "\n".join(lines) or _("No data.")


def deliver(app):
    """Send each scheduled saved report to its owner once per period (day, ISO week or month), in the
    notification centre and, where SMTP is configured, by e-mail. The notification key makes it exactly-once.
    The reports are read first (no cursor stays open while writing: SQLite could not then write), then each
    delivery is one short transaction, retried while the database is busy."""
    today = clock.today()
    sent = 0
    for report in list(SavedReport.select(SavedReport, User).join(User)
                       .where(SavedReport.schedule.in_(("daily", "weekly", "monthly"))).order_by(SavedReport.id)):
        period = period_key(report.schedule, today)
        key = f"reports:{report.id}:{period}"
        if Notification.select().where(Notification.key == key).exists():
            continue                # already delivered this period (the key keeps it exactly-once anyway)
        owner = report.owner
        if not owner.active:
            continue
        with force_locale(owner.language or "zh"):
            try:
                body = summary(report, owner)
            except builder.BadInput:
                body = _("This report no longer matches its record type; open it to fix it.")
            title = _("Report: %(name)s (%(period)s)", name=report.name, period=period)
        sent += transaction(notify.send, owner, title, body, link=f"/reports/saved/{report.id}", kind="report",
                            key=key)
    return sent


def schedule_labels():
    from core.babel import lazy_gettext as _l
    return {"": _l("Not scheduled"), "daily": _l("Daily"), "weekly": _l("Weekly"), "monthly": _l("Monthly")}


__all__ = ["by_family", "copy", "definitions", "deliver", "readable", "save"]
