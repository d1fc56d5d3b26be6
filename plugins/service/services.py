"""Service operations (客户服务): assignment by rule, response targets, status changes, replies, the
public form's intake and the breach job. Views parse and render; this module decides and writes.

Every change of an item goes through ``core.records.service.save``; the record hooks in ``plugin.py`` call
:func:`stamp` (timestamps, targets) before the write and :func:`announce` (timeline, notifications) after it,
so the generic record views, CSV import and these functions all behave the same.
"""
import datetime as dt
import logging

from flask import has_request_context, url_for
from flask_babel import force_locale
from peewee import JOIN, fn

from core import access, clock, mail, notify, publicforms
from core.babel import gettext as _
from core.db import db, transaction
from core import positions as position_tree
from core.models import Contact, Position, User
from core.records import service as record_service
from core.records.lookups import assignable_users
from plugins.service.models import (
    DEFAULT_TARGETS, HANDLED_STATUSES, ITEM_MODELS, OPEN_STATUSES, ServiceEvent, ServiceReply, ServiceSettings,
    ServiceTarget)

log = logging.getLogger(__name__)

# kind (URL slug, reply/event item_type) -> record type name registered with core
RECORD_TYPES = {"feedback": "feedback", "complaint": "complaint", "case": "service_case"}
KIND_OF_TYPE = {v: k for k, v in RECORD_TYPES.items()}
FIRST_RESPONSE_STATUSES = ("in_progress", "resolved", "closed")


class ServiceError(Exception):
    """A refused service operation; the message is shown to the user."""


PUBLIC = publicforms.VISITOR     # the author of a public-form submission: nobody logged in


def kind_of(record):
    for kind, model in ITEM_MODELS.items():
        if type(record) is model:
            return kind
    raise KeyError(type(record))


def local_text(at):
    """A stored UTC time as the organisation's wall-clock time, for notification texts."""
    return clock.to_local(at).strftime("%Y-%m-%d %H:%M")


def item_path(kind, item_id):
    if has_request_context():
        return url_for("service.detail", kind=kind, item_id=item_id)
    return f"/service/{kind}/{item_id}"


# --- targets and assignment ------------------------------------------------------------------------------

def targets():
    """priority -> (response minutes, resolution minutes), the admin's values over the defaults."""
    out = dict(DEFAULT_TARGETS)
    for row in ServiceTarget.select():
        out[row.priority] = (row.response_minutes, row.resolution_minutes)
    return out


def set_due_dates(item, resolution_from=None):
    response, resolution = targets().get(item.priority, DEFAULT_TARGETS["normal"])
    received = item.received_at or clock.utcnow()
    item.response_due_at = received + dt.timedelta(minutes=response)
    item.resolution_due_at = (resolution_from or received) + dt.timedelta(minutes=resolution)


def rule_candidates(settings, assigner=None):
    """Active users holding the chosen position or one below it, in a stable order (one indexed query); with
    an ``assigner``, only those core lets the assigner make owners (themselves and users below them)."""
    pos = Position.get_or_none(Position.id == settings.assign_position_id) if settings.assign_position_id else None
    if pos is None:
        return []
    query = User.select().where(User.id.in_(position_tree.users_in(pos)) & (User.active == True))  # noqa: E712
    if assigner is not None:
        query = query.where(User.id.in_(assignable_users(assigner).select(User.id).order_by()))
    return list(query.order_by(User.id))


def pick_assignee(assigner=None):
    """The next assignee by the admin's rule: round-robin within the position, else the default owner,
    else the first active administrator. The counter is bumped in SQL, so concurrent arrivals rotate.

    Staff entry passes the ``assigner``: the rule then picks only among the users core lets them make owners
    (never another class or the administrator), and falls back to the assigner themselves."""
    if not ServiceSettings.select().where(ServiceSettings.id == 1).exists():
        ServiceSettings.insert(id=1).on_conflict_ignore().execute()
    with db.atomic():
        # the UPDATE comes first: it takes the row's write lock before anything reads it, so concurrent
        # arrivals queue here (a shared lock first would deadlock on MariaDB)
        ServiceSettings.update(round_robin_counter=ServiceSettings.round_robin_counter + 1).where(
            ServiceSettings.id == 1).execute()
        settings = ServiceSettings.get_by_id(1)
        users = rule_candidates(settings, assigner)
        if users:
            return users[(settings.round_robin_counter - 1) % len(users)]
        owner = settings.default_owner if settings.default_owner_id else None
        if owner is not None and owner.active and (assigner is None or access.reaches_user(assigner, owner)):
            return owner
        if assigner is not None:
            return assigner
        admin = User.select().where(User.is_admin & User.active).order_by(User.id).first()
        if admin is None:
            raise ServiceError(_("Nobody can take this item: set a default owner in the service settings."))
        return admin


