"""Forecast services: who may see and set what, per-user figures, the team roll-up, quotas, commits.

The roll-up groups the opportunity aggregate by owner in SQL, then adds owners into positions by the
users' materialized position paths — O(users), never O(opportunities).
"""
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from peewee import JOIN

from core import access, clock, fiscal
from core.db import db
from core import positions as position_tree
from core.models import Opportunity, Position, SalesStage, User
from core.records import service as record_service

from plugins.forecast.figures import Figures, aggregate, quarter_index_expr, total
from plugins.forecast.models import Commit, Quota

MAX_QUOTA = Decimal("99999999999999.99")


class ForecastError(Exception):
    """A refused change, with a message for the user."""


# --- reach: whose figures may a viewer see? --------------------------------------------------------------

def position_of(user):
    return Position.get_or_none(Position.id == user.position_id) if user.position_id else None


def below_condition(path):
    """Users whose position lies strictly below ``path`` (a condition on Position, joined)."""
    return position_tree.below(path)


def has_team(viewer):
    """Does anyone's position lie below the viewer's? (From core's cached tree: the menu asks on every page.)"""
    if viewer.is_admin:
        return True
    return bool(viewer.position_id) and viewer.position_id in position_tree.cached_parents()


def may_set_quota(viewer, user):
    """A superior (position strictly above) or the administrator; never oneself, never a peer."""
    return access.is_superior(viewer, user)


# --- quotas ------------------------------------------------------------------------------------------------

def quotas_for(user_ids, quarter):
    """{user id: Decimal quota} for the quarter (a subquery or list of ids)."""
    query = Quota.select(Quota.user, Quota.amount).where(Quota.quarter_start == quarter.start)
    if user_ids is not None:
        query = query.where(Quota.user.in_(user_ids))
    return {row.user_id: row.amount for row in query}


def parse_amount(text):
    """A quota typed in a form: blank → None, else a non-negative Decimal with at most two decimals."""
    text = (text or "").strip().replace(",", "").replace("，", "")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ForecastError("number") from None
    if not value.is_finite() or value < 0 or value > MAX_QUOTA or value != value.quantize(Decimal("0.01")):
        raise ForecastError("range")
    return value.quantize(Decimal("0.01"))


def set_quota(viewer, user, quarter, amount):
    """Set (or with ``amount`` None remove) ``user``'s quota; audited. Returns True when it changed."""
    if not may_set_quota(viewer, user):
        raise PermissionError("quota")
    with db.atomic():
        row = Quota.get_or_none((Quota.user == user.id) & (Quota.quarter_start == quarter.start))
        old = row.amount if row else None
        if old == amount:
            return False
        changes = {"user": [user.id, user.id], "quarter": [quarter.key, quarter.key],
                   "amount": [None if old is None else str(old), None if amount is None else str(amount)]}
        if amount is None:
            record_service.audit("forecast_quota", row.id, "delete", viewer, changes)
            row.delete_instance()
            return True
        if row is None:
            row = Quota.create(user=user.id, quarter_start=quarter.start, amount=amount, set_by=viewer.id,
                               set_at=clock.utcnow())
            action = "create"
        else:
            Quota.update(amount=amount, set_by=viewer.id, set_at=clock.utcnow()).where(Quota.id == row.id).execute()
            action = "update"
        record_service.audit("forecast_quota", row.id, action, viewer, changes)
    return True


def quota_users(viewer, within=None):
    """The users whose quotas ``viewer`` may set (optionally only in ``within``'s subtree, its holders
    included), ordered by position path then name."""
    query = (User.select(User, Position).join(Position, JOIN.LEFT_OUTER, on=(User.position == Position.id))
             .order_by(Position.path, User.full_name, User.username))
    if within is not None:
        query = query.where(below_condition(within.path) | (Position.id == within.id))
    if viewer.is_admin:
        return list(query)
    mine = position_of(viewer)
    if not mine:
        return []
    return list(query.where(below_condition(mine.path)))


def positions_below(viewer):
    """The positions a viewer may narrow the quota grid to (their subtree; everything for an admin)."""
    query = Position.select().order_by(Position.path)
    if viewer.is_admin:
        return list(query)
    mine = position_of(viewer)
    return list(query.where(below_condition(mine.path))) if mine else []


def copy_last_quarter(viewer, quarter):
    """Copy the previous quarter's quotas of the users ``viewer`` may set where this quarter has none.
    Returns (copied, kept)."""
    previous = quarter.previous()
    users = {u.id: u for u in quota_users(viewer)}
    if not users:
        return 0, 0
    last = quotas_for(list(users), previous)
    current = quotas_for(list(users), quarter)
    copied = kept = 0
    with db.atomic():
        for user_id, amount in last.items():
            if user_id in current:
                kept += 1
                continue
            set_quota(viewer, users[user_id], quarter, amount)
            copied += 1
    return copied, kept


# --- per-user figures ------------------------------------------------------------------------------------

