"""core.access hardening: fail closed on bad data, one indexed subtree query, catalogue types."""
from core import access
from core.db import db, is_sqlite
from core.hierarchy.sharing import set_mode
from core.models import Opportunity, Position, Product, SharingMode, User
from tests.core.access.helpers import make_record


def ids(user, action="read"):
    return {o.id for o in access.visible(Opportunity.select(), user, "opportunity", action)}


def test_a_malformed_position_path_never_widens_access(app, school):
    record = make_record("opportunity", school["owner"], "x")
    Position.update(path="").where(Position.id == school["outsider"].position_id).execute()
    assert record.id not in ids(User.get_by_id(school["outsider"].id))
    assert access.subordinate_users(school["outsider"]) is None


def test_an_unknown_stored_mode_counts_as_private(app, school):
    record = make_record("opportunity", school["owner"], "x")
    SharingMode.insert(family="opportunity", mode="everyone").execute()
    access.forget_sharing_modes()
    assert access.mode_of("opportunity") == "private"
    assert record.id not in ids(school["outsider"])


def test_a_deactivated_user_sees_nothing_not_even_their_own(app, school):
    record = make_record("opportunity", school["owner"], "x")
    User.update(active=False).where(User.id == school["owner"].id).execute()
    assert record.id not in ids(User.get_by_id(school["owner"].id))
    assert not access.can(User.get_by_id(school["owner"].id), "read", record)


def test_products_are_read_by_everyone_and_changed_by_the_administrator_only(app, school):
    product = Product.create(name="Pen", code="PEN")
    assert access.can(school["outsider"], "read", product)
    assert not access.can(school["outsider"], "write", product)
    assert not access.can(school["superior"], "delete", product)
    assert access.can(school["admin"], "delete", product)
    assert access.mode_of("product") == "read"


def test_subordinates_are_one_range_query_on_the_indexed_path(app, school):
    sql, _params = access.subordinate_users(school["superior"]).sql()
    assert sql.count("SELECT") == 1 and '"path" >' in sql.replace("`", '"').replace(' COLLATE "C"', "")
    if is_sqlite():
        plan = " ".join(str(row) for row in db.execute_sql("EXPLAIN QUERY PLAN " + sql, _params).fetchall())
        assert "position_path" in plan  # the index on position.path


def test_superiors_two_levels_up_see_the_subtree_only(app, school):
    mine = make_record("opportunity", school["owner"], "a")
    other_class = make_record("opportunity", school["outsider"], "b")
    set_mode("opportunity", "private")
    assert ids(school["class_lead"]) == {mine.id}
    assert ids(school["superior"]) == {mine.id, other_class.id}
    assert ids(school["subordinate"]) == set()
    assert ids(school["peer"]) == set()


def test_explain_walks_the_chain_with_the_rule_s_own_verdicts(app, school):
    record = make_record("opportunity", school["owner"], "x")
    set_mode("opportunity", "readwrite")
    steps = access.explain(school["peer"], record)
    assert steps["same_position"] and not steps["is_superior"] and not steps["is_owner"]
    assert steps["verdicts"] == {"read": True, "write": True, "delete": False}
    assert steps["reasons"] == {"read": "mode", "write": "mode", "delete": "none"}
    assert [p.name for p in steps["owner_path"]] == ["Teacher", "Class A", "Dept A"]
    boss = access.explain(school["superior"], record)
    assert boss["is_superior"] and boss["reasons"]["delete"] == "superior"
    for user in school.values():
        steps = access.explain(user, record)
        assert steps["verdicts"] == {a: access.can(user, a, record) for a in access.ACTIONS}


def test_the_teacher_s_rule_is_the_complement_and_still_exact(app, school, make_user):
    """The teacher reaches most users, so the rule is written as NOT IN (users out of reach); records of a
    user without a position (NULL path in the LEFT JOIN) must stay out of reach."""
    set_mode("opportunity", "private")
    loner = make_user("loner")  # no position
    mine = make_record("opportunity", school["owner"], "a")
    theirs = make_record("opportunity", loner, "b")
    admins = make_record("opportunity", school["admin"], "c")
    teacher_sql = access.visible(Opportunity.select(), school["superior"], "opportunity").sql()[0]
    lead_sql = access.visible(Opportunity.select(), school["class_lead"], "opportunity").sql()[0]
    assert "NOT IN" in teacher_sql and "NOT IN" not in lead_sql
    grouped = access.visible(Opportunity.select(), school["superior"], "opportunity", plan="by_owner")
    assert "NOT IN" not in grouped.sql()[0] and {o.id for o in grouped} == {mine.id}
    page = access.visible(Opportunity.select(), school["class_lead"], "opportunity", plan="page")
    assert "NOT IN" in page.sql()[0] and {o.id for o in page} == {mine.id}
    assert ids(school["superior"]) == {mine.id}
    assert theirs.id not in ids(school["superior"]) and admins.id not in ids(school["superior"])
    assert ids(school["class_lead"]) == {mine.id}
    assert access.can(school["superior"], "delete", mine) and not access.can(school["superior"], "read", theirs)


def test_whose_figures_a_viewer_reaches_from_every_side(app, school, positions):
    owner = school["owner"]
    assert access.reaches_user(owner, owner) and not access.is_superior(owner, owner)
    assert access.is_superior(owner, school["subordinate"]) and access.reaches_user(owner, school["subordinate"])
    for other in ("peer", "superior", "class_lead", "outsider"):
        assert not access.reaches_user(owner, school[other]), other
    assert access.is_superior(school["superior"], owner) and access.is_superior(school["admin"], owner)
    assert access.reaches_position(owner, positions["dept_a"]) and access.reaches_position(owner, positions["sales_a"])
    assert not access.reaches_position(owner, positions["class_a"])
    assert not access.reaches_position(owner, positions["dept_b"])
    assert access.reaches_position(school["admin"], positions["teacher"])
    User.update(active=False).where(User.id == owner.id).execute()
    gone = User.get_by_id(owner.id)
    assert not access.reaches_user(gone, gone) and not access.reaches_position(gone, positions["dept_a"])
