"""Exercises as students and instructors see them: which apply, checking, progress, the class grid."""
from flask import current_app
from peewee import fn

from core import clock
from core.classroom.models import ExerciseResult
from core.db import db
from core.exercises import run_checks


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


def check(user, exercises):
    """Run the checks of ``exercises`` for ``user`` and store each result (upsert). Returns {id: result}."""
    results = {}
    now = clock.utcnow()
    for exercise in exercises:
        result = run_checks(exercise, user)
        results[exercise.id] = result
        with db.atomic():
            row = ExerciseResult.get_or_none((ExerciseResult.user == user.id)
                                             & (ExerciseResult.exercise == exercise.id))
            if row is None:
                row = ExerciseResult(user=user.id, exercise=exercise.id)
            if result.passed and not row.passed:
                row.passed_at = now
            row.passed = result.passed
            row.message = result.message
            row.points = exercise.points if result.passed else 0
            row.checked_at = now
            row.save()
    return results


def results_for(user_ids):
    """{(user id, exercise id): ExerciseResult}."""
    if not user_ids:
        return {}
    rows = ExerciseResult.select().where(ExerciseResult.user.in_(list(user_ids)))
    return {(r.user_id, r.exercise): r for r in rows}


def forget_grades(user_ids):
    """Delete the grades (exercise results) of these users, as a class reset does when told not to keep them.
    Returns the number of rows removed."""
    if not user_ids:
        return 0
    return ExerciseResult.delete().where(ExerciseResult.user.in_(list(user_ids))).execute()


def completion(user_ids, exercise_ids):
    """Share of (student, exercise) pairs passed, 0..1, counted in SQL."""
    if not user_ids or not exercise_ids:
        return 0.0
    passed = (ExerciseResult.select(fn.COUNT(ExerciseResult.id))
              .where(ExerciseResult.user.in_(list(user_ids)) & ExerciseResult.exercise.in_(list(exercise_ids))
                     & ExerciseResult.passed).scalar()) or 0
    return passed / (len(user_ids) * len(exercise_ids))


def recheck_job(app):
    """Scheduled: re-check every active student's available exercises (results are upserts: idempotent)."""
    from core.models import User
    checked = 0
    exercises = all_exercises(app)
    if not exercises:
        return 0
    for user in User.select().where(User.active & ~User.is_admin & User.position.is_null(False)):
        available = available_for(user, app)
        if available:
            check(user, available)
            checked += 1
    return checked
