"""Task pages and the daily work plan (每日工作计划); routes on the calendar blueprint."""
import datetime as _dt

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import login_required
from peewee import Case
from wtforms.fields.choices import SelectChoice

from core import access, clock, notify
from core.babel import gettext as _
from core.db import db
from core.models import User
from core.records import RecordError, service as records
from core.web import fail, paginate, safe_next
from plugins.calendar import periods, related, service
from plugins.calendar.forms import STATUS_LABELS, QuickTaskForm, TaskForm, ch
from plugins.calendar.models import CalendarEvent, CalendarInvitee, CalendarTask
from plugins.calendar.service import TASK
from plugins.calendar.views import _parse_date, _user, bp, who_of, who_picker

# --- tasks ------------------------------------------------------------------------------------------

PRIORITY_ORDER = Case(CalendarTask.priority, (("high", 0), ("normal", 1), ("low", 2)), 1)
TASK_SORTS = {"due": (CalendarTask.due_date, CalendarTask.due_time), "subject": (CalendarTask.subject,),
              "priority": (PRIORITY_ORDER, CalendarTask.due_date), "status": (CalendarTask.status,)}


@bp.route("/tasks/")
@login_required
def tasks():
    user = _user()
    who = who_of(user)
    query = service.visible_tasks(user, service.owners_for(user, who))
    status = request.args.get("status", "open")
    if status == "open":
        query = service.open_tasks(query)
    elif status in STATUS_LABELS:
        query = query.where(CalendarTask.status == status)
    search = request.args.get("q", "").strip()
    if search:
        query = query.where(CalendarTask.subject.contains(search))
    sort = request.args.get("sort", "due")
    fields = TASK_SORTS.get(sort.lstrip("-"), TASK_SORTS["due"])
    order = [f.desc() if sort.startswith("-") else f for f in fields] + [CalendarTask.id]
    page = paginate(query.order_by(*order))
    people = {u.id: u for u in User.select().where(User.id.in_([t.owner_id for t in page.items]))} \
        if page.items else {}
    return render_template("calendar/tasks.html", page=page, who=who, status=status, search=search, sort=sort,
                           people=people, today=clock.today(), **who_picker(user, who),
                           args={"who": who, "status": status, "q": search, "sort": sort})


def _task_form(user, task=None):
    form = TaskForm(obj=task)
    form.related_type.choices = ch(related.type_choices())
    below = access.subordinate_users(user)
    assignable = User.select().where(User.active & ((User.id == user.id) | (
        User.id.in_(below) if below is not None else (User.id == user.id))))
    if user.is_admin:
        assignable = User.select().where(User.active)
    form.owner.choices = ch((u.id, u.display_name) for u in assignable.order_by(User.full_name, User.username))
    if task is not None and task.owner_id not in [c.value for c in form.owner.choices]:
        form.owner.choices.insert(0, SelectChoice(task.owner_id, User.get_by_id(task.owner_id).display_name))
    if request.method == "GET":
        form.owner.data = task.owner_id if task else user.id
        form.related_type.data = task.related_type if task else ""
    return form


def _save_task(form, task, user):
    allowed = [c.value for c in form.owner.choices]
    if form.owner.data not in allowed:
        form.owner.errors.append(_("You may assign tasks to yourself and to the people below you."))
        return False
    if task.id and form.owner.data != task.owner_id and not access.may_reassign(user, task, "calendar_task"):
        form.owner.errors.append(_("Only the owner or a superior may give this record to someone else."))
        return False
    problem = related.check(user, form.related_type.data, form.related_id.data,
                            stored=(task.related_type, task.related_id) if task.id else None)
    if problem:
        form.related_id.errors.append(problem)
        return False
    before = records.field_values(task) if task.id else {}
    task.subject, task.due_date, task.due_time = form.subject.data.strip(), form.due_date.data, form.due_time.data
    task.priority, task.description = form.priority.data, form.description.data or ""
    if form.status.data == "completed" and task.status != "completed":
        task.completed_at = clock.utcnow()
    elif form.status.data != "completed":
        task.completed_at = None
    task.status, task.owner = form.status.data, form.owner.data
    task.related_type = form.related_type.data or ""
    task.related_id = form.related_id.data if task.related_type else None
    try:
        with db.atomic():
            records.save(TASK, task, user, before)
            if task.owner_id != user.id and before.get("owner") != task.owner_id:
                notify.send(task.owner_id, _("%(name)s assigned you a task: %(subject)s", name=user.display_name,
                                             subject=task.subject),
                            link=url_for("calendar.task_detail", task_id=task.id), kind="calendar_task",
                            key=f"calendar:task:{task.id}:{task.owner_id}:{clock.utcnow():%Y%m%d%H%M%S}")
    except PermissionError:
        abort(403)
    except RecordError as exc:
        form.subject.errors.append(str(exc))
        return False
    return True


