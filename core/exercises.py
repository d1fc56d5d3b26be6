"""The exercise framework (练习) and its check API: plugins declare exercises through ``zhixin_exercises``;
core opens them per class, runs each ``setup`` for the class's students, checks them against each student's
own work and keeps the grades (``core.classroom.exercises``).

A check is ``check(user, since) -> CheckResult`` (or ``(passed, message)``); it may leave out ``since``.
``since`` is when the exercise was opened for the student's class (real time). A check looks only at what
the student did since then, through :func:`mine`, so demo data or earlier work never passes it::

    from core.exercises import mine
    from core.models import Lead

    def lead_qualified(user, since):
        ok = mine(user, "lead", since).where(Lead.status == "qualified").exists()
        return ok, _("A lead of yours is qualified.") if ok else _("Qualify one of your leads.")

``setup(user, by)`` seeds a student's starting data when the exercise opens for their class (``by`` is the
instructor who opened it). It runs again whenever the exercise is opened again, so it must only add what is
missing and never delete: :func:`seed` does exactly that.

The fiscal helpers (``current_quarter``, ``quarter_of``, …) are core's own (``core.fiscal``), re-exported
here so a check needs one import.
"""
import inspect
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from core import access
from core.fiscal import current_quarter, current_year, local_date, quarter_of, year_of
from core.models import AuditEntry
from core.records import registry, service


@dataclass
class CheckResult:
    passed: bool
    message: Any = ""


@dataclass
class Exercise:
    """One exercise. ``title`` and ``instructions`` are dicts by language (``{"zh": …, "en": …}``) or
    lazy_gettext strings; ``modules`` names the plugins it needs (hidden while any is off for the student);
    ``setup`` (optional) seeds each student's starting data when the exercise opens for their class."""
    id: str
    title: Any
    instructions: Any
    checks: list                                   # callables (user, since) -> CheckResult | (bool, message)
    modules: tuple = ()
    points: int = 10
    order: int = 100
    plugin: str = ""
    setup: Optional[Callable] = None              # (user, by) -> None; idempotent, never deletes
    extra: dict = field(default_factory=dict)

    def text(self, value, language):
        if isinstance(value, dict):
            return value.get(language) or value.get("en") or next(iter(value.values()), "")
        return str(value)


def call_with(function, **kwargs):
    """Call a check or set-up with just the keyword arguments it takes (as hooks are called)."""
    names = inspect.signature(function).parameters
    return function(**{name: value for name, value in kwargs.items() if name in names})


def run_checks(exercise, user, since=None):
    """Run every check of ``exercise`` for ``user``; passed only if all pass. A check that raises fails
    with its error message rather than breaking the page."""
    messages, passed = [], True
    for check in exercise.checks:
        try:
            result = call_with(check, user=user, since=since)
        except Exception as exc:  # a broken check is the exercise author's bug: show it, don't crash
            result = CheckResult(False, f"{type(exc).__name__}: {exc}")
        if isinstance(result, tuple):
            result = CheckResult(*result)
        passed = passed and bool(result.passed)
        if result.message:
            messages.append(str(result.message))
    return CheckResult(passed, "\n".join(messages))


def mine(user, record_type, since=None):
    """The records of ``record_type`` (a name such as ``"lead"``) that ``user`` owns and may see (through
    :mod:`core.access`), and with ``since`` only those the student created or changed at or after it.

    "Changed by the student" comes from the audit log, whose times are real time: shifting the teaching
    clock back or forth changes nothing, and records seeded by ``setup`` (written as the instructor) or
    loaded as demo data before the exercise opened do not count until the student works on them."""
    rt = registry.get(record_type)
    query = access.visible(rt.model.select(), user, rt).where(rt.model.owner == user.id)
    if since is None:
        return query
    touched = AuditEntry.select(AuditEntry.record_id).where(
        (AuditEntry.record_type == rt.name) & (AuditEntry.user == user.id) & (AuditEntry.at >= since))
    return query.where(rt.model.id.in_(touched))


def seed(user, record_type, by, **fields):
    """Give ``user`` a record of ``record_type`` with ``fields`` unless they own one with those values
    already (so opening twice adds nothing). Written through core's record service as ``by`` (the
    instructor), so it is audited and never counts as the student's own work. Returns the record."""
    rt = registry.get(record_type)
    model = rt.model
    existing = model.select().where(model.owner == user.id,
                                    *[getattr(model, name) == value for name, value in fields.items()]).first()
    if existing is not None:
        return existing
    record = model(owner=user.id, **fields)
    service.save(rt, record, by, check=False)
    return record


__all__ = ["CheckResult", "Exercise", "call_with", "current_quarter", "current_year", "local_date", "mine",
           "quarter_of", "run_checks", "seed", "year_of"]
