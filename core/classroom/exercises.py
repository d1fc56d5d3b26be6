"""The gradebook (成绩册): which exercises a student sees, opening an exercise for a class (with its set-up),
checking (every attempt recorded, the first pass kept), overrides, completion and class re-check runs.

An exercise is hidden from a class until an instructor opens it for that class (and while a module it
needs is off for the student): before that its set-up has not run and there is no "since" to check against."""
import datetime as dt
import logging
import threading

from flask import current_app
from peewee import fn

from core import clock
from core.classroom import audit
from core.classroom.models import Attempt, ExerciseOpening, Grade, RecheckRun
from core.classroom.scope import students_of
from core.db import db
from core.exercises import call_with, run_checks
from core.models import Position, User

log = logging.getLogger(__name__)


class SetupError(Exception):
    """An exercise's set-up failed; nothing of the opening was kept."""


def all_exercises(app=None):
    plugins = (app or current_app).extensions["zhixin_plugins"]
    out = []
    for plugin, exercise in plugins.results("zhixin_exercises"):
        exercise.plugin = exercise.plugin or plugin
        out.append(exercise)
    return sorted(out, key=lambda e: (e.order, e.id))


def available_for(user, app=None):
    """Exercises whose modules are all enabled school-wide and for the student's class."""
    plugins = (app or current_app).extensions["zhixin_plugins"]
    return [e for e in all_exercises(app)
            if all(plugins.is_on(m, user) for m in (*e.modules, e.plugin))]


def class_id(user):
    """The id of the user's class (the position one below the top, at or above theirs), or None."""
    position = Position.get_or_none(Position.id == user.position_id) if user.position_id else None
    ids = position.path.strip("/").split("/") if position else []
    return int(ids[1]) if len(ids) > 1 else None


def openings(position_id):
    """{exercise id: ExerciseOpening} of one class."""
    if position_id is None:
        return {}
    return {o.exercise: o for o in ExerciseOpening.select().where(ExerciseOpening.position == position_id)}


def visible_for(user, app=None):
    """``[(exercise, opening)]``: the exercises ``user`` sees — available to them and opened for their class."""
    opened = openings(class_id(user))
    return [(e, opened[e.id]) for e in available_for(user, app) if e.id in opened]


def visible_by_student(users, app=None):
    """{user id: {exercise id: opening}} for many students (worked out once per position)."""
    by_position, out = {}, {}
    for user in users:
        if user.position_id not in by_position:
            by_position[user.position_id] = {e.id: o for e, o in visible_for(user, app)}
        out[user.id] = by_position[user.position_id]
    return out


def open_for_class(exercise, position, by, deadline=None):
    """Open ``exercise`` for the class ``position`` and run its set-up for each of the class's students, in one
    transaction; audited "exercise_open". Opening again keeps the first opening time, changes the deadline
    and runs the set-up again (which only adds what is missing, e.g. for students added since)."""
    match = (ExerciseOpening.exercise == exercise.id) & (ExerciseOpening.position == position.id)
    with db.atomic():
        (ExerciseOpening.insert(exercise=exercise.id, position=position.id, opened_at=clock.real_utcnow(),
                                opened_by=by.id).on_conflict_ignore().execute())
        ExerciseOpening.update(deadline=deadline).where(match).execute()
        _set_up(exercise, position, by)
        audit.log("exercise_open", by, position, exercise=exercise.id, deadline=deadline)
    return ExerciseOpening.get(match)


def _set_up(exercise, position, by):
    if exercise.setup is None:
        return
    for student in students_of(position).where(~User.is_admin):
        try:
            call_with(exercise.setup, user=student, by=by)
        except Exception as exc:  # the exercise author's bug: refuse the opening with its reason
            raise SetupError(f"{student.username}: {type(exc).__name__}: {exc}") from exc


def restart_after_reset(position, by, app=None):
    """After a class reset, each exercise open for the class counts work from the next whole second on —
    strictly after the reset's own writes (MariaDB keeps whole seconds), so the reloaded demo data, written as
    its students, never passes an exercise — and its set-up runs again, since the reset removed what it
    seeded. Kept grades stay. Returns the exercise ids."""
    known = {e.id: e for e in all_exercises(app)}
    restarted = clock.real_utcnow().replace(microsecond=0) + dt.timedelta(seconds=1)
    ids = sorted(openings(position.id))
    with db.atomic():
        (ExerciseOpening.update(opened_at=restarted)
         .where(ExerciseOpening.position == position.id).execute())
        for exercise_id in ids:
            if exercise_id in known:
                _set_up(known[exercise_id], position, by)
    return ids


def check(user, app=None):
    """Check every exercise ``user`` sees against their work since it opened: one attempt each, and the grade
    keeps the first pass (a later failing check never lowers it). Returns {exercise id: CheckResult}."""
    results = {}
    for exercise, opening in visible_for(user, app):
        result = run_checks(exercise, user, since=opening.opened_at)
        _record(user, exercise, opening, result)
        results[exercise.id] = result
    return results


