"""Hook implementations of the calendar plugin (日历管理)."""
import contextvars
import datetime as _dt
import os

import peewee
from flask import has_request_context, render_template, request, url_for
from markupsafe import Markup

from core import access, clock, hookimpl
from core.babel import gettext as _, lazy_gettext as _l
from core.extension import CalendarItem, Job, MenuItem, MigrationSet, Widget
from core.records.registry import RecordType, form_labels
from core.timeline import TimelineItem, page

from plugins.calendar import feeds, service
from plugins.calendar.forms import PRIORITY_LABELS, STATUS_LABELS, EventForm, TaskForm
from plugins.calendar.models import MODELS, CalendarEvent, CalendarInvitee, CalendarTask, class_rows


@hookimpl
def zhixin_migrations():
    return [MigrationSet("calendar", os.path.join(os.path.dirname(__file__), "migrations"))]


@hookimpl
def zhixin_models():
    return list(MODELS)


@hookimpl
def zhixin_class_rows(user_ids):
    return class_rows(user_ids)


@hookimpl
def zhixin_record_types():
    # own pages and menu; no generic CSV import (events need their recurrence and iCalendar UID)
    common = dict(family="calendar", menu_group="", plugin="calendar", importable=False)
    return [
        RecordType("calendar_event", CalendarEvent, _l("Event"), _l("Events"), icon="calendar",
                   list_columns=("subject", "start", "end", "location", "owner"), search_fields=("subject",),
                   default_sort="-start", **common,
                   labels=form_labels(EventForm, start=_l("Start"), end=_l("End"), reminder_minutes=_l("Reminder"),
                                      rrule=_l("Repeats"), series=_l("Series"), recurrence_id=_l("Occurrence"),
                                      cancelled=_l("Cancelled"), uid=_l("iCalendar UID"), timezone=_l("Time zone"))),
        RecordType("calendar_task", CalendarTask, _l("Task"), _l("Calendar tasks"), icon="check",
                   list_columns=("subject", "due_date", "priority", "status", "owner"), search_fields=("subject",),
                   filter_fields=("status", "priority"), default_sort="due_date",
                   choices={"status": STATUS_LABELS, "priority": PRIORITY_LABELS}, **common,
                   labels=form_labels(TaskForm, completed_at=_l("Completed at"), uid=_l("iCalendar UID"))),
    ]


@hookimpl
def zhixin_record_merging(record_type, survivor, other, user):
    """Events and tasks related to the merged record relate to the survivor; a merged contact's invitations
    pass to the survivor (one invitation per event: where both were invited, the survivor's stays)."""
    moved = {}
    for label, model in ((_l("Events"), CalendarEvent), (_l("Calendar tasks"), CalendarTask)):
        moved[label] = model.update(related_id=survivor.id).where(
            (model.related_type == record_type) & (model.related_id == other.id)).execute()
    if record_type == "contact":
        # read first: MariaDB refuses a DELETE whose subquery reads the same table
        both = [i.event_id for i in CalendarInvitee.select(CalendarInvitee.event)
                .where(CalendarInvitee.contact == survivor.id)]
        CalendarInvitee.delete().where((CalendarInvitee.contact == other.id)
                                       & CalendarInvitee.event.in_(both)).execute()
        moved[_l("Invitees")] = CalendarInvitee.update(contact=survivor.id).where(
            CalendarInvitee.contact == other.id).execute()
    return moved


@hookimpl
def zhixin_blueprints(app):
    from plugins.calendar import ical_views, task_views, views  # noqa: F401  (each adds its routes to bp)
    return [views.bp]


@hookimpl
def zhixin_menu_items(user):
    return [MenuItem("calendar", _l("Calendar"), "calendar.index", group="plugins", order=50, icon="calendar"),
            MenuItem("calendar-today", _l("Daily work plan"), "calendar.today", group="plugins", order=51),
            MenuItem("calendar-tasks", _l("Calendar tasks"), "calendar.tasks", group="plugins", order=52)]


@hookimpl
def zhixin_permission_check(user, action, record_type, record):
    """Someone else's private event is "busy" to them: readable as a time slot, never changeable."""
    if record_type == "calendar_event" and action in ("write", "delete") and service.is_masked(record, user):
        return False
    return None


@hookimpl
def zhixin_jobs():
    return [Job("calendar.reminders", service.send_reminders, "interval", {"minutes": 1},
                "Send calendar reminders (once per occurrence)")]


def _event_items(user, start, end, owners):
    first = clock.to_local(start).date()
    last = clock.to_local(end - _dt.timedelta(microseconds=1)).date()
    out = []
    for occ in service.occurrences(user, first, last, owners):
        link = url_for("calendar.event_detail", event_id=occ.event.id, occurrence=occ.key or None)
        when = occ.start if occ.all_day else clock.to_utc(occ.start)
        out.append(CalendarItem(title=occ.title, start=when.date() if occ.all_day else when,
                                end=None if occ.all_day else clock.to_utc(occ.end), url=link, kind="event",
                                all_day=occ.all_day, color=occ.colour, owner_id=occ.event.owner_id))
    return out


