"""Demo quotas: every demo user below the teacher gets a quota for the previous, current and next quarter."""
from decimal import Decimal

from core import fiscal

from plugins.forecast import services


def load(users, rng):
    if not users:
        return
    teacher = users[0]
    current = fiscal.current_quarter()
    for user in users[1:]:
        if not services.may_set_quota(teacher, user):
            continue
        base = Decimal(rng.choice((80, 100, 120, 150, 200, 250, 300))) * 1000
        for quarter in (current.previous(), current, current.next()):
            services.set_quota(teacher, user, quarter, base)
