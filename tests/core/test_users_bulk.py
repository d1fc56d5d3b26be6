"""The users list assigns one position to many users at once: one transaction, audited per user, and a
clear 400/404 for a bad request."""
import pytest

from core.models import AuditEntry, User


@pytest.fixture
def admin(app, school, login):
    User.update(language="zh").where(User.id == school["admin"].id).execute()
    return login(app.test_client(), school["admin"])


def test_ticked_users_get_one_position_at_once(admin, school):
    html = admin.get("/admin/users").get_data(as_text=True)
    assert "给勾选的用户分配岗位" in html and 'form="bulk-position"' in html
    chosen = [school["outsider"], school["carol"]]
    target = school["positions"]["sales_a"]
    page = admin.post("/admin/users/position", data={"user": [str(u.id) for u in chosen], "position": str(target.id)})
    assert page.status_code == 302
    assert {User.get_by_id(u.id).position_id for u in chosen} == {target.id}
    assert User.get_by_id(school["bob"].id).position_id == target.id  # already there, untouched
    assert AuditEntry.select().where((AuditEntry.record_type == "user") & (AuditEntry.action == "update")).count() == 2
    assert "2 个用户现在担任 Sales A。" in admin.get("/admin/users").get_data(as_text=True)


@pytest.mark.parametrize("form, status", [
    ({"position": "1"}, 400),
    ({"user": ["x"], "position": "1"}, 400),
    ({"user": ["999999"], "position": "0"}, 404),
    ({"user": ["USER"], "position": "999999"}, 404),
])
def test_a_bad_bulk_assignment_is_refused_with_a_reason_and_changes_nothing(admin, school, form, status):
    form = {k: [str(school["carol"].id) if v == "USER" else v for v in vs] if isinstance(vs, list) else vs
            for k, vs in form.items()}
    before = [(u.id, u.position_id) for u in User.select().order_by(User.id)]
    assert admin.post("/admin/users/position", data=form).status_code == status
    assert [(u.id, u.position_id) for u in User.select().order_by(User.id)] == before


def test_only_the_administrator_assigns_positions(app, school, login):
    teacher = login(app.test_client(), school["teacher"])
    assert teacher.post("/admin/users/position", data={"user": [str(school["carol"].id)],
                                                       "position": "0"}).status_code == 403
