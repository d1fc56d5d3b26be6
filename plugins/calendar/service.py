"""Calendar services: whose calendars, occurrences in a window, busy masking, writes, reminders.

Every query of events and tasks starts from ``core.access.visible``; this module only narrows by owner
and date and expands recurrences. A private event of someone else is *masked* (shown as "busy") after the
query — the row is visible, its details are not; a search matches only what the viewer may read unmasked.
While an instructor views as a student, every private event is masked, as the student's superior sees it.
"""
import datetime as _dt
import uuid
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import g, has_request_context, session
from flask_babel import force_locale

from core import access, clock, names, notify
from core import positions as position_tree
from core.babel import gettext as _
from core.classroom.scope import class_of
from core.db import db, transaction
from core.models import Organisation, Position, User
from core.records import service as records
from core.records.lookups import small_owner_choices
from plugins.calendar import recurrence
from plugins.calendar.models import CalendarEvent, CalendarInvitee, CalendarTask

EVENT = "calendar_event"
TASK = "calendar_task"
PALETTE = ("#2563eb", "#16a34a", "#d97706", "#9333ea", "#dc2626", "#0891b2", "#db2777", "#65a30d",
           "#7c3aed", "#ea580c")
DAY = _dt.timedelta(days=1)


def colour_of(user_id):
    """A stable colour per person, so a team's calendars can be told apart."""
    return PALETTE[(user_id or 0) % len(PALETTE)]


def new_uid():
    return f"{uuid.uuid4()}@zhixin"


# --- whose calendars --------------------------------------------------------------------------------

def choices(user):
    """(options, many): the "whose calendars" options — me, my team (if I lead one), each person below me,
    everyone I may see — and whether the team is too large to list (more than OWNER_SELECT_LIMIT: then the
    page offers core's type-ahead for a user name instead of one option per person)."""
    people = small_owner_choices(user)  # kept in the settings cache; None when many
    others = [(str(i), label) for i, label in people or () if i and i != user.id]
    out = [("me", _("My calendar"))]
    if others or people is None:
        out.append(("team", _("My team")))
    out += others
    out.append(("all", _("Everyone I may see")))
    return out, people is None


def owners_for(user, who):
    """User ids to show for ``who`` (None = no owner narrowing; visibility still applies)."""
    if who == "all":
        return None
    if who == "team":
        below = access.subordinate_users(user)
        return [user.id] + ([row.id for row in below] if below is not None else [])
    if who and who.isdigit():
        return [int(who)]
    return [user.id]


# --- events and occurrences ------------------------------------------------------------------------

@dataclass
class Occurrence:
    """One showing of an event in a window. ``start``/``end`` are naive local datetimes (all-day: midnight)."""
    event: CalendarEvent
    start: _dt.datetime
    end: _dt.datetime
    recurrence_id: _dt.datetime = None   # stored form of the original start (UTC, or floating for all-day)
    masked: bool = False

    @property
    def title(self):
        return _("Busy") if self.masked else self.event.subject

    @property
    def all_day(self):
        return self.event.all_day

    @property
    def colour(self):
        return colour_of(self.event.owner_id)

    @property
    def key(self):
        """The occurrence parameter of links: the stored original start (series) or empty (single)."""
        return self.recurrence_id.strftime("%Y%m%dT%H%M%S") if self.recurrence_id else ""

    @property
    def local_end_day(self):
        """The last local day the occurrence covers (an all-day end is exclusive)."""
        end = self.end - _dt.timedelta(microseconds=1) if self.end > self.start else self.end
        return end.date()


def viewing_as():
    """Is an instructor viewing as a student in this request (``core.classroom`` then sets
    ``g.view_as_real_user``; the session says it is this request's, as ``g`` may outlive a request)?"""
    return has_request_context() and bool(session.get("view_as")) and g.get("view_as_real_user") is not None


def is_masked(event, user):
    """Someone else's private event: only its time shows, as "busy" (owner and administrator see it all;
    an instructor viewing as a student sees the student's own private events as their superior does)."""
    return bool(event.private) and (viewing_as() or (event.owner_id != user.id and not user.is_admin))


def unmasked(user):
    """The events :func:`is_masked` leaves readable in full, as a query expression (None = all of them)."""
    if viewing_as():
        return CalendarEvent.private == False  # noqa: E712
    if user.is_admin:
        return None
    return (CalendarEvent.private == False) | (CalendarEvent.owner == user.id)  # noqa: E712


def local_span(event):
    """(start, end) of a stored event as naive local datetimes (all-day dates are floating)."""
    if event.all_day:
        return event.start, event.end
    tz = clock.org_timezone()
    return (clock.to_local(event.start, tz).replace(tzinfo=None),
            clock.to_local(event.end, tz).replace(tzinfo=None))


