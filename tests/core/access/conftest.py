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

from tests.core.access.helpers import sides_of


@pytest.fixture
def school(app, make_school):
    """The shared school seen from Dept A (see the module docstring)."""
    return sides_of(make_school())


@pytest.fixture
def clients(app, school, login):
    return {side: login(app.test_client(), user) for side, user in school.items()}
