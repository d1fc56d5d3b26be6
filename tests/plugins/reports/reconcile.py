"""Generated organisations for the reconciliation tests, and the reference figures computed in Python.

The tree: teacher → class → dept 1 (head1 → sales 1: s1a, s1b, …) and dept 2 (head2 → sales 2: s2a, …).
Viewers: the teacher (above everyone), a department head, a salesperson below them and that salesperson's
peer in the same position. The reference visibility is the tree rule written out in Python: a viewer reads
their own records and those of users whose position lies strictly below theirs, or everything when the
family's sharing mode is "read".
"""
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from flask import g
from hypothesis import strategies as st

from core import positions as P
from core.db import db
from core.migrate import ensure_defaults
from core.models import Lead, Opportunity, Organisation, SalesStage, SharingMode
from plugins.campaigns.models import Campaign, CampaignMember, CampaignSource
from plugins.forecast.models import Quota
from plugins.service.models import CATEGORIES, CHANNELS, Complaint, Feedback
from tests.conftest import empty_tables

CENT = Decimal("0.01")
VIEWERS = ("teacher", "head1", "s1a", "s1b")
# position key -> parent key; users sit in positions
TREE = {"teacher": None, "class": "teacher", "dept1": "class", "dept2": "class", "sales1": "dept1",
        "sales2": "dept2"}
STAGE_KINDS = ("open", "won", "lost")

money = st.one_of(st.integers(0, 10 ** 8).map(lambda c: Decimal(c) / 100),            # with cents
                  st.integers(0, 10 ** 6).map(Decimal))                               # whole amounts


@st.composite
def people(draw):
    """{username: position key}: the fixed viewers plus a few more salespeople."""
    out = {"teacher": "teacher", "lead": "class", "head1": "dept1", "head2": "dept2", "s1a": "sales1",
           "s1b": "sales1", "s2a": "sales2"}
    for i in range(draw(st.integers(0, 2))):
        out[f"extra{i}"] = draw(st.sampled_from(["sales1", "sales2", "dept2"]))
    return out


def below(position, viewer_position):
    """Is ``position`` strictly below ``viewer_position``?"""
    up = TREE[position]
    while up is not None:
        if up == viewer_position:
            return True
        up = TREE[up]
    return False


class World:
    """The generated rows and the people, with the tree rule."""

    def __init__(self, where):
        self.where = where          # username -> position key
        self.users = {}             # username -> User
        self.opps = []              # (Opportunity, kind)
        self.name_of = {}

    def reaches(self, viewer, owner):
        """Does ``viewer`` reach ``owner`` by the tree (themselves or strictly below)?"""
        return viewer == owner or below(self.where[owner], self.where[viewer])

    def sees(self, viewer, owner, mode="private"):
        return mode == "read" or self.reaches(viewer, owner)

    def username(self, user_id):
        return next(name for name, u in self.users.items() if u.id == user_id)


def reset(app, zone="Asia/Shanghai"):
    """An empty database with the defaults, the fiscal year starting in April in ``zone``."""
    empty_tables()
    ensure_defaults(app)
    Organisation.update(fiscal_year_start=4, timezone=zone).where(Organisation.id == 1).execute()
    for key in ("org_profile", "org", "sharing_modes", "report_stages"):
        g.pop(key, None)


def set_mode(family, mode):
    SharingMode.delete().where(SharingMode.family == family).execute()
    SharingMode.create(family=family, mode=mode)
    g.pop("sharing_modes", None)


def build_people(where, make_user):
    world = World(where)
    with db.atomic():
        positions = {}
        for key, parent in TREE.items():
            positions[key] = P.create(key.title(), positions[parent] if parent else None)
        for name, key in where.items():
            world.users[name] = make_user(name, position=positions[key], language="en")
            world.name_of[name] = world.users[name].display_name
    return world


def stages():
    """{kind: [SalesStage]} in their order."""
    out = {k: [] for k in STAGE_KINDS}
    for s in SalesStage.select().order_by(SalesStage.order):
        out["won" if s.is_won else "lost" if s.is_lost else "open"].append(s)
    return out


def opportunity_rows(draw, where, first, last, campaigns=0):
    """[(owner, amount, kind, stage index, probability, close date, campaign index or None)]."""
    days = (last - first).days
    return draw(st.lists(st.tuples(st.sampled_from(sorted(where)), money, st.sampled_from(STAGE_KINDS),
                                   st.integers(0, 5), st.integers(0, 100),
                                   st.integers(0, days).map(lambda d: first + dt.timedelta(days=d)),
                                   st.none() if not campaigns else st.one_of(st.none(), st.integers(0, campaigns - 1))),
                         min_size=1, max_size=14))


