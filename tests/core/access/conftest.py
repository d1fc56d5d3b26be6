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
def school(app, positions, make_user):
    users = {
        "owner": make_user("owner", position=positions["dept_a"], language="en"),
        "peer": make_user("peer", position=positions["dept_a"], language="en"),
        "superior": make_user("superior", position=positions["teacher"], language="en"),
        "class_lead": make_user("classlead", position=positions["class_a"], language="en"),
        "subordinate": make_user("subordinate", position=positions["sales_a"], language="en"),
        "outsider": make_user("outsider", position=positions["dept_b"], language="en"),
        "admin": make_user("admin", admin=True, language="en"),
    }
    return users


@pytest.fixture
def clients(app, school, login):
    return {side: login(app.test_client(), user) for side, user in school.items()}
