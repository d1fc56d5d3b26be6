"""The exercise framework (练习): plugins declare exercises through ``zhixin_exercises``; core checks them
against each student's own data and keeps the results.

A check is a function ``check(user) -> CheckResult`` (or ``(passed, message)``). It must look only at the
student's own data through core's access layer, e.g.::

    from core import access
    from core.models import Lead

    def lead_qualified(user):
        mine = access.visible(Lead.select(), user, "lead").where(Lead.owner == user.id)
        ok = mine.where(Lead.status == "qualified").exists()
        return ok, _("A lead of yours is qualified.") if ok else _("Qualify one of your leads.")
"""
from dataclasses import dataclass, field
from typing import Any


@dataclass
class CheckResult:
    passed: bool
    message: Any = ""


@dataclass
class Exercise:
    """One exercise. ``title`` and ``instructions`` are dicts by language (``{"zh": …, "en": …}``) or
    lazy_gettext strings; ``modules`` names the plugins it needs (hidden while any is off for the student)."""
    id: str
    title: Any
    instructions: Any
    checks: list                                   # callables (user) -> CheckResult | (bool, message)
    modules: tuple = ()
    points: int = 10
    order: int = 100
    plugin: str = ""
    extra: dict = field(default_factory=dict)

    def text(self, value, language):
        if isinstance(value, dict):
            return value.get(language) or value.get("en") or next(iter(value.values()), "")
        return str(value)


def run_checks(exercise, user):
    """Run every check of ``exercise`` for ``user``; passed only if all pass. A check that raises fails
    with its error message rather than breaking the page."""
    messages, passed = [], True
    for check in exercise.checks:
        try:
            result = check(user)
        except Exception as exc:  # a broken check is the exercise author's bug: show it, don't crash
            result = CheckResult(False, f"{type(exc).__name__}: {exc}")
        if isinstance(result, tuple):
            result = CheckResult(*result)
        passed = passed and bool(result.passed)
        if result.message:
            messages.append(str(result.message))
    return CheckResult(passed, "\n".join(messages))


__all__ = ["CheckResult", "Exercise", "run_checks"]
