"""An in-process test plugin implementing EVERY hook of core/hookspecs.py; each records that it fired."""
import datetime as dt
import os

import click
import peewee
from flask import Blueprint
from markupsafe import Markup

from core import hookimpl
from core.extension import CalendarItem, ClassRows, ExtraField, Job, MenuItem, MigrationSet, Widget
from core.models import Record
from core.records.registry import RecordType

NAME = "hooktest"
VERSION = "0.1"
DESCRIPTION = "Proves that every hook fires"
REQUIRES = ()
HOOKS = __name__

CALLS = []  # (hook name, detail)


class HookThing(Record):
    name = peewee.CharField(max_length=100)

    class Meta:
        table_name = "hooktest_thing"


bp = Blueprint("hooktest", __name__, url_prefix="/hooktest")


@bp.route("/")
def index():
    return "hooktest page"


@hookimpl
def zhixin_startup(app):
    CALLS.append(("startup", app.name))


@hookimpl
def zhixin_migrations():
    CALLS.append(("migrations", None))
    return [MigrationSet("hooktest", os.path.join(os.path.dirname(__file__), "hook_plugin_migrations"))]


@hookimpl
def zhixin_defaults(app):
    CALLS.append(("defaults", None))
    from core.models import User
    owner = User.select().order_by(User.id).first()
    if owner and not HookThing.select().where(HookThing.name == "default thing").exists():
        HookThing.create(name="default thing", owner=owner)


@hookimpl
def zhixin_models():
    CALLS.append(("models", None))
    return [HookThing]


@hookimpl
def zhixin_record_types():
    CALLS.append(("record_types", None))
    return [RecordType(name="hookthing", model=HookThing, label="Thing", label_plural="Things",
                       menu_group="", plugin="hooktest", list_columns=("name",))]


@hookimpl
def zhixin_record_fields(record_type):
    CALLS.append(("record_fields", record_type))
    if record_type != "hookthing":
        return []
    return [ExtraField("colour", "Colour", form_field=lambda: None, load=lambda r: "red",
                       save=lambda r, v, u: None, display=lambda r: "red")]


@hookimpl
def zhixin_record_saving(record_type, record, user, created, changes):
    CALLS.append(("record_saving", (record_type, created)))


@hookimpl
def zhixin_record_saved(record_type, record, user, created, changes):
    CALLS.append(("record_saved", (record_type, created, record.id)))


@hookimpl
def zhixin_record_deleted(record_type, record, user):
    CALLS.append(("record_deleted", (record_type, record.id)))


@hookimpl
def zhixin_record_merging(record_type, survivor, other, user):
    CALLS.append(("record_merging", (record_type, survivor.id, other.id)))
    return {"Hook things": 0}


@hookimpl
def zhixin_permission_check(user, action, record_type, record):
    CALLS.append(("permission_check", (action, record_type)))
    if record_type == "hookthing" and getattr(record, "name", "") == "vetoed":
        return False
    if record_type == "hookthing" and getattr(record, "name", "").startswith("granted"):
        return True  # a veto hook: True grants nothing
    return None


@hookimpl
def zhixin_access_filter(user, record_type, action):
    CALLS.append(("access_filter", (record_type, action)))
    if record_type == "hookthing" and not user.is_admin:
        return HookThing.name != "hidden"
    return None


@hookimpl
def zhixin_user_credentials_changed(user, reason):
    CALLS.append(("user_credentials_changed", (user.username, reason)))


@hookimpl
def zhixin_blueprints(app):
    CALLS.append(("blueprints", None))
    return [bp]


@hookimpl
def zhixin_menu_items(user):
    CALLS.append(("menu_items", user.username))
    return [MenuItem("hooktest", "Hook test", "hooktest.index", group="plugins", order=1)]


@hookimpl
def zhixin_dashboard_widgets(user):
    CALLS.append(("dashboard_widgets", user.username))
    return [Widget("hooktest", "Hook widget", render=lambda u: Markup("<p data-hook-widget>widget for %s</p>")
                   % u.username, order=1)]


@hookimpl
def zhixin_template_slot(slot, context):
    CALLS.append(("template_slot", slot))
    if slot == "footer":
        return Markup('<span data-hook-slot="footer">slot</span>')
    if slot == "top_bar":
        return "<b>escaped</b>"  # a plain str is escaped by core
    return None


def _job(app):
    CALLS.append(("job_ran", None))
    return "done"


@hookimpl
def zhixin_jobs():
    CALLS.append(("jobs", None))
    return [Job("hooktest.job", _job, "interval", {"minutes": 10}, "Test job")]


@click.command("hooktest-hello")
@click.option("--name", default="world")
def hello(name):
    """Say hello (a plugin CLI command)."""
    click.echo(f"hello {name} from hooktest")


@hookimpl
def zhixin_cli_commands():
    CALLS.append(("cli_commands", None))
    return [hello]


@hookimpl
def zhixin_demo_data(app, users, rng):
    CALLS.append(("demo_data", len(users)))
    HookThing.create(name=f"demo {rng.randint(1, 9)}", owner=users[0])


@hookimpl
def zhixin_class_rows(user_ids):
    CALLS.append(("class_rows", list(user_ids)))
    return [ClassRows("Things", HookThing, HookThing.owner.in_(user_ids) & (HookThing.name != "default thing"))]


@hookimpl
def zhixin_reports():
    from core.reports import ReportDefinition
    CALLS.append(("reports", None))
    return [ReportDefinition(id="hooktest.report", family="customers", title="Hook report",
                             run=lambda user, params: None, plugin="hooktest")]


@hookimpl
def zhixin_calendar_items(user, start, end, owners):
    CALLS.append(("calendar_items", (start, end, owners)))
    return [CalendarItem("Hook event", start)]


@hookimpl
def zhixin_overdue_items(user, before):
    CALLS.append(("overdue_items", before))
    return [CalendarItem("Hook overdue", before - dt.timedelta(days=1))]


@hookimpl
def zhixin_timeline_items(user, scope, before, limit):
    """An e-mail-like item on every account's timeline, one per account in the scope, placed by the cursor."""
    from core.timeline import TimelineItem
    CALLS.append(("timeline_items", (before, limit)))
    at = dt.datetime(2026, 1, 1, 8, 0)
    if before is not None and (at, "hooktest_mail") >= (before.at, before.kind):
        return []
    return [TimelineItem(at, "hooktest_mail", account_id, "Hook e-mail", "E-mail", record_type="account",
                         record_id=account_id) for account_id in scope.ids("account")][:limit]


@hookimpl
def zhixin_mail_unmatched(message):
    """Takes an unmatched reply whose subject starts with "take" (filed nowhere); "boom" raises."""
    CALLS.append(("mail_unmatched", message.subject))
    if message.subject == "boom":
        HookThing.create(name="half-written by a failing hook")        # rolled back with the failure
        raise RuntimeError("the hook failed")
    return message.subject.startswith("take") or None


@hookimpl
def zhixin_exercises():
    from core.exercises import Exercise
    CALLS.append(("exercises", None))
    return [Exercise(id="hooktest.exercise", title="Hook exercise", instructions="Do nothing",
                     checks=[lambda user, since: (True, "ok")], plugin="hooktest")]
