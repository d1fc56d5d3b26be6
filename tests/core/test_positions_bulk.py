"""The positions page adds several sub-positions at once and moves a subtree (never under itself); names
compare ignoring case and surrounding spaces everywhere, so a near-duplicate is a form error, not a 500."""

import pytest

from core import positions as tree
from core.db import db
from core.models import Position, User
from tests.migrations import run_steps


@pytest.fixture
def admin(app, make_user, login):
    return login(app.test_client(), make_user("admin", admin=True, language="zh"))


def test_several_children_are_created_at_once_in_order(admin, positions):
    page = admin.post("/admin/structure/positions/children",
                      data={"kids-parent": str(positions["class_a"].id), "kids-names": "2部\n\n 3部 \n4部"})
    assert page.status_code == 302
    kids = [p.name for p in Position.select().where(Position.parent == positions["class_a"].id).order_by(Position.id)]
    assert kids == ["Dept A", "2部", "3部", "4部"]
    html = admin.get("/admin/structure/").get_data(as_text=True)
    assert "一次添加多个下级岗位" in html and "移动岗位及其下所有岗位" in html


@pytest.mark.parametrize("names, message", [
    ("2部\n2部 ", "2部 在列表中出现了两次。"),
    ("2部\n dept a", "同一位置下已有名为 dept a 的岗位。"),
])
def test_a_bad_list_of_children_is_a_form_error_and_creates_none(admin, positions, names, message):
    count = Position.select().count()
    page = admin.post("/admin/structure/positions/children",
                      data={"kids-parent": str(positions["class_a"].id), "kids-names": names})
    assert page.status_code == 400
    assert message in page.get_data(as_text=True)
    assert Position.select().count() == count


def test_a_subtree_moves_from_the_positions_page_but_never_under_itself(admin, positions):
    dept_a, class_b = positions["dept_a"], positions["class_b"]
    refused = admin.post("/admin/structure/positions/move",
                         data={"subtree-position": str(dept_a.id), "subtree-parent": str(positions["sales_a"].id)})
    assert refused.status_code == 400 and "Dept A 不能移到自身或它自己的下属岗位之下。" in refused.get_data(as_text=True)
    assert Position.get_by_id(dept_a.id).parent_id == positions["class_a"].id
    moved = admin.post("/admin/structure/positions/move",
                       data={"subtree-position": str(dept_a.id), "subtree-parent": str(class_b.id)})
    assert moved.status_code == 302
    assert Position.get_by_id(positions["sales_a"].id).path.startswith(class_b.path)


def test_a_name_differing_only_in_case_is_refused_on_every_path(app, positions):
    for attempt in (lambda: tree.create_children(positions["teacher"], ["", " "]),
                    lambda: tree.create(" class a ", positions["teacher"]),
                    lambda: tree.rename(positions["class_b"], "CLASS A"),
                    lambda: tree.move(tree.create("class a", positions["dept_b"]), positions["teacher"])):
        with pytest.raises(tree.PositionError):
            attempt()
    assert tree.child(positions["teacher"], "  CLASS a ").id == positions["class_a"].id
    assert tree.child(None, "class a") is None


def test_migration_0005_adds_the_deactivated_by_admin_flag(app, make_user):
    make_user("kept")
    run_steps("core.migrations.0005_user_deactivated_by_admin", "down")
    assert "deactivated_by_admin" not in {c.name for c in db.get_columns("user")}
    run_steps("core.migrations.0005_user_deactivated_by_admin", "up")
    assert "deactivated_by_admin" in {c.name for c in db.get_columns("user")}
    assert User.get(User.username == "kept").deactivated_by_admin is False
