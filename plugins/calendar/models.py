"""Calendar tables (日历): events (日程) with invitees, tasks (任务) and personal feed tokens.

Times: a timed event's ``start``/``end`` are naive UTC like every stored time. An all-day event is a
*floating* date: ``start`` holds the first day at 00:00 and ``end`` the day after the last one (as in
iCalendar's DTEND;VALUE=DATE), never converted between time zones, so "1 May" stays 1 May for everyone.

Recurrence: the series row (``series`` is NULL) carries an RFC 5545 ``rrule`` string. Editing one
occurrence writes an exception row (``series`` = the series, ``recurrence_id`` = the original start of the
occurrence it replaces); deleting one occurrence writes a ``cancelled`` exception row (an EXDATE). A series repeats in its own
``timezone`` (an IANA name; empty = the organisation's zone): an imported weekly 09:00 New York meeting stays
at 09:00 New York time across daylight saving, and each occurrence is shown in the organisation's zone.
"""
import datetime as _dt

import peewee

from core import clock
from core.babel import lazy_gettext as _l
from core.db import BaseModel
from core.extension import ClassRows
from core.models import Contact, Record, User, list_sort_indexes

PRIORITIES = ("high", "normal", "low")
TASK_STATUSES = ("not_started", "in_progress", "waiting", "completed", "deferred")
ANSWERS = ("needs_action", "accepted", "tentative", "declined")


class CalendarEvent(Record):
    """Event (日程): a meeting, call or appointment, perhaps recurring."""
    subject = peewee.CharField(max_length=200)
    start = peewee.DateTimeField(index=True)
    end = peewee.DateTimeField(index=True)
    all_day = peewee.BooleanField(default=False)
    location = peewee.CharField(max_length=200, default="")
    description = peewee.TextField(default="")
    related_type = peewee.CharField(max_length=64, default="")
    related_id = peewee.IntegerField(null=True)
    private = peewee.BooleanField(default=False)
    reminder_minutes = peewee.IntegerField(null=True)
    rrule = peewee.CharField(max_length=500, default="")
    series = peewee.ForeignKeyField("self", null=True, backref="exceptions", on_delete="CASCADE", index=True)
    recurrence_id = peewee.DateTimeField(null=True)
    cancelled = peewee.BooleanField(default=False)
    uid = peewee.CharField(max_length=191, default="", index=True)
    timezone = peewee.CharField(max_length=64, default="")  # the zone it repeats in; "" = the organisation's

    class Meta:
        table_name = "calendar_event"
        # the list's default order (walked: core.access plan "page"; per owner: the calendar's own query) and
        # its other columns
        indexes = ((("related_type", "related_id", "start"), False),) + list_sort_indexes(
            "start", "subject", "end", "location")

    @property
    def recurring(self):
        return bool(self.rrule) and self.series_id is None


class CalendarInvitee(BaseModel):
    """An invitee (参与人) of an event — a user or a contact — with their answer."""
    event = peewee.ForeignKeyField(CalendarEvent, backref="invitees", on_delete="CASCADE")
    user = peewee.ForeignKeyField(User, null=True, on_delete="CASCADE", backref="+")
    contact = peewee.ForeignKeyField(Contact, null=True, on_delete="CASCADE", backref="+")
    answer = peewee.CharField(max_length=20, default="needs_action")
    answered_at = peewee.DateTimeField(null=True)

    class Meta:
        table_name = "calendar_invitee"
        indexes = ((("event", "user"), False), (("event", "contact"), False))


class CalendarTask(Record):
    """Task (任务): something to do by a date (and perhaps a time). The owner is the assigned user."""
    subject = peewee.CharField(max_length=200)
    due_date = peewee.DateField(index=True)
    due_time = peewee.TimeField(null=True)
    priority = peewee.CharField(max_length=10, default="normal")
    status = peewee.CharField(max_length=20, default="not_started", index=True)
    related_type = peewee.CharField(max_length=64, default="")
    related_id = peewee.IntegerField(null=True)
    description = peewee.TextField(default="")
    completed_at = peewee.DateTimeField(null=True)
    uid = peewee.CharField(max_length=191, default="")

    class Meta:
        table_name = "calendar_task"
        indexes = ((("related_type", "related_id", "created_at"), False),) + list_sort_indexes(
            "due_date", "subject", "priority", "status")

    @property
    def done(self):
        return self.status == "completed"

    @property
    def open(self):
        return self.status not in ("completed", "deferred")

    @property
    def due(self):
        """When it is due: a naive UTC datetime if it has a due time, else its (local) due date."""
        return clock.to_utc(_dt.datetime.combine(self.due_date, self.due_time)) if self.due_time else self.due_date


class CalendarFeed(BaseModel):
    """A personal subscription feed (订阅链接): the secret token in the URL is the only key."""
    user = peewee.ForeignKeyField(User, unique=True, on_delete="CASCADE", backref="+")
    token = peewee.CharField(max_length=64, unique=True)
    created_at = peewee.DateTimeField(default=clock.utcnow)
    last_read_at = peewee.DateTimeField(null=True)

    class Meta:
        table_name = "calendar_feed"


MODELS = [CalendarEvent, CalendarInvitee, CalendarTask, CalendarFeed]


def class_rows(user_ids):
    """A class's rows (``zhixin_class_rows``): the invitations to its users' events and of its contacts. The
    events and tasks go with core's rule for owned records; a user's feed token is theirs, not the class's."""
    events = CalendarEvent.select(CalendarEvent.id).where(CalendarEvent.owner.in_(user_ids))
    contacts = Contact.select(Contact.id).where(Contact.owner.in_(user_ids))
    return [ClassRows(_l("Event invitations"), CalendarInvitee,
                      CalendarInvitee.event.in_(events) | CalendarInvitee.contact.in_(contacts))]
