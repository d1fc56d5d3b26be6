"""Calendar pages: the month/week/day/agenda views and events. Tasks and the daily work plan are in
``task_views``, iCalendar in ``ical_views`` — all on this one blueprint."""
import datetime as _dt
import functools
from collections import defaultdict
from dataclasses import dataclass

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from core import access, clock, names, notify
from core.babel import gettext as _
from core.db import db
from core.extension import CalendarItem
from core.models import Contact, User
from core.records import service as records
from core.records.lookups import assignable_by_id, assignable_by_name
from core.web import Page, fail, page_number, paginate, safe_next
from plugins.calendar import periods, recurrence, related, service
from plugins.calendar.forms import ANSWER_LABELS, PRIORITY_LABELS, STATUS_LABELS, EventForm, ch
from plugins.calendar.models import ANSWERS, CalendarEvent, CalendarInvitee, CalendarTask
from plugins.calendar.service import EVENT

bp = Blueprint("calendar", __name__, url_prefix="/calendar", static_folder="static",
               static_url_path="/static")
HOURS = range(0, 24)


def _user():
    return current_user._get_current_object()


def _parse_date(value, default=None):
    """A date from the address; out-of-range years (which would overflow the view's arithmetic) are ignored."""
    try:
        day = _dt.date.fromisoformat(value) if value else default
    except ValueError:
        return default
    return day if day is None or 1900 <= day.year <= 2200 else default


def _parse_local(value):
    """A local date-time from a slot or a drag ("2026-05-04T09:00"), or None."""
    try:
        return _dt.datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


@bp.app_template_filter("cal_skel")
def _skeleton(value, skeleton="yMMMEd"):
    """Dates in the reader's language: "2026年5月" / "May 2026"."""
    from babel.dates import format_skeleton
    from flask_babel import get_locale
    return format_skeleton(skeleton, value, locale=get_locale() or "zh")


@bp.app_template_global("calendar_labels")
def _labels():
    return {"priority": PRIORITY_LABELS, "status": STATUS_LABELS, "answer": ANSWER_LABELS}


# --- the views ----------------------------------------------------------------------------------------

def who_of(user):
    """Whose calendars: ``who`` (an option of the select), or ``who_name`` — the type-ahead's user name, of
    someone the viewer may assign (themselves or below) — as that user's id; an unknown name is 404."""
    name = (request.args.get("who_name") or "").strip()
    if not name:
        return request.args.get("who", "me")
    found = assignable_by_name(user, name)
    if found is None:
        fail(404, _("Nobody called %(name)s is in your team.", name=name))
    return str(found.id)


def who_picker(user, who):
    """What the "whose" picker needs: (choices, many, the name of the person ``who`` names when the choices
    do not list them — a large team's member picked by user name)."""
    choices, many = service.choices(user)
    shown = ""
    if many and who.isdigit() and who not in {key for key, _label in choices}:
        person = assignable_by_id(user, who)  # nobody out of reach is named
        shown = person.display_name if person is not None else ""
    return dict(choices=choices, many_people=many, who_label=shown)


