"""The small dataclasses that hooks return. A plugin imports them from here (or from ``core``)."""
from dataclasses import dataclass, field
from typing import Any, Callable, Optional


@dataclass
class MenuItem:
    """An entry of the side menu. Items are grouped by ``group`` and sorted by ``order`` then label."""
    id: str
    label: Any                      # a lazy_gettext string
    endpoint: str                   # Flask endpoint
    group: str = "main"             # main | records | plugins | admin | instructor
    order: int = 100
    icon: str = ""
    endpoint_args: dict = field(default_factory=dict)


@dataclass
class Widget:
    """A dashboard widget. ``render(user)`` returns HTML (Markup) — usually ``render_template(...)``."""
    id: str
    title: Any
    render: Callable[[Any], Any]
    order: int = 100
    wide: bool = False


@dataclass
class Slot:
    """What ``zhixin_template_slot`` may return: ``html`` (Markup, or a str that is escaped) placed in the slot,
    the parts of all plugins sorted by ``order`` (ties: registration order). A bare Markup or str is ``order`` 100."""
    html: Any
    order: int = 100


@dataclass
class Job:
    """A scheduled job. ``func(app)`` runs inside an app context; it must be exactly-once in the database
    (docs/scheduler.md: read first, then claim each piece of work in its own short transaction).

    ``trigger`` is an APScheduler trigger name ("interval" or "cron") and ``trigger_args`` its arguments.
    """
    id: str
    func: Callable[[Any], Any]
    trigger: str = "interval"
    trigger_args: dict = field(default_factory=lambda: {"minutes": 5})
    description: str = ""


@dataclass
class MigrationSet:
    """A folder of numbered Peewee migrations, recorded in the history table ``<namespace>_migration``."""
    namespace: str
    directory: str


@dataclass
class ClassRows:
    """What ``zhixin_class_rows`` returns: the rows of one table that belong to a class, for its reset.

    ``label`` names the kind on the confirmation page (a lazy_gettext plural: "Service replies"); ``where`` is a
    Peewee expression on ``model`` selecting the rows, e.g. ``ServiceReply.item_id.in_(<subquery>)``. Core counts
    ``model.select().where(where)`` for the page and runs ``model.delete().where(where)`` for the reset."""
    label: Any
    model: Any
    where: Any


@dataclass
class CalendarItem:
    """Something due or happening, for calendar views and the daily work plan (每日工作计划)."""
    title: str
    start: Any                      # datetime (UTC, naive) or date for all-day items
    end: Any = None
    url: str = ""
    kind: str = "item"              # event | task | campaign_task | service | opportunity | …
    all_day: bool = False
    done: bool = False
    color: str = ""
    owner_id: Optional[int] = None


@dataclass
class ExtraField:
    """A field a plugin adds to another record type's form and detail page (e.g. a lead's source campaign).

    ``form_field()`` returns an unbound WTForms field; ``load(record)`` gives the current value for the form;
    ``save(record, value, user)`` stores it (inside the record's transaction); ``display(record)`` gives the
    text or Markup shown on the detail page.
    """
    name: str
    label: Any
    form_field: Callable[[], Any]
    load: Callable[[Any], Any]
    save: Callable[[Any, Any, Any], None]
    display: Callable[[Any], Any]
    order: int = 100