def _task_items(user, start, end, owners):
    first = clock.to_local(start).date()
    last = clock.to_local(end - _dt.timedelta(microseconds=1)).date()
    query = service.visible_tasks(user, owners).where((CalendarTask.due_date >= first)
                                                      & (CalendarTask.due_date <= last))
    return [CalendarItem(title=t.subject, start=t.due_date, url=url_for("calendar.task_detail", task_id=t.id),
                         kind="task", all_day=True, done=t.done, color=service.colour_of(t.owner_id),
                         owner_id=t.owner_id) for t in query.order_by(CalendarTask.due_date)]


_LINK_ID = 987654321  # stands for the record id in a link built once per call


def _opportunity_items(user, start, end, owners):
    """Opportunities expected to close (预计成交) in the window [start, end) (UTC), through core's access rule
    (narrowed to ``owners`` in the same query)."""
    first = clock.to_local(start).date()
    last = clock.to_local(end - _dt.timedelta(microseconds=1)).date()
    from core.models import Opportunity
    query = _closing(user, first, last, owners).order_by(Opportunity.close_date, Opportunity.name)
    return _closing_items(list(query.tuples()))


def opportunities_closing(user, first, last, owners, per_day):
    """(items, {day: how many more}): at most ``per_day`` of the opportunities expected to close on each
    local day of [first, last] — the first by name — and the count of the rest, in one statement (window
    functions rank and count each day's rows in the database, which sends the few a calendar cell shows)."""
    from core.models import Opportunity
    place = peewee.fn.ROW_NUMBER().over(partition_by=[Opportunity.close_date],
                                        order_by=[Opportunity.name, Opportunity.id])
    on_day = peewee.fn.COUNT(Opportunity.id).over(partition_by=[Opportunity.close_date])
    ranked = _closing(user, first, last, owners).select_extend(place.alias("place"), on_day.alias("on_day"))
    ranked = ranked.alias("ranked")
    c = ranked.c
    query = (peewee.Select([ranked], [c.id, c.name, c.close_date, c.owner_id, c.on_day])
             .where(c.place <= per_day).order_by(c.close_date, c.place).bind(Opportunity._meta.database))
    rows, more = [], {}
    for record_id, name, close_date, owner_id, on_day in query.tuples():
        close_date = Opportunity.close_date.python_value(close_date)  # a derived table's column is not typed
        rows.append((record_id, name, close_date, owner_id))
        more[close_date] = on_day - per_day if on_day > per_day else 0
    return _closing_items(rows), {day: n for day, n in more.items() if n}


def first_closing(user, first, last, owners, limit):
    """(items, how many more): the first ``limit`` opportunities expected to close on the local days [first,
    last] in date and name order (an agenda's pages up to the one shown), and the count of the rest."""
    from core.models import Opportunity
    query = _closing(user, first, last, owners)
    rows = list(query.order_by(Opportunity.close_date, Opportunity.name, Opportunity.id).limit(limit).tuples())
    hidden = query.count() - len(rows) if len(rows) == limit else 0
    return _closing_items(rows), hidden


def _closing(user, first, last, owners):
    """The open opportunities the user may read closing on the local days [first, last], of ``owners``."""
    from core.models import Opportunity, SalesStage
    query = (access.visible(Opportunity.select(Opportunity.id, Opportunity.name, Opportunity.close_date,
                                               Opportunity.owner).join(SalesStage), user, "opportunity")
             .where((Opportunity.close_date >= first) & (Opportunity.close_date <= last)
                    & ~SalesStage.is_won & ~SalesStage.is_lost))
    return query if owners is None else query.where(Opportunity.owner.in_(owners))


def _closing_items(rows):
    """Calendar items of (id, name, close date, owner id) rows: one link and one translated title pattern
    per call (not per opportunity)."""
    if not rows:
        return []
    try:
        head, tail = url_for("records.detail", type_name="opportunity", record_id=_LINK_ID).rsplit(str(_LINK_ID), 1)
        link = lambda record_id: f"{head}{record_id}{tail}"  # noqa: E731
    except Exception:  # the generic detail page may not exist in this build
        listing = url_for("records.list", type_name="opportunity")
        link = lambda record_id: listing  # noqa: E731
    title = _("Expected to close: %(name)s")  # no arguments: the translation itself, filled in below
    return [CalendarItem(title=title % {"name": name}, start=close_date, url=link(record_id),
                         kind="opportunity", all_day=True, owner_id=owner_id)
            for record_id, name, close_date, owner_id in rows]


