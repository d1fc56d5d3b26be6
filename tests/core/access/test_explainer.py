"""The access explainer ("Why can I see this?"): the administrator asks about anyone, a user only about
themselves and only for records they can read; the verdicts are the rule's own."""
from core.hierarchy.sharing import set_mode
from core.models import User
from tests.core.access.helpers import make_record


def verdicts(html):
    return {a: f'data-action="{a}" data-verdict="yes"' in html for a in ("read", "write", "delete")}


def test_admin_explains_for_any_user(school, clients):
    record = make_record("opportunity", school["owner"], "Marker4711")
    set_mode("opportunity", "read")
    base = f"/admin/structure/explain/opportunity/{record.id}"
    html = clients["admin"].get(f"{base}?user={school['outsider'].id}").get_data(as_text=True)
    assert verdicts(html) == {"read": True, "write": False, "delete": False}
    assert "The sharing mode allows it to everyone." in html
    html = clients["admin"].get(f"{base}?user={school['superior'].id}").get_data(as_text=True)
    assert verdicts(html) == {"read": True, "write": True, "delete": True}
    assert "This position lies above the owner" in html
    assert "Teacher › Class A › Dept A" in html  # the owner's position path


def test_a_peer_learns_why_through_the_sharing_mode(school, clients):
    record = make_record("opportunity", school["owner"], "Marker4711")
    set_mode("opportunity", "readwrite")
    html = clients["peer"].get(f"/admin/structure/explain/opportunity/{record.id}").get_data(as_text=True)
    assert verdicts(html) == {"read": True, "write": True, "delete": False}
    assert "Same position as the owner" in html


def test_a_user_cannot_ask_about_someone_else(school, clients):
    record = make_record("opportunity", school["owner"], "Marker4711")
    url = f"/admin/structure/explain/opportunity/{record.id}?user={school['peer'].id}"
    assert clients["superior"].get(url).status_code == 403


def test_an_unreadable_record_answers_404(school, clients):
    record = make_record("opportunity", school["owner"], "Marker4711")
    set_mode("opportunity", "private")
    assert clients["outsider"].get(f"/admin/structure/explain/opportunity/{record.id}").status_code == 404
    assert clients["peer"].get(f"/admin/structure/explain/opportunity/{record.id}").status_code == 404
    assert clients["admin"].get("/admin/structure/explain/opportunity/99999").status_code == 404
    assert clients["admin"].get("/admin/structure/explain/nothing/1").status_code == 404


def test_the_explainer_speaks_chinese(school, clients):
    record = make_record("opportunity", school["owner"], "Marker4711")
    User.update(language="zh").where(User.id == school["owner"].id).execute()
    html = clients["owner"].get(f"/admin/structure/explain/opportunity/{record.id}").get_data(as_text=True)
    assert "为什么我能看到这条记录" in html and "这位用户是该记录的负责人" in html


def test_every_detail_page_links_to_the_explainer(school, clients):
    record = make_record("account", school["owner"], "Marker4711")
    html = clients["owner"].get(f"/records/account/{record.id}").get_data(as_text=True)
    assert f'href="/admin/structure/explain/account/{record.id}"' in html