@bp.route("/")
@login_required
def index():
    user = _user()
    view = request.args.get("view", "month")
    if view not in periods.VIEWS:
        view = "month"
    today = clock.today()
    day = _parse_date(request.args.get("date"), today)
    who = who_of(user)
    owners = service.owners_for(user, who)
    search = request.args.get("q", "").strip()
    quarter = request.args.get("quarter", "") if view == "agenda" else ""
    first, last = periods.span(view, day)
    if quarter:
        span = periods.quarter_range(quarter)
        if span is None:
            fail(400, _("Unknown quarter %(key)s.", key=quarter))
        first, last = span
    items = service.occurrences(user, first, last, owners, search=search)
    tasks = list(service.visible_tasks(user, owners).where(
        (CalendarTask.due_date >= first) & (CalendarTask.due_date <= last)).order_by(
        CalendarTask.due_date, CalendarTask.due_time))
    cap = EXTRAS_PER_DAY if view in ("month", "week") else None
    per_page = current_app.config["PAGE_SIZE"]
    page_no = page_number() if view == "agenda" else 1  # an agenda's items are computed: cut in Python
    from plugins.calendar.plugin import first_closing, opportunities_closing
    if cap:  # the few opportunities closing a day that a cell shows, and how many more
        closing = functools.partial(opportunities_closing, per_day=cap)
    elif view == "agenda":  # the opportunities closing up to the page shown, and how many more
        closing = functools.partial(first_closing, limit=page_no * per_page)
    else:  # a day: all of them, from the hook
        closing = None
    extras, unread = ([], None) if search else _contributed(user, first, last, owners, closing)
    people = {u.id: u for u in User.select().where(User.id.in_(
        {o.event.owner_id for o in items} | {t.owner_id for t in tasks}))} if items or tasks else {}
    args = {"view": view, "who": who}
    if search:
        args["q"] = search
    ctx = dict(view=view, day=day, today=today, first=first, last=last, who=who, args=args, search=search,
               items=items, tasks=tasks, people=people, colour=service.colour_of, **who_picker(user, who),
               prev_day=periods.step(view, day, -1), next_day=periods.step(view, day, 1), quarter=quarter,
               quarters=periods.quarter_choices(day) if view == "agenda" else [])
    if view in ("month", "week", "day"):
        ctx["day_url"] = _link_with_last(url_for("calendar.index", **dict(args, view="day", date=_SENTINEL)))
        ctx["new_on"] = _link_with_last(url_for("calendar.event_new", date=_SENTINEL))
    if view == "month":
        ctx["weeks"] = _month_weeks(first, last, items, tasks, extras, unread or {})
    elif view in ("week", "day"):
        ctx["columns"] = _day_columns(first, last, items, tasks, extras, cap, unread)
        ctx["grid"] = _hour_grid(ctx["columns"])
    else:
        rows = [(o.start, "event", o) for o in items] + [
            (_dt.datetime.combine(t.due_date, t.due_time or _dt.time()), "task", t) for t in tasks] + [
            (_dt.datetime.combine(x.day, x.time or _dt.time()), "other", x) for x in extras]
        rows.sort(key=lambda r: (r[0], r[1]))  # stable: the opportunities read stay in their order
        ctx["agenda"] = rows[(page_no - 1) * per_page: page_no * per_page]
        ctx["agenda_page"] = Page([], page_no, per_page, len(rows) + (unread or 0))
    return render_template("calendar/view.html", **ctx)


@dataclass
class Contributed:
    """An item another module returned from ``zhixin_calendar_items``, placed on a local day."""
    item: CalendarItem
    day: _dt.date
    time: _dt.time = None


def _contributed(user, first, last, owners, closing=None):
    """(other modules' items for the local days [first, last] narrowed to the chosen people, what ``closing``
    says of the opportunities it did not read). ``closing(user, first, last, owners)``: (the opportunities
    closing that the page shows, what of the others it shows) — drawn by the page, not the hook, so that
    only those few are read; without it the hook's."""
    lo = clock.to_utc(_dt.datetime.combine(first, _dt.time()))
    hi = clock.to_utc(_dt.datetime.combine(last + periods.DAY, _dt.time()))
    drawn = frozenset(("event", "task", "opportunity") if closing else ("event", "task"))
    from plugins.calendar.plugin import DRAWN_BY_PAGE
    token = DRAWN_BY_PAGE.set(drawn)  # the hook leaves out the plugin's own kinds this page draws itself
    try:
        gathered = current_app.extensions["zhixin_plugins"].gather("zhixin_calendar_items", user=user,
                                                                   start=lo, end=hi, owners=owners)
    finally:
        DRAWN_BY_PAGE.reset(token)
    wanted = None if owners is None else set(owners)
    gathered = [item for item in gathered if item.kind not in drawn and (
        wanted is None or item.owner_id is None or item.owner_id in wanted)]
    unread = None
    if closing:
        read, unread = closing(user, first, last, owners)
        gathered += read
    out = []
    for item in gathered:
        if isinstance(item.start, _dt.datetime):
            local = clock.to_local(item.start).replace(tzinfo=None)
            out.append(Contributed(item, local.date(), None if item.all_day else local.time()))
        elif isinstance(item.start, _dt.date):
            out.append(Contributed(item, item.start))
    out = [x for x in out if first <= x.day <= last]
    return sorted(out, key=lambda x: (x.day, x.time or _dt.time(), str(x.item.title))), unread


_SENTINEL = "0000-00-00"  # stands for the last argument of a link built once per page


