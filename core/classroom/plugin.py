"""Core's classroom hook implementations (registered like a plugin, always on)."""
import os

from flask import render_template, request
from flask_login import current_user
from markupsafe import Markup

from core import hookimpl
from core.babel import lazy_gettext as _l
from core.classroom import exercises as ex
from core.classroom.models import MODELS
from core.classroom.scope import is_instructor
from core.extension import Job, MenuItem, MigrationSet, Widget


@hookimpl
def zhixin_migrations():
    return [MigrationSet("classroom", os.path.join(os.path.dirname(__file__), "migrations"))]


@hookimpl
def zhixin_models():
    return list(MODELS)


@hookimpl
def zhixin_menu_items(user):
    items = []
    if ex.all_exercises():
        items.append(MenuItem("my_exercises", _l("My exercises"), "classroom.my_exercises", group="main", order=5))
    if is_instructor(user):
        items += [
            MenuItem("classroom", _l("Class overview"), "classroom.overview", group="instructor", order=10),
            MenuItem("classroom_grid", _l("Exercise grid"), "classroom.grid", group="instructor", order=20),
            MenuItem("classroom_roster", _l("Roster import"), "classroom.roster_import", group="instructor",
                     order=30),
            MenuItem("classroom_clock", _l("Teaching clock"), "classroom.teaching_clock", group="instructor",
                     order=40),
            MenuItem("classroom_sandbox", _l("Class sandboxes"), "classroom.sandboxes", group="instructor",
                     order=50),
            MenuItem("classroom_modules", _l("Modules per class"), "classroom.class_modules", group="instructor",
                     order=60),
            MenuItem("classroom_log", _l("Teaching log"), "classroom.teaching_log", group="instructor", order=70),
        ]
    return items


@hookimpl
def zhixin_dashboard_widgets(user):
    if user.is_admin or not ex.visible_for(user):
        return []
    return [Widget("my_exercises", _l("My exercises"), _exercise_widget, order=5)]


def _exercise_widget(user):
    visible = ex.visible_for(user)
    grades = ex.grades_for([user.id])
    passed = sum(1 for e, _opening in visible if (user.id, e.id) in grades and grades[(user.id, e.id)].passed)
    return Markup(render_template("core/classroom/_widget.html", passed=passed, total=len(visible)))


@hookimpl
def zhixin_jobs():
    return [Job("classroom.recheck_exercises", ex.recheck_job, "interval", {"minutes": 30},
                "Re-check every student's exercises"),
            Job("classroom.recheck_runs", ex.process_queued, "interval", {"minutes": 1},
                "Run the queued class re-checks")]


@hookimpl
def zhixin_template_slot(slot, context):
    from flask import g
    if slot == "before_content":
        parts = []
        real = g.get("view_as_real_user")
        if real is not None:
            parts.append(render_template("core/classroom/_view_as_banner.html", student=current_user))
        if request.endpoint == "admin.index" and current_user.is_authenticated and current_user.is_admin:
            from core.classroom.setup import steps
            parts.append(render_template("core/classroom/_setup_checklist.html", steps=steps(current_user)))
        return Markup("".join(parts)) if parts else None
    return None