def superiors_of(user):
    """The assignee's superiors: active users in the parent position (walking further up while a position
    is empty); administrators when the assignee has no superior position."""
    pos = Position.get_or_none(Position.id == user.position_id) if user.position_id else None
    for ancestor in reversed(pos.ancestors() if pos else []):
        holders = list(User.select().where((User.position == ancestor.id) & (User.active == True)))  # noqa: E712
        if holders:
            return holders
    return list(User.select().where(User.is_admin & User.active & (User.id != user.id)))


# --- the record hooks ------------------------------------------------------------------------------------

def stamp(kind, item, created, changes):
    """Before the write: received time, targets, first response, handled time, reopening."""
    now = clock.utcnow()
    if created:
        item.received_at = item.received_at or now
        if item.status == "new" and item.owner_id:
            item.status = "assigned"
        set_due_dates(item)
    elif "priority" in changes or "received_at" in changes:
        set_due_dates(item, resolution_from=item.received_at)
        item.response_breached_at = item.resolution_breached_at = None
    status_changed = created or "status" in changes
    if status_changed and item.status in FIRST_RESPONSE_STATUSES and item.first_response_at is None:
        mark_first_response(item, now)
    if status_changed and item.status in HANDLED_STATUSES and item.resolved_at is None:
        item.resolved_at = now if not created else max(now, item.received_at)
        item.resolution_minutes = minutes_between(item.received_at, item.resolved_at)
    if status_changed and not created and item.status in OPEN_STATUSES and item.resolved_at is not None:
        item.resolved_at = None            # reopened: no longer handled, a fresh resolution target
        item.resolution_minutes = None
        set_due_dates(item, resolution_from=now)
        item.resolution_breached_at = None


def mark_first_response(item, at):
    item.first_response_at = at
    item.first_response_minutes = minutes_between(item.received_at, at)