def stored_from_local(value, all_day):
    """A naive local datetime as stored: floating for all-day events, UTC otherwise."""
    return value if all_day else clock.to_utc(value)


def local_from_stored(value, all_day):
    return value if all_day else clock.to_local(value).replace(tzinfo=None)


def parse_key(key):
    try:
        return _dt.datetime.strptime(key, "%Y%m%dT%H%M%S") if key else None
    except ValueError:
        return None


def visible_events(user, owners=None):
    query = access.visible(CalendarEvent.select(), user, EVENT)
    if owners is not None:
        query = query.where(CalendarEvent.owner.in_(owners))
    return query


def occurrences(user, first_day, last_day, owners=None, search="", query=None):
    """The occurrences overlapping the local days [first_day, last_day], sorted by start."""
    lo = _dt.datetime.combine(first_day, _dt.time())
    hi = _dt.datetime.combine(last_day + DAY, _dt.time())
    # a UTC prefilter wide enough for any zone and for floating all-day dates; exact checks follow
    lo_utc, hi_utc = clock.to_utc(lo) - DAY, clock.to_utc(hi) + DAY
    base = query if query is not None else visible_events(user, owners)
    if search:  # never in masked text: a match would tell what a "busy" slot is
        readable = unmasked(user)
        base = base.where(CalendarEvent.subject.contains(search) | CalendarEvent.location.contains(search))
        base = base if readable is None else base.where(readable)
    # single events overlapping the window and series begun before its end: one statement, split here
    rows = list(base.where(CalendarEvent.series.is_null() & (CalendarEvent.start < hi_utc)
                           & ((CalendarEvent.rrule != "") | (CalendarEvent.end > lo_utc))))
    series = [e for e in rows if e.rrule != ""]
    out = [Occurrence(e, *local_span(e)) for e in rows if e.rrule == ""]
    exceptions = {}
    if series:
        for ex in visible_events(user).where(CalendarEvent.series.in_([s.id for s in series])):
            exceptions.setdefault(ex.series_id, []).append(ex)
    for s in series:
        out += series_occurrences(s, lo, hi, exceptions.get(s.id, []))
    out = [o for o in out if o.end > lo and o.start < hi or (o.start == o.end and lo <= o.start < hi)]
    for o in out:
        o.masked = is_masked(o.event, user)
    if search:
        out = [o for o in out if not o.masked]
    return sorted(out, key=lambda o: (o.start, not o.all_day, o.event.id))


def zone_of(event):
    """The zone a series repeats in: its own (kept from the file it was imported from) or the organisation's."""
    if event.timezone:
        try:
            return ZoneInfo(event.timezone)
        except (ZoneInfoNotFoundError, ValueError):  # a zone this machine's tz database lacks
            pass
    return clock.org_timezone()


def occurrence_ids(series, lo, hi):
    """The stored original starts (UTC, or floating for all-day) of a series' occurrences overlapping the
    local window [lo, hi): the rule is expanded in the series' own zone, so 09:00 New York stays 09:00 there
    on both sides of a daylight-saving change while its hour in the organisation's zone moves."""
    duration = series.end - series.start
    if series.all_day:  # floating dates cross no zone
        return _expand(series, series.start, duration, lo, hi)
    zone, org = zone_of(series), clock.org_timezone()
    start = clock.to_local(series.start, zone).replace(tzinfo=None)
    lo, hi = (clock.to_local(clock.to_utc(value, org), zone).replace(tzinfo=None) for value in (lo, hi))
    # a day's margin: wall-clock spans differ from real ones across a change; callers keep what overlaps
    return [clock.to_utc(occ, zone) for occ in _expand(series, start, duration, lo - DAY, hi + DAY)]


def _expand(series, start, duration, lo, hi):
    try:
        return recurrence.expand(series.rrule, start, duration, lo, hi)
    except recurrence.RecurrenceError:  # an unreadable rule shows its first occurrence only
        return [start]


def _occurrence_at(series, rid):
    """The occurrence of ``series`` originally starting at the stored ``rid``, in local time."""
    start = local_from_stored(rid, series.all_day)
    end = local_from_stored(rid + (series.end - series.start), series.all_day)
    return Occurrence(series, start, end, recurrence_id=rid)


def series_occurrences(series, lo, hi, exceptions):
    """A recurring event's occurrences in [lo, hi) (local), with its exception rows applied."""
    replaced = {ex.recurrence_id for ex in exceptions if ex.recurrence_id}
    out = [_occurrence_at(series, rid) for rid in occurrence_ids(series, lo, hi) if rid not in replaced]
    for ex in exceptions:
        if not ex.cancelled:
            out.append(Occurrence(ex, *local_span(ex), recurrence_id=ex.recurrence_id))
    return out


