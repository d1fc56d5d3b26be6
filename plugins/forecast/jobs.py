"""The quarter-end snapshot (季度快照): every user's figures stored once a quarter has ended.

Idempotent twice over: each quarter is claimed once through ``JobClaim`` (inside the same transaction as
the rows, so a failed run leaves no claim behind) and the snapshot rows are unique per (user, quarter).
A missed run catches up: every ended quarter since the last one snapshotted is taken on the next run
(when nothing was ever taken, only the quarter that ended most recently — earlier ones can no longer say
what was forecast then).
"""
import logging

from core import clock, fiscal
from core.db import db
from core.models import JobClaim, Position, User

from plugins.forecast.figures import Figures, aggregate_query, _SUMMED, _to_int
from plugins.forecast.models import Snapshot
from plugins.forecast.services import quotas_for

log = logging.getLogger(__name__)
JOB_ID = "forecast.quarter_snapshot"


def due_quarters(today=None):
    """The ended quarters that have no snapshot yet, oldest first."""
    start_month = fiscal.start_month()
    today = today or clock.today()
    last_ended = fiscal.quarter_of(today, start_month).previous()
    claimed = [row.slot for row in JobClaim.select(JobClaim.slot).where(JobClaim.job == JOB_ID)]
    taken = sorted(s for s in (fiscal.quarter_starting(_date(slot), start_month) for slot in claimed) if s)
    if not taken:
        return [last_ended]
    out, q = [], taken[-1].next()
    while q <= last_ended:
        out.append(q)
        q = q.next()
    return out


def _date(text):
    import datetime as dt
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return dt.date.min


def take_snapshot(quarter):
    """Store every user's figures of ``quarter`` (all opportunities: the job sees as the organisation does).
    Returns the number of rows written, or 0 when another run claimed the quarter first."""
    with db.atomic():
        if not JobClaim.claim(JOB_ID, quarter.start.isoformat()):
            return 0
        by_owner = {}
        for row in aggregate_query(quarter.start, quarter.end).dicts():
            by_owner[row["grp"]] = Figures(None, *(_to_int(row[f]) for f in _SUMMED))
        quotas = quotas_for(None, quarter)
        users = User.select(User.id, Position.path).left_outer_join(Position, on=(User.position == Position.id))
        rows, now = [], clock.utcnow()
        for u in users:
            figures = by_owner.get(u.id, Figures())
            figures.quota = quotas.get(u.id)
            if figures.quota is None and not (figures.won_count or figures.open_count or figures.lost_count):
                continue  # nothing to remember for this user
            rows.append(dict(user=u.id, quarter_start=quarter.start,
                             position_path=u.position.path if u.position else "",
                             quota=figures.quota, closed=figures.closed, expected=figures.expected,
                             best=figures.best, pipeline_count=figures.pipeline_count,
                             pipeline_amount=figures.pipeline_amount, taken_at=now))
        for i in range(0, len(rows), 200):
            Snapshot.insert_many(rows[i:i + 200]).on_conflict_ignore().execute()
    log.info("forecast snapshot of %s: %d users", quarter.key, len(rows))
    return len(rows)


def run(app):
    """The scheduled job: snapshot every ended quarter not yet taken. Returns {quarter key: rows}."""
    return {q.key: take_snapshot(q) for q in due_quarters()}
