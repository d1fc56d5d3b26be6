"""Property tests: over random position trees, users, owners and sharing modes, the customer timeline and the
global search show exactly what the access reference model of tests/core/access/test_property.py
(``model_allows``: parent pointers walked in Python, the rule's words) lets the viewer read — the timeline
walked a few items a page, so its pages also add up to it without gaps or repeats."""
import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import access, clock, timeline
from core import positions as tree
from core.hierarchy.sharing import set_mode
from core.models import Account, Contact, Document, Opportunity, OpportunityStageHistory, Position, SalesStage, \
    SharingMode, User
from core.records.search_views import search_all
from plugins.calendar.models import CalendarTask
from plugins.sales.models import Quote
from plugins.service.models import Feedback
from tests.core.access.test_property import MODES, model_allows

FAMILIES = ("account", "opportunity", "document", "calendar", "service", "sales")
SOURCES = {"calendar_task": "calendar", "service_feedback": "service", "sales_quote": "sales", "document": "document"}
TERM = "Qzx"

scenarios = st.fixed_dictionaries({
    "parents": st.lists(st.one_of(st.none(), st.integers(0, 50)), min_size=1, max_size=6),
    # (position index or None, is_admin, active): mostly active non-administrators, whom the rules sort apart
    "users": st.lists(st.tuples(st.one_of(st.none(), st.integers(0, 50)), st.sampled_from([False] * 5 + [True]),
                                st.sampled_from([True] * 5 + [False])), min_size=2, max_size=5),
    "account": st.integers(0, 50),
    "contacts": st.lists(st.integers(0, 50), min_size=1, max_size=3),
    "opportunities": st.lists(st.integers(0, 50), max_size=3),
    # (source, owner index, subject index into [account] + contacts + opportunities)
    "items": st.lists(st.tuples(st.sampled_from(sorted(SOURCES)), st.integers(0, 50), st.integers(0, 50)),
                      max_size=5),
    "modes": st.fixed_dictionaries({f: st.sampled_from(MODES) for f in FAMILIES}),
    "same_instant": st.booleans(),   # every row at one instant: the order is decided by (kind, id) alone
})


def reset():
    for model in (CalendarTask, Feedback, Quote, Document, OpportunityStageHistory, Opportunity, Contact, Account,
                  User):
        model.delete().execute()
    Position.update(parent=None).execute()
    Position.delete().execute()
    SharingMode.delete().execute()
    access.forget_sharing_modes()


def reads(user, owner, family, s, parent_of):
    """The reference model's read answer for a record of ``family`` owned by ``owner``."""
    mode = s["modes"][family]
    return model_allows(user, owner, "account", "read", parent_of, (mode, mode, mode))