def find_occurrence(event, key):
    """The occurrence of a series starting (originally) at ``key``, or the event itself."""
    rid = parse_key(key)
    if not event.recurring or rid is None:
        return Occurrence(event, *local_span(event))
    return _occurrence_at(event, rid)


def exception_for(series, rid):
    return CalendarEvent.get_or_none((CalendarEvent.series == series.id) & (CalendarEvent.recurrence_id == rid))


def detach_occurrence(series, rid, user, **changes):
    """Write (or update) the exception row replacing the occurrence ``rid`` of ``series``."""
    ex = exception_for(series, rid)
    before = records.field_values(ex) if ex else {}
    if ex is None:
        occ = find_occurrence(series, rid.strftime("%Y%m%dT%H%M%S"))
        ex = CalendarEvent(
            subject=series.subject, all_day=series.all_day, location=series.location,
            description=series.description, related_type=series.related_type, related_id=series.related_id,
            private=series.private, reminder_minutes=series.reminder_minutes, owner=series.owner_id,
            series=series.id, recurrence_id=rid, uid=series.uid,
            start=stored_from_local(occ.start, series.all_day), end=stored_from_local(occ.end, series.all_day))
    for name, value in changes.items():
        setattr(ex, name, value)
    records.save(EVENT, ex, user, before)
    return ex


def move(event, key, new_start_local, new_end_local, user):
    """Drag and drop: move/resize a single event, or one occurrence of a series (an exception row)."""
    if new_end_local < new_start_local:
        raise ValueError(_("The end cannot be before the start."))
    start = stored_from_local(new_start_local, event.all_day)
    end = stored_from_local(new_end_local, event.all_day)
    rid = parse_key(key)
    with db.atomic():
        if event.recurring and rid is not None:
            return detach_occurrence(event, rid, user, start=start, end=end)
        before = records.field_values(event)
        event.start, event.end = start, end
        records.save(EVENT, event, user, before)
        return event


def shift_exceptions(series, delta):
    """The series moved by ``delta``: its exception rows follow, so they still replace their occurrences."""
    for ex in CalendarEvent.select().where(CalendarEvent.series == series.id):
        CalendarEvent.update(recurrence_id=ex.recurrence_id + delta).where(CalendarEvent.id == ex.id).execute()


def delete_occurrence(series, rid, user):
    """Remove one occurrence of a series: a cancelled exception row (an EXDATE in iCalendar)."""
    with db.atomic():
        return detach_occurrence(series, rid, user, cancelled=True)


def invitable_users(user):
    """The colleagues ``user`` may invite (and so notify): the active users of their class — its lead, its
    departments and students — and those above them; an instructor, everyone below; the administrator,
    anyone. Nobody for a user without a position, and never users of another class."""
    query = User.select().where(User.active & (User.id != user.id))
    if user.is_admin:
        return query
    position = Position.get_or_none(Position.id == user.position_id) if user.position_id else None
    if position is None or not position_tree.valid_path(position.path):
        return query.where(User.id.is_null())
    above = [int(i) for i in position.path.strip("/").split("/")]
    team = class_of(user) or position
    return query.where(User.id.in_(position_tree.users_in(team)) | User.position.in_(above))


def invitees_of(event):
    return list(CalendarInvitee.select().where(CalendarInvitee.event == (event.series_id or event.id)))


def invitee_problems(user, event, user_ids, contact_ids):
    """{"users"|"contacts": message} for the new invitees ``user`` may not invite to ``event``: colleagues
    out of :func:`invitable_users`, contacts they may not read. Those invited already stay as they are."""
    stored = invitees_of(event) if event.id else []
    new_users = set(user_ids) - {i.user_id for i in stored}
    new_contacts = set(contact_ids) - {i.contact_id for i in stored}
    problems = {}
    if new_users and invitable_users(user).where(User.id.in_(new_users)).count() != len(new_users):
        problems["users"] = _("You may invite only colleagues of your own class.")
    if new_contacts - names.readable_ids(user, "contact", new_contacts):
        problems["contacts"] = _("There is no such contact, or you may not see it.")
    return problems


