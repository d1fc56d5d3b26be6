"""A small school and one record of each core type, owned by a user in the middle of the tree.

    teacher (superior two levels up)
    └── class A (class lead: superior one level up)
        └── dept A  ← owner, peer (same position)
            └── sales A  ← subordinate
    └── class B
        └── dept B  ← outsider (another class)
    admin (no position)

Everyone reads the English pages unless a test switches the language.
"""
import pytest


@pytest.fixture
def school(app, make_school):
    """The shared school seen from Dept A (see the module docstring)."""
    s = make_school()
    return {"owner": s["manager_a"], "peer": s["deputy_a"], "superior": s["teacher"], "class_lead": s["lead_a"],
            "subordinate": s["alice"], "outsider": s["manager_b"], "admin": s["admin"]}


@pytest.fixture
def clients(app, school, login):
    return {side: login(app.test_client(), user) for side, user in school.items()}