def _link_with_last(url):
    """``url`` (built once, its last query argument ``_SENTINEL``) as a function of that argument's value —
    a date or a slot, whose characters a URL keeps as they are — instead of one ``url_for`` per cell."""
    head, tail = url.rsplit(_SENTINEL, 1)
    return lambda value: f"{head}{value}{tail}"


def _hour_grid(columns):
    """The time grid's rows, worked out here rather than per cell in the template: (hour, its label, off
    hours?, per day (slot, the new-event link at it, the slot as shown, the parts and other items there))."""
    new_at = _link_with_last(url_for("calendar.event_new", start=_SENTINEL))
    days = [(c, c["day"].isoformat()) for c in columns]
    grid = []
    for h in HOURS:
        label = "%02d:00" % h
        row = []
        for c, iso in days:
            slot = f"{iso}T{label}"
            row.append((slot, new_at(slot), f"{iso} {label}", c["by_hour"][h], c["extras_by_hour"][h]))
        grid.append((label, h < 7 or h > 20, row))
    return grid


def _days(first, last):
    day = first
    while day <= last:
        yield day
        day += periods.DAY


def _on_day(occ, day):
    return occ.start.date() <= day <= occ.local_end_day


EXTRAS_PER_DAY = 3  # other modules' items a month or week cell shows; "+N more" links to the day, which has all


def _by_day(extras, timed=None):
    """Other modules' items per local day, in their order; ``timed``: only the timed ones (True) or only the
    all-day ones (False)."""
    out = defaultdict(list)
    for x in extras:
        if timed is None or (x.time is not None) == timed:
            out[x.day].append(x)
    return out


def _capped(extras, cap, unread=0):
    """(the items a cell shows, how many more there are — ``unread``: besides those not even read): all of
    them without a cap."""
    if cap is None or len(extras) <= cap:
        return extras, unread
    return extras[:cap], len(extras) - cap + unread


def _month_weeks(first, last, items, tasks, extras, more):
    """The month's weeks: per day (day, occurrences, tasks, other modules' items shown, how many more)."""
    extras_on = _by_day(extras)
    days = [(d, [o for o in items if _on_day(o, d)], [t for t in tasks if t.due_date == d],
             *_capped(extras_on[d], EXTRAS_PER_DAY, more.get(d, 0))) for d in _days(first, last)]
    return [days[i:i + 7] for i in range(0, len(days), 7)]


@dataclass
class Part:
    """An occurrence's part on one day of the time grid: past midnight it shows on both days, clipped."""
    occ: service.Occurrence
    start: _dt.datetime
    end: _dt.datetime

    @property
    def continued(self):
        """Begun the day before (moved and resized from its first day only)."""
        return self.start != self.occ.start


def _day_columns(first, last, items, tasks, extras, cap=None, more=None):
    """Per day: all-day items (and tasks) on top — at most ``cap`` of other modules' (then "+N more") — then
    timed items by the hour they start (or, begun the day before, from midnight), other modules' timed items
    at their hour."""
    columns = []
    timed_on, all_day_on = _by_day(extras, timed=True), _by_day(extras, timed=False)
    for d in _days(first, last):
        lo = _dt.datetime.combine(d, _dt.time())
        by_hour = {h: [] for h in HOURS}
        extras_by_hour = {h: [] for h in HOURS}
        todays = [o for o in items if _on_day(o, d)]
        for o in todays:
            if not o.all_day:
                start = max(o.start, lo)
                by_hour[start.hour].append(Part(o, start, min(o.end, lo + periods.DAY)))
        for x in timed_on[d]:
            extras_by_hour[x.time.hour].append(x)
        shown, hidden = _capped(all_day_on[d], cap, (more or {}).get(d, 0))
        columns.append({"day": d, "top": [o for o in todays if o.all_day],
                        "tasks": [t for t in tasks if t.due_date == d], "extras": shown, "more": hidden,
                        "by_hour": by_hour, "extras_by_hour": extras_by_hour})
    return columns


# --- events -------------------------------------------------------------------------------------------