# Set by the calendar's own pages while they gather the hook: the kinds of this plugin's items they draw
# from their own queries (events and tasks always; a month or week, capping each day, the opportunities
# closing too), which the hook then leaves out instead of querying them again.
DRAWN_BY_PAGE = contextvars.ContextVar("calendar_drawn_by_page", default=frozenset())


@hookimpl
def zhixin_calendar_items(user, start, end, owners):
    """This plugin's own events and tasks, and the opportunities expected to close, for any consumer."""
    drawn = DRAWN_BY_PAGE.get()
    return ((_event_items(user, start, end, owners) if "event" not in drawn else [])
            + (_task_items(user, start, end, owners) if "task" not in drawn else [])
            + (_opportunity_items(user, start, end, owners) if "opportunity" not in drawn else []))


@hookimpl
def zhixin_dashboard_widgets(user):
    return [Widget("calendar", _l("My calendar"), render=_widget, order=30)]


def _widget(user):
    today = clock.today()
    upcoming = [o for o in service.occurrences(user, today, today + _dt.timedelta(days=14), [user.id])
                if o.end >= clock.local_now().replace(tzinfo=None)][:5]
    due = list(service.open_tasks(service.visible_tasks(user, [user.id]))
               .where(CalendarTask.due_date <= today + _dt.timedelta(days=7))
               .order_by(CalendarTask.due_date, CalendarTask.id).limit(5))
    return Markup(render_template("calendar/widget.html", upcoming=upcoming, due=due, today=today))


@hookimpl
def zhixin_demo_data(app, users, rng):
    from plugins.calendar.demo import create_demo
    create_demo(users, rng)


@hookimpl
def zhixin_access_filter(user, record_type, action):
    """Outside the calendar's own pages (generic record lists, searches, exports of other modules) someone
    else's private event is not listed at all (nor, while an instructor views as a student, the student's
    own); the calendar shows it, masked as "busy"."""
    if record_type != "calendar_event":
        return None
    if has_request_context() and request.blueprint == "calendar":
        return None
    return service.unmasked(user)


@hookimpl
def zhixin_user_credentials_changed(user, reason):
    """A password reset or change, a deactivation, a reactivation: the secret feed link is renewed, so a link
    copied before stops working."""
    feeds.rotate(user)


@hookimpl
def zhixin_template_slot(slot, context):
    """On any record's detail page: its coming events and open tasks, and links to plan new ones for it."""
    record, type_name = context.get("record"), context.get("record_type")
    if slot != "record_sidebar" or record is None or type_name in ("calendar_event", "calendar_task"):
        return None
    from flask_login import current_user
    if not current_user.is_authenticated:
        return None
    user = current_user._get_current_object()
    mine = (CalendarEvent.related_type == type_name) & (CalendarEvent.related_id == record.id)
    events = list(service.visible_events(user).where(mine & CalendarEvent.series.is_null())
                  .order_by(CalendarEvent.start.desc()).limit(5))
    tasks = list(service.open_tasks(service.visible_tasks(user)).where(
        (CalendarTask.related_type == type_name) & (CalendarTask.related_id == record.id))
        .order_by(CalendarTask.due_date).limit(5))
    return Markup(render_template("calendar/record_sidebar.html", events=events, tasks=tasks,
                                  type_name=type_name, record=record, local_span=service.local_span))


@hookimpl
def zhixin_timeline_items(user, scope, before, limit):
    """Events (meetings, calls, appointments; a recurring one once, at its first start) and tasks — done ones
    too — linked to the account, its contacts or opportunities, or with one of its contacts invited."""
    E, T, I = CalendarEvent, CalendarTask, CalendarInvitee
    invited = E.id.in_(I.select(I.event).where(I.contact.in_(scope.ids("contact"))))
    events = service.visible_events(user).where(
        (scope.related(E.related_type, E.related_id) | invited) & E.series.is_null() & ~E.cancelled)
    out = [TimelineItem(e.start, "calendar_event", e.id, e.subject, _l("Event"),
                        url_for("calendar.event_detail", event_id=e.id), *_subject(e, scope),
                        detail=e.location)
           for e in page(events, E.start, "calendar_event", E.id, before, limit)]
    tasks = service.visible_tasks(user).where(scope.related(T.related_type, T.related_id))
    out += [TimelineItem(t.created_at, "calendar_task", t.id, t.subject, _l("Task"),
                         url_for("calendar.task_detail", task_id=t.id), t.related_type, t.related_id,
                         detail=STATUS_LABELS.get(t.status, t.status))
            for t in page(tasks, T.created_at, "calendar_task", T.id, before, limit)]
    return out


def _subject(event, scope):
    """What an event is about: its linked record, else (an invited contact's event) nothing named."""
    if event.related_type in scope.types and event.related_id is not None:
        return event.related_type, event.related_id
    return "", None
