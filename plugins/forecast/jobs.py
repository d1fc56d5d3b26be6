"""The quarter-end snapshot (季度快照): every user's figures stored once a quarter has ended.

Quarters end by real time, never by the teaching clock. While an instructor has moved the clock past a
quarter's end, the job also takes that quarter ahead of time so the lab sees it, marked ``shifted``; at the
quarter's real end it is retaken (the marked rows replaced), so one correct snapshot remains.

Idempotent twice over: each quarter is claimed once per kind (real, ahead) through ``JobClaim`` (inside the
same transaction as the rows, so a failed run leaves no claim behind) and the snapshot rows are unique per
(user, quarter). A missed run catches up: every ended quarter since the last one snapshotted is taken on the
next run (when nothing was ever taken, only the quarter that ended most recently — earlier ones can no longer
say what was forecast then).
"""
import datetime as dt
import logging

from core import clock, fiscal
from core.db import transaction
from core.models import JobClaim, Position, User

from plugins.forecast.figures import Figures, aggregate_query, _SUMMED, _to_int
from plugins.forecast.models import Snapshot
from plugins.forecast.services import quotas_for

log = logging.getLogger(__name__)
JOB_ID = "forecast.quarter_snapshot"
AHEAD_JOB_ID = "forecast.quarter_snapshot.shifted"  # claims of snapshots taken ahead on the teaching clock


def real_today():
    """Today in the organisation's time zone by real time (the teaching clock's shift left out)."""
    return clock.to_local(clock.real_utcnow()).date()


def _claimed(job, start_month):
    slots = [row.slot for row in JobClaim.select(JobClaim.slot).where(JobClaim.job == job)]
    return sorted(s for s in (fiscal.quarter_starting(_date(slot), start_month) for slot in slots) if s)


def due_quarters(today=None):
    """The quarters ended by real time that have no (real) snapshot yet, oldest first."""
    start_month = fiscal.start_month()
    last_ended = fiscal.quarter_of(today or real_today(), start_month).previous()
    taken = _claimed(JOB_ID, start_month)
    if not taken:
        return [last_ended]
    out, q = [], taken[-1].next()
    while q <= last_ended:
        out.append(q)
        q = q.next()
    return out


def ahead_quarters():
    """The quarters that have ended on a teaching clock moved forward but not yet really, not yet taken."""
    start_month = fiscal.start_month()
    q = fiscal.quarter_of(real_today(), start_month)
    last_ended = fiscal.quarter_of(clock.today(), start_month).previous()
    taken = set(_claimed(AHEAD_JOB_ID, start_month))
    out = []
    while q <= last_ended:
        if q not in taken:
            out.append(q)
        q = q.next()
    return out


def _date(text):
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return dt.date.min


def take_snapshot(quarter, shifted=False):
    """Store every user's figures of ``quarter`` (all opportunities: the job sees as the organisation does);
    ``shifted`` marks a snapshot taken ahead on the teaching clock, which the real one replaces.
    Returns the number of rows written, or 0 when another run claimed the quarter first. One transaction (the
    claim with its rows), retried while the database is busy."""
    rows = transaction(_take, quarter, shifted)
    if rows is None:
        return 0
    log.info("forecast snapshot of %s%s: %d users", quarter.key, " (ahead)" if shifted else "", len(rows))
    return len(rows)


def _take(quarter, shifted):
    if not JobClaim.claim(AHEAD_JOB_ID if shifted else JOB_ID, quarter.start.isoformat()):
        return None
    if not shifted:
        Snapshot.delete().where((Snapshot.quarter_start == quarter.start) & Snapshot.shifted).execute()
    rows = _rows(quarter, shifted)
    for i in range(0, len(rows), 200):
        Snapshot.insert_many(rows[i:i + 200]).on_conflict_ignore().execute()
    return rows


def _rows(quarter, shifted):
    by_owner = {}
    for row in aggregate_query(quarter.start, quarter.end).dicts():
        by_owner[row["grp"]] = Figures(None, *(_to_int(row[f]) for f in _SUMMED))
    quotas = quotas_for(None, quarter)
    users = User.select(User.id, Position.path).left_outer_join(Position, on=(User.position == Position.id))
    rows, now = [], clock.real_utcnow()
    for u in users:
        figures = by_owner.get(u.id, Figures())
        figures.quota = quotas.get(u.id)
        if figures.quota is None and not (figures.won_count or figures.open_count or figures.lost_count):
            continue  # nothing to remember for this user
        rows.append(dict(user=u.id, quarter_start=quarter.start,
                         position_path=u.position.path if u.position else "",
                         quota=figures.quota, closed=figures.closed, expected=figures.expected,
                         best=figures.best, pipeline_count=figures.pipeline_count,
                         pipeline_amount=figures.pipeline_amount, taken_at=now, shifted=shifted))
    return rows


def run(app):
    """The scheduled job: snapshot every ended quarter not yet taken, then those ended only on the teaching
    clock. Returns {quarter key: rows} (a quarter taken ahead shows as "<key> (ahead)")."""
    out = {q.key: take_snapshot(q) for q in due_quarters()}
    out.update({f"{q.key} (ahead)": take_snapshot(q, shifted=True) for q in ahead_quarters()})
    return out