def _fill_choices(form, user, event=None):
    """Colleagues the user may invite and contacts they may read, and whoever the event invites already (a
    contact the user may not read under core.names' private name)."""
    form.related_type.choices = ch(related.type_choices())
    stored = service.invitees_of(event) if event is not None else []
    users = {u.id: u for u in service.invitable_users(user)}
    users.update({u.id: u for u in User.select().where(User.id.in_([i.user_id for i in stored if i.user_id]))})
    form.invite_users.choices = ch((u.id, u.display_name) for u in sorted(
        users.values(), key=lambda u: (u.full_name or "", u.username)))
    contacts = access.visible(Contact.select(), user, "contact").order_by(Contact.last_name).limit(500)
    shown = {c.id: c.name for c in contacts}
    shown.update(_contact_names(user, [i.contact_id for i in stored if i.contact_id and i.contact_id not in shown]))
    form.invite_contacts.choices = ch(shown.items())


def _contact_names(user, ids):
    return names.names(user, "contact", ids, name=lambda c: c.name) if ids else {}


def _form_from_event(form, occ):
    event = occ.event
    form.subject.data, form.all_day.data = event.subject, event.all_day
    end = occ.end - periods.DAY if event.all_day and occ.end > occ.start else occ.end
    form.start_date.data, form.end_date.data = occ.start.date(), end.date()
    if not event.all_day:
        form.start_time.data, form.end_time.data = occ.start.time(), occ.end.time()
    form.location.data, form.description.data, form.private.data = event.location, event.description, event.private
    form.reminder.data = "" if event.reminder_minutes is None else str(event.reminder_minutes)
    form.related_type.data, form.related_id.data = event.related_type, event.related_id
    invitees = service.invitees_of(event)
    form.invite_users.data = [i.user_id for i in invitees if i.user_id]
    form.invite_contacts.data = [i.contact_id for i in invitees if i.contact_id]
    if event.rrule:
        parts = recurrence.parse(event.rrule)
        form.freq.data, form.interval.data, form.byday.data = parts.freq, parts.interval, parts.byday
        form.monthly_by.data, form.ends.data = parts.monthly_by, parts.ends
        form.until.data, form.count.data = parts.until, parts.count


def _span_from_form(form):
    if form.all_day.data:
        start = _dt.datetime.combine(form.start_date.data, _dt.time())
        end = _dt.datetime.combine(form.end_date.data, _dt.time()) + periods.DAY
    else:
        start = _dt.datetime.combine(form.start_date.data, form.start_time.data)
        end = _dt.datetime.combine(form.end_date.data, form.end_time.data)
    return start, end


def _apply_form(form, event, user, with_rule=True):
    """Copy the form onto the event; returns an error message or None."""
    start, end = _span_from_form(form)
    problem = related.check(user, form.related_type.data, form.related_id.data,
                            stored=(event.related_type, event.related_id) if event.id else None)
    if problem:
        form.related_id.errors.append(problem)
        return problem
    if with_rule:
        parts = recurrence.RuleParts(
            freq=form.freq.data, interval=form.interval.data or 1, byday=form.byday.data or [],
            monthly_by=form.monthly_by.data, ends=form.ends.data, until=form.until.data, count=form.count.data)
        # the rule repeats in the event's own zone (an imported series keeps it); the form shows the organisation's
        rule_start = start if form.all_day.data else clock.to_local(
            clock.to_utc(start), service.zone_of(event)).replace(tzinfo=None)
        try:
            event.rrule = recurrence.build(parts, rule_start)
        except recurrence.RecurrenceError as exc:
            form.freq.errors.append(str(exc))
            return str(exc)
    problems = service.invitee_problems(user, event.series if event.series_id else event,
                                        form.invite_users.data or [], form.invite_contacts.data or [])
    for key, field in (("users", form.invite_users), ("contacts", form.invite_contacts)):
        if key in problems:
            field.errors.append(problems[key])
    if problems:
        return next(iter(problems.values()))
    event.subject, event.all_day = form.subject.data.strip(), bool(form.all_day.data)
    event.start = service.stored_from_local(start, event.all_day)
    event.end = service.stored_from_local(end, event.all_day)
    event.location, event.description = form.location.data or "", form.description.data or ""
    event.private = bool(form.private.data)
    event.reminder_minutes = int(form.reminder.data) if form.reminder.data else None
    event.related_type = form.related_type.data or ""
    event.related_id = form.related_id.data if event.related_type else None
    return None