def user_figures(viewer, user, quarter):
    figures = aggregate(viewer, quarter.start, quarter.end, where=(Opportunity.owner == user.id)).get(
        user.id, Figures())
    figures.quota = quotas_for([user.id], quarter).get(user.id)
    return figures


def year_trend(viewer, user_ids, quarter):
    """[(quarter, Figures)] for the four quarters of ``quarter``'s fiscal year: one grouped query."""
    quarters = quarter.year_quarters()
    by_index = aggregate(viewer, quarters[0].start, quarters[-1].end, group=quarter_index_expr(quarters),
                         where=Opportunity.owner.in_(user_ids))
    quota_rows = (Quota.select(Quota.quarter_start, Quota.amount)
                  .where(Quota.user.in_(user_ids) & Quota.quarter_start.in_([q.start for q in quarters])))
    quotas = {}
    for row in quota_rows:
        quotas[row.quarter_start] = quotas.get(row.quarter_start, Decimal(0)) + row.amount
    out = []
    for i, q in enumerate(quarters):
        figures = by_index.get(i, Figures())
        figures.quota = quotas.get(q.start)
        out.append((q, figures))
    return out


# --- the team roll-up ---------------------------------------------------------------------------------------

@dataclass
class Row:
    """One row of a team table: a person (their own opportunities) or a position (its whole subtree)."""
    kind: str                 # "person" | "position"
    id: int
    label: str
    figures: Figures = field(default_factory=Figures)
    position_name: str = ""
    children: list = field(default_factory=list)   # sub-rows shown indented (not part of the total)
    holders: list = field(default_factory=list)    # users holding the position (for commits)
    user_ids: list = field(default_factory=list)


@dataclass
class Team:
    focus: object             # the Position shown (None: the whole organisation, for an administrator)
    rows: list
    total: Figures
    own_position: bool        # the viewer's own position: their row is only themselves, never peers


def _segments(path, base):
    """The ids of the positions right below ``base`` on ``path`` (child, grandchild)."""
    rest = path[len(base):].strip("/").split("/") if path.startswith(base) else []
    return [int(x) for x in rest[:2] if x]


@dataclass
class Member:
    """A user as the team table needs them (read as plain tuples: a school has a thousand)."""
    id: int
    username: str
    full_name: str
    path: str
    position_name: str
    quota: Decimal = None

    @property
    def display_name(self):
        return self.full_name or self.username


def members(viewer, focus, own, quarter):
    """The users a team table covers, with their position path and their quota: one query."""
    query = (User.select(User.id, User.username, User.full_name, Position.path, Position.name, Quota.amount)
             .join(Position, JOIN.LEFT_OUTER, on=(User.position == Position.id))
             .switch(User)
             .join(Quota, JOIN.LEFT_OUTER, on=((Quota.user == User.id) & (Quota.quarter_start == quarter.start))))
    if focus is not None:
        cond = below_condition(focus.path)
        cond |= (User.id == viewer.id) if own else (User.position == focus.id)
        query = query.where(cond)
    return [Member(*row) for row in query.order_by(User.full_name, User.username).tuples()]


def team(viewer, quarter, focus=None):
    """The team table of ``focus`` (default: the viewer's position) for ``quarter``."""
    mine = position_of(viewer)
    focus = focus or mine
    own = focus is None or (mine is not None and focus.id == mine.id)
    if focus is not None:
        children = list(Position.select().where(Position.parent == focus.id).order_by(Position.name))
    else:  # an administrator without a position: everyone, by top-level position
        children = list(Position.select().where(Position.parent.is_null()).order_by(Position.name))
    people = members(viewer, focus, own, quarter)
    by_owner = aggregate(viewer, quarter.start, quarter.end, where=Opportunity.owner.in_(
        _user_subquery(viewer, focus, own))) if people else {}
    grandchildren = {}
    if children:
        for p in Position.select().where(Position.parent.in_([c.id for c in children])).order_by(Position.name):
            grandchildren.setdefault(p.parent_id, []).append(p)
    rows, position_rows, sub_rows = [], {}, {}
    for c in children:
        row = Row("position", c.id, c.name, position_name=c.name)
        row.children = [Row("position", g.id, g.name, position_name=g.name) for g in grandchildren.get(c.id, [])]
        position_rows[c.id] = row
        sub_rows.update({g.id: g for g in row.children})
    base = focus.path if focus is not None else "/"
    for u in people:
        figures = Figures(u.quota) + by_owner.get(u.id, Figures())
        segments = _segments(u.path, base) if u.path and (focus is None or u.path != focus.path) else []
        if segments and segments[0] in position_rows:
            row = position_rows[segments[0]]
            row.figures = row.figures + figures
            row.user_ids.append(u.id)
            if len(segments) == 1:
                row.holders.append(u)
            elif segments[1] in sub_rows:
                sub_rows[segments[1]].figures = sub_rows[segments[1]].figures + figures
        else:
            rows.append(Row("person", u.id, u.display_name, figures, position_name=u.position_name or "",
                            user_ids=[u.id]))
    rows.sort(key=lambda r: (r.id != viewer.id, r.label))
    rows += [position_rows[c.id] for c in children]
    return Team(focus, rows, total(r.figures for r in rows), own)


