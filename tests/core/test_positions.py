"""The position tree (工作岗位): create, rename, move (never under itself), delete rules, class template,
through the tree operations and through the admin pages."""
import pytest
from click.testing import CliRunner

from core import positions as tree
from core.models import AuditEntry, Position, User


def paths():
    return {p.name: p.path for p in Position.select()}


@pytest.fixture(autouse=True)
def english(app):
    """Outside a request the organisation's language (Chinese) applies; these assertions read English."""
    from flask_babel import force_locale
    with force_locale("en"):
        yield


def test_create_builds_materialized_paths(app):
    top = tree.create("Teacher")
    child = tree.create("Class 1", top)
    grandchild = tree.create("Dept 1", child)
    assert top.path == f"/{top.id}/" and child.path == f"/{top.id}/{child.id}/"
    assert grandchild.path == f"/{top.id}/{child.id}/{grandchild.id}/" and grandchild.depth == 2
    assert {p.id for p in tree.subtree(top, include_self=False)} == {child.id, grandchild.id}


def test_subtree_range_does_not_catch_a_sibling_with_a_longer_id(app):
    top = tree.create("Top")
    positions = [tree.create(f"P{i}", top) for i in range(12)]  # ids 2..13: '/1/2/' vs '/1/12/'
    first = positions[0]
    inside = tree.create("Inside", first)
    assert [p.id for p in tree.subtree(first, include_self=False)] == [inside.id]


def test_move_rewrites_the_whole_subtree(app, positions):
    moved = tree.move(positions["dept_a"], positions["class_b"])
    sales = Position.get_by_id(positions["sales_a"].id)
    assert moved.parent_id == positions["class_b"].id
    assert moved.path == positions["class_b"].path + f"{moved.id}/" and moved.depth == 2
    assert sales.path == moved.path + f"{sales.id}/" and sales.depth == 3
    to_top = tree.move(moved, None)
    assert to_top.path == f"/{moved.id}/" and to_top.depth == 0
    assert Position.get_by_id(sales.id).depth == 1


def test_move_under_itself_or_its_subtree_is_refused(app, positions):
    before = paths()
    for target in ("class_a", "dept_a", "sales_a"):
        with pytest.raises(tree.PositionError, match="cannot move under itself"):
            tree.move(positions["class_a"], positions[target])
    assert paths() == before


def test_delete_refuses_children_and_holders_then_reassigns(app, positions, make_user):
    with pytest.raises(tree.PositionError, match="sub-positions"):
        tree.delete(positions["dept_a"])
    student = make_user("student", position=positions["sales_a"])
    with pytest.raises(tree.PositionError, match="choose a position"):
        tree.delete(positions["sales_a"])
    assert tree.delete(positions["sales_a"], reassign_to=positions["dept_a"]) == 1
    assert User.get_by_id(student.id).position_id == positions["dept_a"].id
    assert not Position.select().where(Position.id == positions["sales_a"].id).exists()
    assert tree.delete(positions["sales_b"]) == 0


def test_names_are_required_and_unique_among_siblings(app, positions):
    with pytest.raises(tree.PositionError):
        tree.create("   ")
    with pytest.raises(tree.PositionError, match="already a position"):
        tree.create("class a", positions["teacher"])
    tree.create("Class A", positions["class_b"])  # the same name elsewhere in the tree is fine


def test_class_template_builds_the_school_layout(app):
    layout = tree.classroom_template(classes=3, departments=2)
    assert len(layout["classes"]) == 3 and len(layout["departments"]) == 6 and len(layout["salespeople"]) == 6
    teacher = layout["teacher"]
    assert teacher.name == "Teacher" and teacher.depth == 0
    for sp in layout["salespeople"]:
        assert sp.depth == 3 and sp.path.startswith(teacher.path)
    assert tree.subtree(teacher).count() == 1 + 3 + 6 + 6
    with pytest.raises(tree.PositionError):
        tree.classroom_template(classes=0, departments=2)


def test_class_template_in_chinese(app):
    from flask_babel import force_locale
    with app.test_request_context(), force_locale("zh"):
        layout = tree.classroom_template(classes=1, departments=1)
    assert layout["teacher"].name == "教师"
    assert layout["salespeople"][0].name.endswith("销售员")


# --- the admin pages -------------------------------------------------------------------------------------

@pytest.fixture
def admin_client(app, make_user, login):
    return login(app.test_client(), make_user("admin", admin=True, language="en"))


def test_positions_admin_is_for_the_administrator_only(app, make_user, login, positions):
    client = login(app.test_client(), make_user("student", position=positions["sales_a"]))
    assert client.get("/admin/structure/").status_code == 403
    assert client.post("/admin/structure/template", data={"tpl-classes": 1, "tpl-departments": 1}).status_code == 403


def test_tree_page_shows_positions_with_their_users(admin_client, positions, make_user):
    make_user("lily", position=positions["dept_a"], full_name="Lily Li")
    html = admin_client.get("/admin/structure/").get_data(as_text=True)
    assert f'data-position="{positions["dept_a"].id}"' in html and "Lily Li" in html
    assert "both see everything below it" in html