def set_invitees(event, user_ids, contact_ids):
    """Replace the invitee list, keeping the answers of those who stay invited (checked by the caller with
    :func:`invitee_problems`)."""
    current = list(CalendarInvitee.select().where(CalendarInvitee.event == event.id))
    keep_users = {i.user_id for i in current if i.user_id}
    keep_contacts = {i.contact_id for i in current if i.contact_id}
    for inv in current:
        if (inv.user_id and inv.user_id not in user_ids) or (inv.contact_id and inv.contact_id not in contact_ids):
            inv.delete_instance()
    added = []
    for uid in user_ids:
        if uid not in keep_users:
            added.append(CalendarInvitee.create(event=event.id, user=uid))
    for cid in contact_ids:
        if cid not in keep_contacts:
            CalendarInvitee.create(event=event.id, contact=cid)
    return added


def answer(invitee, value):
    invitee.answer = value
    invitee.answered_at = clock.utcnow()
    invitee.save()


# --- tasks ----------------------------------------------------------------------------------------

def visible_tasks(user, owners=None):
    query = access.visible(CalendarTask.select(), user, TASK)
    if owners is not None:
        query = query.where(CalendarTask.owner.in_(owners))
    return query


def open_tasks(query):
    return query.where(CalendarTask.status.not_in(("completed", "deferred")))


def complete_task(task, user):
    before = records.field_values(task)
    task.status = "completed"
    task.completed_at = clock.utcnow()
    records.save(TASK, task, user, before)


def quick_task(user, subject, due=None, priority="normal"):
    task = CalendarTask(subject=subject.strip()[:200], due_date=due or clock.today(), priority=priority,
                        owner=user.id, uid=new_uid())
    records.save(TASK, task, user)
    return task


# --- reminders ------------------------------------------------------------------------------------

MAX_REMINDER_MINUTES = 7 * 24 * 60
CATCH_UP = _dt.timedelta(hours=1)   # a reminder still goes out this long after the start (or until the end)


def due_reminders(now):
    """(event, occurrence start UTC) pairs whose reminder time (start − lead) has come and that have not ended
    (or started at most ``CATCH_UP`` ago): "at the start" (lead 0) is due from the start, and a reminder
    missed while no scheduler ran (or whose run failed) goes out on the next run while it is still of use."""
    horizon = now + _dt.timedelta(minutes=MAX_REMINDER_MINUTES) + DAY
    rows = list(CalendarEvent.select()
                .where(CalendarEvent.reminder_minutes.is_null(False) & ~CalendarEvent.cancelled
                       & (CalendarEvent.start <= horizon)
                       & ((CalendarEvent.rrule != "") | (CalendarEvent.end > now - DAY))))
    out = []
    local_now = clock.to_local(now).replace(tzinfo=None)
    for event in rows:
        lead = _dt.timedelta(minutes=event.reminder_minutes)
        start, end = local_span(event)
        if event.recurring:
            # expanded in the series' own zone (an imported New York meeting reminds at its New York hour)
            replaced = {ex.recurrence_id for ex in event.exceptions}
            stored = [rid for rid in occurrence_ids(event, local_now - CATCH_UP, local_now + lead + DAY)
                      if rid not in replaced]
            starts = [local_from_stored(rid, event.all_day) for rid in stored]
        else:
            starts = [start]
        for occ in starts:
            occ_utc = clock.to_utc(occ)
            until = max(occ_utc + (end - start), occ_utc + CATCH_UP)
            if occ_utc - lead <= now < until:
                out.append((event, occ_utc))
    return out


def send_reminders(app=None):
    """The reminder job: each occurrence reminds its owner and invited users exactly once (unique key).
    Everything is read first (no cursor stays open while writing: SQLite could not then write), then each
    reminder is one short transaction, retried while the database is busy."""
    now = clock.utcnow()
    default_language = Organisation.get_profile().default_language or "zh"
    sent = 0
    for event, occ_utc in due_reminders(now):
        people = {event.owner_id}
        people |= {i.user_id for i in CalendarInvitee.select().where(
            (CalendarInvitee.event == (event.series_id or event.id)) & CalendarInvitee.user.is_null(False)
            & (CalendarInvitee.answer != "declined"))}
        when = clock.to_local(occ_utc).strftime("%Y-%m-%d %H:%M")
        link = f"/calendar/events/{event.id}"
        if event.recurring:
            link += "?occurrence=" + stored_from_local(clock.to_local(occ_utc).replace(tzinfo=None),
                                                       event.all_day).strftime("%Y%m%dT%H%M%S")
        for person in list(User.select().where(User.id.in_(list(people)) & User.active).order_by(User.id)):
            key = f"calendar:{event.id}:{occ_utc:%Y%m%dT%H%M}:{person.id}"
            # in the reader's language (no request here, so no locale from a browser)
            with force_locale(person.language or default_language):
                title = _("Reminder: %(subject)s at %(when)s", subject=event.subject, when=when)
            sent += transaction(notify.send, person, title, body=event.location, link=link,
                                kind="calendar_reminder", key=key)
    return sent