def add_opportunities(world, rows, campaigns=()):
    by_kind = stages()
    with db.atomic():
        for i, (owner, amount, kind, index, probability, close, campaign) in enumerate(rows):
            stage = by_kind[kind][index % len(by_kind[kind])]
            o = Opportunity.create(name=f"Deal {i}", owner=world.users[owner], amount=amount, stage=stage,
                                   probability=probability, close_date=close)
            world.opps.append((o, kind, owner))
            if campaign is not None:
                CampaignSource.insert(record_type="opportunity", record_id=o.id,
                                      campaign=campaigns[campaign]).execute()


def add_quotas(world, quotas, quarter_start):
    with db.atomic():
        for name, amount in quotas.items():
            Quota.create(user=world.users[name], quarter_start=quarter_start, amount=amount,
                         set_by=world.users["teacher"])


# --- reference figures --------------------------------------------------------------------------------

def forecast_reference(world, viewer, start, end, quotas):
    """{username: dict of quota, closed, expected, best, attainment, gap, shown} for the users ``viewer``
    reaches, and the same for their sum under "Total"."""
    out = {}
    for name in world.where:
        if not world.reaches(viewer, name):
            continue
        mine = [(o, kind) for o, kind, owner in world.opps if owner == name and start <= o.close_date <= end]
        closed = sum((o.amount for o, kind in mine if kind == "won"), Decimal(0))
        weighted = sum((round_cents(o.amount * o.probability / 100) for o, kind in mine if kind == "open"),
                       Decimal(0))
        best = closed + sum((o.amount for o, kind in mine if kind == "open"), Decimal(0))
        shown = name in quotas or any(kind != "lost" for _o, kind in mine)
        out[name] = {"quota": quotas.get(name), "closed": closed, "weighted": weighted, "best": best,
                     "shown": shown}
    quota_values = [f["quota"] for f in out.values() if f["quota"] is not None]
    out["Total"] = {"quota": sum(quota_values, Decimal(0)) if quota_values else None,
                    "closed": sum(f["closed"] for f in out.values()),
                    "weighted": sum(f["weighted"] for f in out.values()),
                    "best": sum(f["best"] for f in out.values()), "shown": True}
    for f in out.values():
        f["expected"] = f["closed"] + f["weighted"]
        f["attainment"] = ((f["closed"] * 100 / f["quota"]).quantize(Decimal("0.1"), ROUND_HALF_UP)
                           if f["quota"] else None)
        f["gap"] = None if f["quota"] is None else f["quota"] - f["closed"]
    return out


def pipeline_reference(world, viewer, mode):
    """[(count, amount, weighted)] per open stage, in stage order, of the opportunities ``viewer`` sees."""
    out = []
    for stage in stages()["open"]:
        mine = [o for o, _kind, owner in world.opps if o.stage_id == stage.id and world.sees(viewer, owner, mode)]
        weighted = sum((round_cents(o.amount * o.probability / 100) for o in mine), Decimal(0))
        out.append((len(mine), sum((o.amount for o in mine), Decimal(0)), weighted))
    return out


# --- campaigns ---------------------------------------------------------------------------------------------

@st.composite
def campaign_specs(draw, where):
    """[(owner, actual cost or None, [member status], [sourced lead owner])] for two campaigns."""
    statuses = st.sampled_from(["planned", "sent", "responded", "converted"])
    return draw(st.lists(st.tuples(st.sampled_from(sorted(where)), st.one_of(st.none(), money),
                                   st.lists(statuses, max_size=6),
                                   st.lists(st.sampled_from(sorted(where)), max_size=4)),
                         min_size=2, max_size=2))


def add_campaigns(world, specs):
    campaigns = []
    with db.atomic():
        for i, (owner, cost, statuses, lead_owners) in enumerate(specs):
            c = Campaign.create(name=f"Campaign {i}", owner=world.users[owner], status="active",
                                actual_cost=cost, start_date=dt.date(2026, 4, 1), end_date=dt.date(2026, 6, 30))
            campaigns.append(c)
            for j, status in enumerate(statuses):
                lead = Lead.create(last_name=f"Member {i}-{j}", owner=world.users[owner])
                CampaignMember.create(campaign=c, member_type="lead", member_id=lead.id, status=status)
            for j, lead_owner in enumerate(lead_owners):
                lead = Lead.create(last_name=f"Sourced {i}-{j}", owner=world.users[lead_owner])
                CampaignSource.insert(record_type="lead", record_id=lead.id, campaign=c).execute()
    return campaigns


