"""A small school and one record of each core type, owned by a user in the middle of the tree.

    teacher (superior two levels up)
    └── class A (class lead: superior one level up)
        └── dept A  ← owner, peer (same position)
            └── sales A  ← subordinate
    └── class B
        └── dept B  ← outsider (another class)
    admin (no position)
"""
import pytest


@pytest.fixture
def school(app, positions, make_user):
    users = {
        "owner": make_user("owner", position=positions["dept_a"]),
        "peer": make_user("peer", position=positions["dept_a"]),
        "superior": make_user("superior", position=positions["teacher"]),
        "class_lead": make_user("classlead", position=positions["class_a"]),
        "subordinate": make_user("subordinate", position=positions["sales_a"]),
        "outsider": make_user("outsider", position=positions["dept_b"]),
        "admin": make_user("admin", admin=True),
    }
    return users


@pytest.fixture
def clients(app, school, login):
    return {side: login(app.test_client(), user) for side, user in school.items()}