def _record(user, exercise, opening, result):
    now = clock.real_utcnow()
    points = exercise.points if result.passed else 0
    with db.atomic():
        Attempt.create(user=user.id, exercise=exercise.id, at=now, passed=bool(result.passed),
                       feedback=result.message, points=points)
        if result.passed:
            late = opening.deadline is not None and now > opening.deadline
            (Grade.insert(user=user.id, exercise=exercise.id, passed_at=now, points=points, late=late)
             .on_conflict_ignore().execute())
            (Grade.update(passed_at=now, points=points, late=late)
             .where(_grade_of(user, exercise) & Grade.passed_at.is_null()).execute())


def _grade_of(user, exercise):
    return (Grade.user == user.id) & (Grade.exercise == exercise.id)


def override(student, exercise, points, reason, by):
    """Set ``student``'s points on ``exercise`` by hand, with a reason; audited "grade_override"."""
    with db.atomic():
        Grade.insert(user=student.id, exercise=exercise.id).on_conflict_ignore().execute()
        before = Grade.get(_grade_of(student, exercise)).earned
        (Grade.update(override_points=points, override_reason=reason, override_by=by.id,
                      override_at=clock.real_utcnow()).where(_grade_of(student, exercise)).execute())
        audit.log("grade_override", by, class_id(student), student=student.username, exercise=exercise.id,
                  before=before, points=points, reason=reason)


def grades_for(user_ids):
    """{(user id, exercise id): Grade}."""
    if not user_ids:
        return {}
    return {(g.user_id, g.exercise): g for g in Grade.select().where(Grade.user.in_(list(user_ids)))}


def latest_attempts(user_ids):
    """{(user id, exercise id): the latest Attempt}."""
    if not user_ids:
        return {}
    latest = (Attempt.select(fn.MAX(Attempt.id)).where(Attempt.user.in_(list(user_ids)))
              .group_by(Attempt.user, Attempt.exercise))
    return {(a.user_id, a.exercise): a for a in Attempt.select().where(Attempt.id.in_(latest))}


def attempts_of(user, limit=50):
    return list(Attempt.select().where(Attempt.user == user.id).order_by(Attempt.id.desc()).limit(limit))


def completion(users, app=None):
    """Share of the (student, exercise they see) pairs passed, 0..1: hidden exercises do not count."""
    visible = visible_by_student(users, app)
    pairs = [(uid, eid) for uid, ids in visible.items() for eid in ids]
    if not pairs:
        return 0.0
    grades = grades_for(visible)
    return sum(1 for pair in pairs if pair in grades and grades[pair].passed) / len(pairs)


def forget_grades(user_ids):
    """Delete the grades and attempts of these users (a reset that does not keep grades).
    Returns ``{table: rows removed}``."""
    ids = list(user_ids)
    if not ids:
        return {}
    with db.atomic():
        return {model._meta.table_name: model.delete().where(model.user.in_(ids)).execute()
                for model in (Grade, Attempt)}


# --- re-checking ------------------------------------------------------------------------------------------

def recheck_job(app):
    """Scheduled: re-check every active student's visible exercises (a pass is kept once: idempotent)."""
    checked = 0
    for user in User.select().where(User.active & ~User.is_admin & User.position.is_null(False)):
        if check(user, app):
            checked += 1
    return checked


def enqueue_recheck(position, by):
    """Queue "re-check the whole class" for ``position``; a worker picks it up (see :func:`process_queued`)."""
    total = students_of(position).where(~User.is_admin).count()
    return RecheckRun.create(position=position.id, requested_by=by.id, total=total)


def latest_run(position_id):
    return RecheckRun.select().where(RecheckRun.position == position_id).order_by(RecheckRun.id.desc()).first()


def process_queued(app):
    """Claim and run every queued re-check. A run is claimed by one UPDATE from "queued" to "running", so it
    runs exactly once however many workers (request threads, schedulers) look. Returns how many ran."""
    ran = 0
    for run in RecheckRun.select().where(RecheckRun.status == "queued").order_by(RecheckRun.id):
        claimed = (RecheckRun.update(status="running")
                   .where((RecheckRun.id == run.id) & (RecheckRun.status == "queued")).execute())
        if claimed == 1:
            _process(run, app)
            ran += 1
    return ran


def _process(run, app):
    """The same check as each student's own, counting progress after every student."""
    status, error = "done", ""
    try:
        for student in students_of(run.position).where(~User.is_admin):
            check(student, app)
            RecheckRun.update(done=RecheckRun.done + 1).where(RecheckRun.id == run.id).execute()
    except Exception as exc:  # recorded on the run (the grid shows it), not lost in a thread
        log.exception("re-check run %s failed", run.id)
        status, error = "failed", f"{type(exc).__name__}: {exc}"
    (RecheckRun.update(status=status, error=error, finished_at=clock.real_utcnow())
     .where(RecheckRun.id == run.id).execute())


def start_worker(app):
    """Process the queue in a daemon thread of this web worker, so the request returns at once."""
    def work():
        with app.app_context(), db.connection_context():
            process_queued(app)
    thread = threading.Thread(target=work, name="classroom-recheck", daemon=True)
    thread.start()
    return thread