def effect_reference(world, viewer, campaign, spec, mode):
    """The effect figures of ``campaign`` as ``viewer`` should see them (percentages as shown: × 100)."""
    _owner, cost, statuses, lead_owners = spec
    members = len(statuses)
    responded = sum(1 for s in statuses if s in ("responded", "converted"))
    leads = sum(1 for o in lead_owners if world.reaches(viewer, o))
    sourced = {r.record_id for r in CampaignSource.select().where(
        (CampaignSource.campaign == campaign.id) & (CampaignSource.record_type == "opportunity"))}
    won = sum((o.amount for o, kind, owner in world.opps
               if o.id in sourced and kind == "won" and world.sees(viewer, owner, mode)), Decimal(0))
    cost = cost or Decimal(0)
    return {"members": members, "leads": leads, "won_revenue": won,
            "response_rate": (Decimal(responded * 100) / members).quantize(Decimal("0.1"), ROUND_HALF_UP)
            if members else None,
            "cost_per_lead": (cost / leads).quantize(CENT, ROUND_HALF_UP) if leads else None,
            "roi": ((won - cost) / cost * 100).quantize(Decimal("0.1"), ROUND_HALF_UP) if cost else None}


# --- service -----------------------------------------------------------------------------------------------

@st.composite
def service_items(draw, where, months, zone, now):
    """[(kind, owner, received (naive UTC), resolved or None, channel, category)], many near local month
    edges (the first of a month, ± a few hours, in ``zone``)."""
    tz = ZoneInfo(zone)
    first = dt.datetime(2026, 3, 1, tzinfo=tz)

    def edge(draw_month, minutes):
        start = dt.datetime(2026, 3 + draw_month, 1, tzinfo=tz) if 3 + draw_month <= 12 else first
        return (start + dt.timedelta(minutes=minutes)).astimezone(dt.timezone.utc).replace(tzinfo=None)

    span = int((now - dt.datetime(2026, 3, 1)).total_seconds() // 60)
    instant = st.one_of(st.builds(edge, st.integers(0, months), st.integers(-300, 300)),
                        st.integers(0, span).map(lambda m: dt.datetime(2026, 3, 1) + dt.timedelta(minutes=m)))
    items = draw(st.lists(st.tuples(st.sampled_from(["feedback", "complaint"]), st.sampled_from(sorted(where)),
                                    instant, st.one_of(st.none(), st.integers(0, 60 * 24 * 40)),
                                    st.sampled_from(sorted(CHANNELS)), st.sampled_from(sorted(CATEGORIES))),
                          max_size=14))
    out = []
    for kind, owner, received, minutes, channel, category in items:
        received = min(received, now)
        resolved = None if minutes is None else min(received + dt.timedelta(minutes=minutes), now)
        out.append((kind, owner, received, resolved, channel, category))
    return out


def add_service_items(world, items):
    with db.atomic():
        for i, (kind, owner, received, resolved, channel, category) in enumerate(items):
            model = Feedback if kind == "feedback" else Complaint
            fields = {"category": category} if kind == "complaint" else {}
            minutes = None if resolved is None else int((resolved - received).total_seconds() // 60)
            model.create(subject=f"Item {i}", owner=world.users[owner], received_at=received,
                         resolved_at=resolved, status="resolved" if resolved else "new", channel=channel,
                         resolution_minutes=minutes, **fields)


def service_monthly_reference(world, viewer, items, zone, months):
    """{"YYYY-MM": [feedback received, complaints received, feedback handled, complaints handled]} for the
    local months ``months`` of the items ``viewer`` sees."""
    tz = ZoneInfo(zone)
    out = {m: [0, 0, 0, 0] for m in months}

    def month(instant):
        return instant.replace(tzinfo=dt.timezone.utc).astimezone(tz).strftime("%Y-%m")

    for kind, owner, received, resolved, _channel, _category in items:
        if not world.reaches(viewer, owner):
            continue
        column = 0 if kind == "feedback" else 1
        if month(received) in out:
            out[month(received)][column] += 1
        if resolved is not None and month(resolved) in out:
            out[month(resolved)][column + 2] += 1
    return out


def round_cents(value):
    return Decimal(value).quantize(CENT, ROUND_HALF_UP)