def _notify_invited(event, added, user):
    for inv in added:
        notify.send(inv.user_id, _("%(name)s invited you: %(subject)s", name=user.display_name,
                                   subject=event.subject),
                    link=url_for("calendar.invitations"), kind="calendar_invitation",
                    key=f"calendar:invite:{event.id}:{inv.user_id}")


@bp.route("/events/new", methods=["GET", "POST"])
@login_required
def event_new():
    user = _user()
    form = EventForm()
    _fill_choices(form, user)
    if request.method == "GET":
        slot = _parse_local(request.args.get("start"))
        day = _parse_date(request.args.get("date"))
        if slot:
            form.start_date.data = form.end_date.data = slot.date()
            form.start_time.data = slot.time()
            form.end_time.data = (slot + _dt.timedelta(hours=1)).time() if slot.hour < 23 else _dt.time(23, 59)
        else:
            form.start_date.data = form.end_date.data = day or clock.today()
            form.start_time.data, form.end_time.data = _dt.time(9), _dt.time(10)
            form.all_day.data = bool(day)
        form.related_type.data = request.args.get("related_type", "")
        form.related_id.data = request.args.get("related_id", type=int)
    if form.validate_on_submit():
        event = CalendarEvent(owner=user.id, uid=service.new_uid())
        if _apply_form(form, event, user) is None:
            with db.atomic():
                records.save(EVENT, event, user)
                added = service.set_invitees(event, set(form.invite_users.data or []),
                                             set(form.invite_contacts.data or []))
                _notify_invited(event, added, user)
            flash(_("Event saved."), "success")
            return redirect(url_for("calendar.event_detail", event_id=event.id))
    return render_template("calendar/event_form.html", form=form, event=None, scope="series", occurrence="")


@bp.route("/events/<int:event_id>")
@login_required
def event_detail(event_id):
    user = _user()
    event = access.get_or_404(user, EVENT, event_id)
    occ = service.find_occurrence(event, request.args.get("occurrence", ""))
    occ.masked = service.is_masked(event, user)
    invitees = [] if occ.masked else service.invitees_of(event)
    people = {u.id: u for u in User.select().where(User.id.in_(
        [i.user_id for i in invitees if i.user_id] + [event.owner_id]))}
    contacts = _contact_names(user, [i.contact_id for i in invitees if i.contact_id])
    rel = ("", "") if occ.masked else related.link(user, event.related_type, event.related_id)
    series = event.series if event.series_id else None
    start, _end = service.local_span(series or event)
    return render_template(
        "calendar/event_detail.html", event=event, occ=occ, invitees=invitees, people=people,
        contacts=contacts, related=rel, series=series, can_write=access.can(user, "write", event),
        can_delete=access.can(user, "delete", event), answers=ANSWERS,
        zone=_own_zone(series or event),
        rule_text=recurrence.describe(event.rrule, start) if event.rrule else
        (recurrence.describe(series.rrule, start) if series else ""))


def _own_zone(event):
    """The zone a series repeats in, when it is not the organisation's (its times are shown in the latter)."""
    return event.timezone if event.rrule and event.timezone and event.timezone != str(clock.org_timezone()) else ""


@bp.route("/events/<int:event_id>/edit", methods=["GET", "POST"])
@login_required
def event_edit(event_id):
    user = _user()
    event = access.get_or_404(user, EVENT, event_id, "write")
    key = request.values.get("occurrence", "")
    scope = request.values.get("scope", "series")
    one = event.recurring and scope == "this" and service.parse_key(key) is not None
    form = EventForm()
    _fill_choices(form, user, event)
    if request.method == "GET":
        changed = service.exception_for(event, service.parse_key(key)) if one else None
        source = changed or (event if not one else None)
        _form_from_event(form, service.Occurrence(source, *service.local_span(source)) if source else
                         service.find_occurrence(event, key))
    if form.validate_on_submit():
        target = event
        if one:  # this occurrence only: an exception row, the series stays as it was
            target = service.exception_for(event, service.parse_key(key)) or CalendarEvent(
                owner=event.owner_id, series=event.id, recurrence_id=service.parse_key(key), uid=event.uid)
        before = records.field_values(target) if target.id else {}
        old_start = target.start
        if _apply_form(form, target, user, with_rule=not (one or event.series_id)) is None:
            try:
                with db.atomic():
                    records.save(EVENT, target, user, before)
                    if target.recurring and old_start and target.start != old_start:
                        service.shift_exceptions(target, target.start - old_start)
                    if not one and not target.series_id and not target.rrule:  # no longer repeats
                        CalendarEvent.delete().where(CalendarEvent.series == target.id).execute()
                    if not one:
                        added = service.set_invitees(event.series if event.series_id else event,
                                                     set(form.invite_users.data or []),
                                                     set(form.invite_contacts.data or []))
                        _notify_invited(event, added, user)
            except PermissionError:
                abort(403)
            flash(_("Event saved."), "success")
            return redirect(url_for("calendar.event_detail", event_id=target.id))
    return render_template("calendar/event_form.html", form=form, event=event, scope="this" if one else "series",
                           occurrence=key if one else "")