def _user_subquery(viewer, focus, own):
    """The ids of the users a team table covers, as a subquery (for the SQL aggregates)."""
    query = User.select(User.id)
    if focus is None:
        return query
    query = query.join(Position, JOIN.LEFT_OUTER, on=(User.position == Position.id))
    cond = below_condition(focus.path)
    cond |= (User.id == viewer.id) if own else (User.position == focus.id)
    return query.where(cond)


def scope_users(viewer, scope, scope_id):
    """The user-id subquery and a label for a figure's scope, or None when the viewer may not see it.

    ``user``: one person; ``position``: a position strictly below the viewer's with its whole subtree
    (holders included); ``team``: the viewer's own team (themselves and everyone below)."""
    if scope == "user":
        user = User.get_or_none(User.id == scope_id)
        if user is None or not access.reaches_user(viewer, user):
            return None
        return User.select(User.id).where(User.id == user.id), user.display_name
    if scope == "position":
        position = Position.get_or_none(Position.id == scope_id)
        if position is None or not access.reaches_position(viewer, position):
            return None
        mine = position_of(viewer)
        own = mine is not None and position.id == mine.id
        return _user_subquery(viewer, position, own), position.name
    if scope == "team":
        mine = position_of(viewer)
        if mine is None and not viewer.is_admin:
            return User.select(User.id).where(User.id == viewer.id), viewer.display_name
        return _user_subquery(viewer, mine, True), (mine.name if mine else "")
    return None


def scope_figures(viewer, users_query, quarter):
    by_owner = aggregate(viewer, quarter.start, quarter.end, where=Opportunity.owner.in_(users_query))
    figures = total(by_owner.values())
    quotas = quotas_for(users_query, quarter)
    figures.quota = sum(quotas.values(), Decimal(0)) if quotas else None
    return figures, len(quotas)


def opportunities(viewer, users_query, quarter, figure):
    """The opportunities behind ``figure`` (only those the viewer may see), for the arithmetic page."""
    query = (Opportunity.select(Opportunity, SalesStage, User)
             .join(SalesStage, on=(Opportunity.stage == SalesStage.id))
             .switch(Opportunity).join(User, on=(Opportunity.owner == User.id))
             .where(Opportunity.close_date.between(quarter.start, quarter.end)
                    & Opportunity.owner.in_(users_query)))
    won = SalesStage.is_won == True  # noqa: E712
    lost = SalesStage.is_lost == True  # noqa: E712
    open_ = ~won & ~lost
    if figure in ("closed", "attainment", "gap"):
        query = query.where(won)
    elif figure in ("expected", "best"):
        query = query.where(won | open_)
    elif figure == "pipeline":
        query = query.where(open_)
    elif figure == "lost":
        query = query.where(lost)
    query = query.order_by(SalesStage.is_won.desc(), Opportunity.close_date, Opportunity.id)
    return access.visible(query, viewer, "opportunity")


# --- commits ------------------------------------------------------------------------------------------------

def submit(viewer, quarter, kind, likely, best, comment):
    """Store a new forecast commit (the history keeps every one)."""
    if kind not in ("own", "team"):
        raise ForecastError("kind")
    if kind == "team" and not has_team(viewer):
        raise PermissionError("team")
    if likely is None or best is None:
        raise ForecastError("required")
    if best < likely:
        raise ForecastError("best_below_likely")
    commit = Commit(owner=viewer.id, quarter_start=quarter.start, kind=kind, likely=likely, best=best,
                    comment=(comment or "").strip()[:2000])
    record_service.save("forecast_commit", commit, viewer)
    return commit


def history(viewer, user, quarter, kind=None):
    query = access.visible(Commit.select().where((Commit.owner == user.id) & (Commit.quarter_start == quarter.start)),
                           viewer, "forecast_commit")
    if kind:
        query = query.where(Commit.kind == kind)
    return list(query.order_by(Commit.created_at.desc(), Commit.id.desc()))


def latest_commits(viewer, user_ids, quarter):
    """{(user id, kind): the latest Commit} for the users (one query; the viewer's access applies)."""
    if not user_ids:
        return {}
    query = access.visible(Commit.select().where(Commit.owner.in_(user_ids)
                                                 & (Commit.quarter_start == quarter.start)), viewer, "forecast_commit")
    out = {}
    for c in query.order_by(Commit.created_at, Commit.id):
        out[(c.owner_id, c.kind)] = c
    return out


def current_quarter():
    return fiscal.current_quarter()


def quota_rows(users_query, quarter):
    """[(User, Decimal)] of the quotas behind a scope's quota figure."""
    query = (Quota.select(Quota, User).join(User, on=(Quota.user == User.id))
             .where((Quota.quarter_start == quarter.start) & Quota.user.in_(users_query))
             .order_by(User.full_name, User.username))
    return [(q.user, q.amount) for q in query]