def minutes_between(start, end):
    return max(0, int((end - start).total_seconds() // 60))


def announce(kind, item, user, created, changes):
    """After the write: the timeline, and the assignee's notification."""
    actor = user.id if getattr(user, "id", None) else None
    # a new item's timeline starts when the customer's message was received (perhaps typed in later)
    at = item.received_at if created else None
    if created:
        event(kind, item.id, "created", "", item.status, actor, at)
    elif "status" in changes:
        old, new = changes["status"]
        event(kind, item.id, "status", old or "", new or "", actor)
    if created or "owner" in changes:
        old = changes.get("owner", [None, None])[0] if not created else None
        event(kind, item.id, "assigned", str(old or ""), str(item.owner_id), actor, at)
        if item.owner_id and item.owner_id != actor and item.is_open:   # (an imported old case: no)
            notify_assignee(kind, item)


def event(kind, item_id, what, old, new, user_id, at=None):
    """A timeline entry, at ``at`` (default: now)."""
    ServiceEvent.create(item_type=kind, item_id=item_id, kind=what, old_value=str(old)[:200],
                        new_value=str(new)[:200], user=user_id, at=at or clock.utcnow())


def notify_assignee(kind, item):
    owner = User.get_by_id(item.owner_id)
    with force_locale(owner.language or "zh"):
        title = {"feedback": _("New feedback for you: %(subject)s", subject=item.subject),
                 "complaint": _("New complaint for you: %(subject)s", subject=item.subject),
                 "case": _("New service case for you: %(subject)s", subject=item.subject)}[kind]
        body = _("Please respond by %(due)s.", due=local_text(item.response_due_at)) \
            if item.response_due_at else ""
    notify.send(owner, title, body=body, link=item_path(kind, item.id), kind="service.assigned")


# --- operations ------------------------------------------------------------------------------------------

def create(kind, item, user, assign_by_rule=False):
    """A new item from staff entry (``user``) or the public form (``PUBLIC``)."""
    if assign_by_rule or not item.__data__.get("owner"):
        if assign_by_rule or user is PUBLIC:
            item.owner = pick_assignee(None if user is PUBLIC else user)
    record_service.save(RECORD_TYPES[kind], item, user)
    return item


def update(kind, item, user, before):
    try:
        return record_service.save(RECORD_TYPES[kind], item, user, before)
    except PermissionError:
        raise ServiceError(_("You may not change this item."))


def change_status(kind, item, user, status, resolution=None):
    before = record_service.field_values(item)
    item.status = status
    if resolution is not None and resolution.strip():
        item.resolution = resolution.strip()
    return update(kind, item, user, before)


def reassign(kind, item, user, new_owner):
    before = record_service.field_values(item)
    item.owner = new_owner.id
    if item.status == "new":
        item.status = "assigned"
    return update(kind, item, user, before)


def add_reply(kind, item, user, body, to_customer=False, parent_id=None):
    """A reply (to the customer) or an internal comment; the first reply to the customer is the first
    response."""
    body = (body or "").strip()
    if not body:
        raise ServiceError(_("Write something first."))
    parent = None
    if parent_id:
        parent = ServiceReply.get_or_none((ServiceReply.id == parent_id) & (ServiceReply.item_type == kind)
                                          & (ServiceReply.item_id == item.id))
        if parent is None:
            raise ServiceError(_("The reply you answer does not belong to this item."))
    with db.atomic():
        reply = ServiceReply.create(item_type=kind, item_id=item.id, parent=parent, author=user.id, body=body,
                                    to_customer=bool(to_customer), created_at=clock.utcnow())
        event(kind, item.id, "reply", "", "customer" if to_customer else "internal", user.id)
        address = customer_address(item, user) if to_customer else ""
        if address:  # sent by core's outbox, filed on the item (its send log shows it)
            mail.queue(RECORD_TYPES[kind], item, address, _("Re: %(subject)s", subject=item.subject), body, user,
                       to_name=_customer_name(item, user))
        if to_customer and item.first_response_at is None:
            before = record_service.field_values(item)
            mark_first_response(item, clock.utcnow())
            if item.status in ("new", "assigned"):
                item.status = "in_progress"
            update(kind, item, user, before)
    return reply


def _customer(item, user):
    if not item.contact_id:
        return None
    return access.visible(Contact.select(), user, "contact").where(Contact.id == item.contact_id).first()


def customer_address(item, user):
    """Where a reply to the customer goes: the item's contact's e-mail (if ``user`` may read the contact),
    else the address the submitter gave; "" when there is none (the reply is recorded, not sent)."""
    contact = _customer(item, user)
    for address in (contact.email if contact is not None else "", item.submitter_email):
        if mail.valid_address(address):
            return address
    return ""


def _customer_name(item, user):
    contact = _customer(item, user)
    return contact.name if contact is not None and mail.valid_address(contact.email) else item.submitter_name


def thread(kind, item_id):
    """The replies as (reply, depth) in thread order."""
    rows = list(ServiceReply.select(ServiceReply, User).join(User, on=(ServiceReply.author == User.id),
                                                             join_type=JOIN.LEFT_OUTER)
                .where((ServiceReply.item_type == kind) & (ServiceReply.item_id == item_id))
                .order_by(ServiceReply.created_at, ServiceReply.id))
    children = {}
    for r in rows:
        children.setdefault(r.parent_id, []).append(r)
    out = []

    def walk(parent_id, depth):
        for r in children.get(parent_id, []):
            out.append((r, min(depth, 6)))
            walk(r.id, depth + 1)
    walk(None, 0)
    return out


def timeline(kind, item_id):
    return list(ServiceEvent.select(ServiceEvent, User).join(User, on=(ServiceEvent.user == User.id),
                                                             join_type=JOIN.LEFT_OUTER)
                .where((ServiceEvent.item_type == kind) & (ServiceEvent.item_id == item_id))
                .order_by(ServiceEvent.at, ServiceEvent.id))


# --- the public form -------------------------------------------------------------------------------------

def find_or_create_contact(email, name, phone, owner):
    """The one contact with this e-mail (any owner), or a new one owned by the assignee; None when several
    contacts share the address (linking one of them would be a guess). The assignee may not be able to read
    the contact found: the item's pages then name it as core.names says, never by its name or account."""
    email = email.strip().lower()
    found = list(Contact.select().where(fn.LOWER(Contact.email) == email).order_by(Contact.id).limit(2))
    if found:
        return found[0] if len(found) == 1 else None
    name = (name or "").strip() or email.split("@")[0]
    contact = Contact(last_name=name[:100], email=email, phone=(phone or "")[:50], owner=owner.id,
                      lead_source="web")
    record_service.save("contact", contact, PUBLIC)
    return contact


def submit_public(kind, subject, message, email, name="", phone="", category="other", channel="web"):
    """Create feedback or a complaint from the public form (or an e-mail: ``channel``), assigned by the rule,
    contact found by e-mail."""
    model = ITEM_MODELS[kind]
    with db.atomic():
        owner = pick_assignee()
        contact = find_or_create_contact(email, name, phone, owner)
        item = model(subject=subject, description=message, channel=channel, priority="normal", status="new",
                     owner=owner.id, contact=contact.id if contact else None,
                     account=contact.account_id if contact else None,
                     submitter_name=(name or "")[:100], submitter_email=email.strip().lower(),
                     submitter_phone=(phone or "")[:50])
        if kind == "complaint":
            item.category = category
        create(kind, item, PUBLIC)
    return item


def open_from_mail(message):
    """Feedback (channel e-mail) from an inbound reply of an unknown sender (``core.mail.InboundMail``),
    assigned by the rule like the public form's, the message filed on it; None when it has no sender."""
    if not message.from_address:
        return None
    item = submit_public("feedback", (message.subject or _("E-mail from %(address)s", address=message.from_address))[:200],
                         message.body or "", message.from_address, message.from_name, channel="email")
    message.record_type, message.record_id = "feedback", item.id
    return item


# --- the breach job --------------------------------------------------------------------------------------

def overdue_expression(model, now):
    """SQL: the item has missed its response or resolution target."""
    is_open = model.status.in_(OPEN_STATUSES)
    return is_open & (((model.first_response_at.is_null()) & (model.response_due_at < now))
                      | (model.resolution_due_at < now))


def check_breaches(app=None):
    """Flag items past their targets and tell the assignee's superiors, exactly once per breach: the flag
    is set with a conditional UPDATE, and each notification carries a unique key (item, target, due time,
    recipient), so a second or concurrent run sends nothing again. Returns the number of notifications."""
    now = clock.utcnow()
    sent = 0
    for kind, model in ITEM_MODELS.items():
        checks = (
            ("response", model.response_due_at, model.response_breached_at, model.first_response_at.is_null()),
            ("resolution", model.resolution_due_at, model.resolution_breached_at, None),
        )
        for target, due, flag, extra in checks:
            cond = model.status.in_(OPEN_STATUSES) & due.is_null(False) & (due < now) & flag.is_null()
            if extra is not None:
                cond &= extra
            # read the whole list first: a write while a SELECT cursor is still open would upgrade a stale
            # SQLite snapshot, which fails at once instead of waiting for the other scheduler
            for item in list(model.select().where(cond).order_by(model.id)):
                sent += transaction(breach, kind, model, item, target, flag, now)
    return sent


def breach(kind, model, item, target, flag, now):
    """Claim one breach (a conditional UPDATE of its flag) and tell the superiors; the caller's transaction."""
    due_at = getattr(item, f"{target}_due_at")
    sent = 0
    claimed = model.update({flag: now}).where((model.id == item.id) & flag.is_null()).execute()
    if claimed != 1:
        return 0
    event(kind, item.id, "breach", target, local_text(due_at), None)
    owner = User.get_by_id(item.owner_id)
    for boss in superiors_of(owner):
        with force_locale(boss.language or "zh"):
            title = (_("Response target missed: %(subject)s", subject=item.subject) if target == "response"
                     else _("Resolution target missed: %(subject)s", subject=item.subject))
            body = _("Assigned to %(user)s; the target was %(due)s.", user=owner.display_name,
                     due=local_text(due_at))
        key = f"service:breach:{kind}:{item.id}:{target}:{due_at:%Y%m%d%H%M}:{boss.id}"
        sent += notify.send(boss, title, body=body, link=item_path(kind, item.id), kind="service.breach",
                            key=key)
    return sent