@bp.route("/tasks/new", methods=["GET", "POST"])
@login_required
def task_new():
    user = _user()
    form = _task_form(user)
    if request.method == "GET":
        form.due_date.data = _parse_date(request.args.get("date"), clock.today())
        form.related_type.data = request.args.get("related_type", "")
        form.related_id.data = request.args.get("related_id", type=int)
    if form.validate_on_submit():
        task = CalendarTask(uid=service.new_uid())
        if _save_task(form, task, user):
            flash(_("Task saved."), "success")
            return redirect(url_for("calendar.task_detail", task_id=task.id))
    return render_template("calendar/task_form.html", form=form, task=None)


@bp.route("/tasks/<int:task_id>")
@login_required
def task_detail(task_id):
    user = _user()
    task = access.get_or_404(user, TASK, task_id)
    return render_template("calendar/task_detail.html", task=task, owner=User.get_by_id(task.owner_id),
                           related=related.link(user, task.related_type, task.related_id),
                           can_write=access.can(user, "write", task), can_delete=access.can(user, "delete", task),
                           today=clock.today())


@bp.route("/tasks/<int:task_id>/edit", methods=["GET", "POST"])
@login_required
def task_edit(task_id):
    user = _user()
    task = access.get_or_404(user, TASK, task_id, "write")
    form = _task_form(user, task)
    if form.validate_on_submit() and _save_task(form, task, user):
        flash(_("Task saved."), "success")
        return redirect(url_for("calendar.task_detail", task_id=task.id))
    return render_template("calendar/task_form.html", form=form, task=task)


@bp.route("/tasks/<int:task_id>/complete", methods=["POST"])
@login_required
def task_complete(task_id):
    user = _user()
    task = access.get_or_404(user, TASK, task_id, "write")
    if task.done:
        fail(409, _("This task is completed already."))
    service.complete_task(task, user)
    flash(_("Task \"%(subject)s\" completed.", subject=task.subject), "success")
    return redirect(safe_next(request.form.get("next"), url_for("calendar.today")))


@bp.route("/tasks/<int:task_id>/delete", methods=["POST"])
@login_required
def task_delete(task_id):
    user = _user()
    task = access.get_or_404(user, TASK, task_id, "delete")
    records.delete(TASK, task, user)
    flash(_("Task deleted."), "success")
    return redirect(url_for("calendar.tasks"))


@bp.route("/tasks/quick", methods=["POST"])
@login_required
def task_quick():
    form = QuickTaskForm()
    if form.validate_on_submit():
        service.quick_task(_user(), form.subject.data)
        flash(_("Task added for today."), "success")
    else:
        flash(_("Give the task a subject."), "error")
    return redirect(url_for("calendar.today"))


# --- daily work plan ----------------------------------------------------------------------------------

def _local_day(value):
    """The organisation's local day of a hook item's start (a date, or a naive UTC datetime)."""
    return clock.to_local(value).date() if isinstance(value, _dt.datetime) else value


@bp.route("/today")
@login_required
def today():
    """Daily work plan (每日工作计划): today's events, tasks due today or overdue, and other modules' items."""
    user = _user()
    day = _parse_date(request.args.get("date"), clock.today())
    events = service.occurrences(user, day, day, [user.id])
    due = list(service.open_tasks(service.visible_tasks(user, [user.id])).where(CalendarTask.due_date <= day)
               .order_by(CalendarTask.due_date, CalendarTask.due_time, CalendarTask.id))
    done_today = list(service.visible_tasks(user, [user.id]).where(
        (CalendarTask.status == "completed") & (CalendarTask.due_date == day)).order_by(CalendarTask.id))
    lo = clock.to_utc(_dt.datetime.combine(day, _dt.time()))
    plugins = current_app.extensions["zhixin_plugins"]
    # the plan is personal: other modules' items that are mine (or nobody's in particular)
    contributed = [i for i in plugins.gather("zhixin_calendar_items", user=user, start=lo,
                                             end=lo + periods.DAY, owners=[user.id])
                   if i.kind not in ("event", "task") and i.owner_id in (None, user.id)]
    contributed.sort(key=lambda i: (str(i.kind), str(i.title)))
    # and every module's open items already overdue when the day begins, however long ago (oldest first)
    overdue = sorted(((i, _local_day(i.start)) for i in plugins.gather("zhixin_overdue_items", user=user, before=lo)
                      if i.owner_id in (None, user.id)), key=lambda pair: (pair[1], str(pair[0].title)))
    pending = CalendarInvitee.select().join(CalendarEvent).where(
        (CalendarInvitee.user == user.id) & (CalendarInvitee.answer == "needs_action")
        & (CalendarEvent.end >= clock.utcnow())).count()
    return render_template("calendar/today.html", day=day, today=clock.today(), events=events, due=due,
                           done_today=done_today, contributed=contributed, overdue=overdue, form=QuickTaskForm(),
                           prev_day=day - periods.DAY, next_day=day + periods.DAY,
                           pending_invitations=pending)