def test_create_rename_move_delete_through_the_pages(admin_client, positions):
    r = admin_client.post("/admin/structure/positions/new",
                          data={"new-name": "Workshop", "new-parent": str(positions["class_a"].id)})
    assert r.status_code == 302
    workshop = Position.get(Position.name == "Workshop")
    assert workshop.parent_id == positions["class_a"].id
    r = admin_client.post(f"/admin/structure/positions/{workshop.id}/rename", data={"rename-name": "Lab"})
    assert r.status_code == 302 and Position.get_by_id(workshop.id).name == "Lab"
    r = admin_client.post(f"/admin/structure/positions/{workshop.id}/move",
                          data={"move-parent": str(positions["class_b"].id)})
    assert r.status_code == 302
    assert Position.get_by_id(workshop.id).path == positions["class_b"].path + f"{workshop.id}/"
    r = admin_client.post(f"/admin/structure/positions/{workshop.id}/delete", data={})
    assert r.status_code == 302 and not Position.select().where(Position.id == workshop.id).exists()
    actions = {e.action for e in AuditEntry.select().where(AuditEntry.record_type == "position")}
    assert actions == {"create", "update", "move", "delete"}


def test_moving_under_its_own_subtree_shows_a_clear_message(admin_client, positions):
    r = admin_client.post(f"/admin/structure/positions/{positions['class_a'].id}/move",
                          data={"move-parent": str(positions["sales_a"].id)})
    assert r.status_code == 400
    assert "cannot move under itself or one of its own sub-positions" in r.get_data(as_text=True)
    assert Position.get_by_id(positions["class_a"].id).parent_id == positions["teacher"].id


def test_the_refusal_reads_naturally_in_chinese(app, make_user, login, positions):
    client = login(app.test_client(), make_user("guanliyuan", admin=True, language="zh"))
    r = client.post(f"/admin/structure/positions/{positions['class_a'].id}/move",
                    data={"move-parent": str(positions["sales_a"].id)})
    assert "Class A 不能移到自身或它自己的下属岗位之下" in r.get_data(as_text=True)
    assert "两位用户担任同一个管理岗位时" in client.get("/admin/structure/").get_data(as_text=True)


def test_deleting_a_held_position_asks_where_its_users_go(admin_client, positions, make_user):
    student = make_user("student", position=positions["sales_a"])
    r = admin_client.post(f"/admin/structure/positions/{positions['sales_a'].id}/delete", data={})
    assert r.status_code == 409 and "choose a position for them first" in r.get_data(as_text=True)
    r = admin_client.post(f"/admin/structure/positions/{positions['sales_a'].id}/delete",
                          data={"delete-reassign_to": str(positions["dept_a"].id)})
    assert r.status_code == 302
    assert User.get_by_id(student.id).position_id == positions["dept_a"].id


def test_deleting_a_position_with_children_is_refused(admin_client, positions):
    r = admin_client.post(f"/admin/structure/positions/{positions['class_a'].id}/delete", data={})
    assert r.status_code == 409 and "sub-positions" in r.get_data(as_text=True)
    assert Position.select().where(Position.id == positions["class_a"].id).exists()


def test_class_template_button(admin_client):
    r = admin_client.post("/admin/structure/template", data={"tpl-classes": "2", "tpl-departments": "3"})
    assert r.status_code == 302
    assert Position.select().count() == 1 + 2 + 6 + 6
    r = admin_client.post("/admin/structure/template", data={"tpl-classes": "0", "tpl-departments": "3"})
    assert r.status_code == 400


def test_admin_index_links_the_structure_pages(admin_client):
    html = admin_client.get("/admin/").get_data(as_text=True)
    for path in ("/admin/structure/", "/admin/structure/sharing", "/admin/structure/products",
                 "/admin/structure/categories", "/admin/structure/stages"):
        assert f'href="{path}"' in html


def test_cli_builds_the_classroom_template(app, database_url, monkeypatch):
    from core.cli import main
    monkeypatch.setenv("ZHIXIN_DATABASE_URL", database_url)
    monkeypatch.setenv("ZHIXIN_PLUGINS", "")
    result = CliRunner().invoke(main, ["positions", "template", "classroom", "--classes", "3",
                                       "--departments", "2", "--language", "en"])
    assert result.exit_code == 0, result.output
    assert "Created 16 positions" in result.output
    assert Position.select().where(Position.name == "Class 3 Department 2 Salesperson").count() == 1


def test_cli_lists_the_tree_with_counts(app, database_url, monkeypatch, positions, make_user):
    from core.cli import main
    make_user("student", position=positions["sales_a"])
    monkeypatch.setenv("ZHIXIN_DATABASE_URL", database_url)
    monkeypatch.setenv("ZHIXIN_PLUGINS", "")
    result = CliRunner().invoke(main, ["positions", "list"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Teacher" and "      Sales A" in lines
    assert "1 users hold a position; 0 hold none." in result.output