@bp.route("/events/<int:event_id>/delete", methods=["POST"])
@login_required
def event_delete(event_id):
    user = _user()
    event = access.get_or_404(user, EVENT, event_id, "delete")
    rid = service.parse_key(request.form.get("occurrence", ""))
    if event.recurring and request.form.get("scope") == "this" and rid is not None:
        if not access.can(user, "write", event):
            abort(403)
        service.delete_occurrence(event, rid, user)
        flash(_("This occurrence was removed; the rest of the series stays."), "success")
    elif event.series_id:  # a changed occurrence: removing it must not bring the original back
        before = records.field_values(event)
        event.cancelled = True
        records.save(EVENT, event, user, before)
        flash(_("This occurrence was removed; the rest of the series stays."), "success")
    else:
        records.delete(EVENT, event, user)
        flash(_("Event deleted."), "success")
    return redirect(url_for("calendar.index"))


@bp.route("/events/<int:event_id>/move", methods=["POST"])
@login_required
def event_move(event_id):
    """Drag and drop (JavaScript) — the plain edit form does the same without it."""
    user = _user()
    event = access.get_or_404(user, EVENT, event_id, "write")
    key = request.form.get("occurrence", "")
    occ = service.find_occurrence(event, key)
    start = _parse_local(request.form.get("start")) or occ.start
    end = _parse_local(request.form.get("end"))
    if end is None:
        end = start + (occ.end - occ.start)
    if event.all_day:  # an all-day item moves by whole days
        start = _dt.datetime.combine(start.date(), _dt.time())
        end = _dt.datetime.combine(end.date(), _dt.time())
        if end <= start:
            end = start + periods.DAY
    try:
        moved = service.move(event, key, start, end, user)
    except ValueError as exc:
        fail(400, str(exc))
    if request.accept_mimetypes.best == "application/json":
        return jsonify(ok=True, id=moved.id)
    flash(_("Event moved."), "success")
    return redirect(safe_next(request.form.get("next"), url_for("calendar.index")))


@bp.route("/events/<int:event_id>/answer", methods=["POST"])
@login_required
def event_answer(event_id):
    """An invited colleague answers for themself; the organiser records a contact's answer."""
    user = _user()
    value = request.form.get("answer", "")
    if value not in ANSWERS:
        fail(400, _("Unknown answer."))
    inv = CalendarInvitee.get_or_none((CalendarInvitee.id == request.form.get("invitee", type=int))
                                      & (CalendarInvitee.event == event_id))
    if inv is None:
        abort(404)
    if inv.user_id != user.id:
        event = access.get_or_404(user, EVENT, event_id, "write")
        if inv.contact_id is None or service.is_masked(event, user):
            abort(403)
    service.answer(inv, value)
    flash(_("Answer saved."), "success")
    return redirect(safe_next(request.form.get("next"), url_for("calendar.invitations")))


@bp.route("/invitations")
@login_required
def invitations():
    """My invitations: what colleagues invited me to (shown from my own invitee rows)."""
    user = _user()
    query = (CalendarInvitee.select(CalendarInvitee, CalendarEvent).join(CalendarEvent)
             .where((CalendarInvitee.user == user.id) & (CalendarEvent.end >= clock.utcnow() - periods.DAY * 30))
             .order_by(CalendarEvent.start))
    page = paginate(query)
    owners = {u.id: u for u in User.select().where(User.id.in_([i.event.owner_id for i in page.items]))} \
        if page.items else {}
    return render_template("calendar/invitations.html", page=page, owners=owners, answers=ANSWERS,
                           local_span=service.local_span, viewing_as=service.viewing_as())