def build(s):
    """The scenario in the database; returns (parent_of, users, account, records) where records is a list of
    (timeline kind, id, search type, owner, family, subject) — subject (family, owner) or None for the account."""
    parent_of, nodes = {}, []
    for i, p in enumerate(s["parents"]):
        parent = nodes[p % i] if (p is not None and i) else None
        nodes.append(tree.create(f"P{i}", parent))
        parent_of[nodes[-1].id] = parent.id if parent else None
    users = []
    for k, (where, admin, active) in enumerate(s["users"]):
        pos = nodes[where % len(nodes)] if where is not None else None
        users.append(User.create(username=f"u{k}", password_hash="x", position=pos, is_admin=admin,
                                 active=active or admin))
    tick = iter(range(1000))

    def stamp(owner):
        clock.freeze(dt.datetime(2026, 3, 1) + dt.timedelta(minutes=0 if s["same_instant"] else next(tick)))
        return {"owner": owner.id, "created_by": owner.id, "modified_by": owner.id}

    def user(i):
        return users[i % len(users)]

    owner = user(s["account"])
    account = Account.create(name=f"{TERM} account", **stamp(owner))
    records = [("account_created", account.id, "account", owner, "account", None)]
    subjects = [("account", account.id, None)]
    for k, who in enumerate(s["contacts"]):
        c = Contact.create(last_name=f"{TERM} c{k}", account=account.id, **stamp(user(who)))
        records.append(("contact_created", c.id, "contact", user(who), "account", ("account", user(who))))
        subjects.append(("contact", c.id, ("account", user(who))))
    stage = SalesStage.select().first()
    for k, who in enumerate(s["opportunities"]):
        o = Opportunity.create(name=f"{TERM} o{k}", account=account.id, stage=stage, close_date=dt.date(2026, 6, 1),
                               **stamp(user(who)))
        subject = ("opportunity", user(who))
        records.append(("opportunity_created", o.id, "opportunity", user(who), "opportunity", subject))
        stamp(user(who))
        h = OpportunityStageHistory.create(opportunity=o.id, stage=stage, changed_at=clock.utcnow())
        records.append(("stage_change", h.id, None, user(who), "opportunity", subject))
        subjects.append(("opportunity", o.id, subject))
    for k, (source, who, about) in enumerate(s["items"]):
        type_name, subject_id, subject = subjects[about % len(subjects)]
        fields = stamp(user(who))
        if source == "calendar_task":
            row = CalendarTask.create(subject=f"{TERM} t{k}", due_date=dt.date(2026, 3, 2), related_type=type_name,
                                      related_id=subject_id, **fields)
            search_type = "calendar_task"
        elif source == "document":
            row = Document.create(title=f"{TERM} d{k}", related_type=type_name, related_id=subject_id, **fields)
            search_type = "document"
        elif source == "service_feedback":
            link = {"account": "account", "contact": "contact"}.get(type_name)
            row = Feedback.create(subject=f"{TERM} f{k}", received_at=clock.utcnow(),
                                  **({link: subject_id} if link else {"account": account.id}), **fields)
            subject = subject if link else None
            search_type = "feedback"
        else:
            row = Quote.create(number=f"{TERM}-{k}", **{type_name: subject_id}, **fields)
            search_type = "quote"
        records.append((source, row.id, search_type, user(who), SOURCES[source], subject))
    clock.freeze(None)
    for family, mode in s["modes"].items():
        set_mode(family, mode)
    return parent_of, users, account, records


def walk(user, account, limit):
    scope = timeline.scope_of(user, "account", account)
    seen, before = [], None
    for _ in range(100):
        page = timeline.timeline_page(user, scope, before, limit)
        assert len(page.items) <= limit
        seen += [i.key for i in page.items]
        if page.older is None:
            return seen
        before = page.older
    raise AssertionError("the pages never end")


SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@SETTINGS
@given(s=scenarios, limit=st.integers(1, 4))
def test_the_timeline_shows_exactly_what_the_reference_model_lets_the_viewer_read(app, s, limit):
    with app.test_request_context():
        reset()
        parent_of, users, account, records = build(s)
        for user in users:
            user = User.get_by_id(user.id)
            may_open = reads(user, records[0][3], "account", s, parent_of)
            assert access.can(user, "read", account) == may_open
            if not may_open:
                continue
            keys = walk(user, account, limit)
            assert len(keys) == len(set(keys)), "an item repeated across pages"
            assert keys == sorted(keys, reverse=True), "not newest first"
            want = {(kind, id_) for kind, id_, _t, owner, family, subject in records
                    if reads(user, owner, family, s, parent_of)
                    and (subject is None or reads(user, subject[1], subject[0], s, parent_of))}
            assert {(k, i) for _at, k, i in keys} == want, user.username


@SETTINGS
@given(s=scenarios)
def test_the_global_search_shows_exactly_what_the_reference_model_lets_the_viewer_read(app, s):
    with app.test_request_context():
        reset()
        parent_of, users, account, records = build(s)
        for user in users:
            user = User.get_by_id(user.id)
            found = {(h.rt.name, r.id) for h in search_all(user, TERM.lower()) for r in h.rows}
            want = {(search_type, id_) for _k, id_, search_type, owner, family, _s in records
                    if search_type and reads(user, owner, family, s, parent_of)}
            assert found == want, user.username
