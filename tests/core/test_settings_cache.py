"""The settings cache (core.stamp) across app servers: two apps on one database, each with its own per-process
cache; a change written through one is seen by the other on its next request, because the write bumped the
stamp row in the database — the organisation, a sharing mode, a module switched off for a class, the position
tree (the viewer's reach)."""
import pytest

from core import positions as position_tree, stamp
from core.classroom import modules
from core.db import db, is_postgres, is_sqlite
from core.hierarchy import sharing
from core.models import CacheStamp, Organisation, User
from tests.core.access.helpers import make_record


@pytest.fixture
def servers(make_app):
    """Two app servers on the test database (the second built with a setting of its own, so it is another app
    with another cache; make_app empties the database once, on the first call)."""
    first = make_app()
    second = make_app(SECOND_APP_SERVER=True)
    assert first is not second
    return first, second


def page(client, url):
    response = client.get(url)
    return response.status_code, response.get_data(as_text=True)


def write_through(app, change):
    """Run ``change`` in a request of ``app`` (a write made by that app server)."""
    with app.test_request_context("/"), db.connection_context():
        app.preprocess_request()
        change()


def test_organisation_renamed_on_one_server_is_shown_by_the_other(servers, school, login):
    first, second = servers
    viewer = login(second.test_client(), school["alice"])
    assert "Lotus" not in page(viewer, "/")[1]  # the second server has cached the organisation now
    write_through(first, lambda: Organisation.update(name="Lotus <School>").where(Organisation.id == 1).execute())
    body = page(viewer, "/")[1]
    assert "Lotus &lt;School&gt;" in body and "Lotus <School>" not in body


def test_sharing_mode_changed_on_one_server_applies_on_the_other(servers, school, login):
    first, second = servers
    record = make_record("opportunity", school["manager_a"], "shared-later")
    peer = login(second.test_client(), school["deputy_a"])
    assert page(peer, f"/records/opportunity/{record.id}")[0] == 404
    write_through(first, lambda: sharing.set_mode("opportunity", "read"))
    status, body = page(peer, f"/records/opportunity/{record.id}")
    assert status == 200 and "Opportunity shared-later" in body
    write_through(first, lambda: sharing.set_mode("opportunity", "private"))
    assert page(peer, f"/records/opportunity/{record.id}")[0] == 404


def test_module_switched_off_for_a_class_on_one_server_is_off_on_the_other(servers, school, login):
    first, second = servers
    student = login(second.test_client(), school["alice"])
    other_class = login(second.test_client(), school["carol"])
    assert page(student, "/forecast/my")[0] == 200
    write_through(first, lambda: modules.set_state("forecast", school["positions"]["class_a"], False))
    assert page(student, "/forecast/my")[0] == 404
    assert page(other_class, "/forecast/my")[0] == 200
    assert 'href="/forecast/' not in page(student, "/")[1]  # the menu entry is gone too


def test_position_moved_on_one_server_changes_reach_on_the_other(servers, school, login):
    first, second = servers
    positions = school["positions"]
    carol_deal = make_record("opportunity", school["carol"], "carol-deal")
    manager_b = login(second.test_client(), school["manager_b"])
    lead_a = login(second.test_client(), school["lead_a"])
    assert "carol-deal" in page(manager_b, "/records/opportunity/")[1]
    assert "carol-deal" not in page(lead_a, "/records/opportunity/")[1]
    # Dept B (manager_b's position, Sales B below it) moves under Class A: every path in it changes
    write_through(first, lambda: position_tree.move(positions["dept_b"], positions["class_a"]))
    assert "carol-deal" in page(manager_b, "/records/opportunity/")[1]  # the viewer's own new path
    assert "carol-deal" in page(lead_a, "/records/opportunity/")[1]


def test_user_moved_to_another_position_on_one_server_changes_reach_on_the_other(servers, school, login):
    first, second = servers
    carol_deal = make_record("opportunity", school["carol"], "carol-deal")
    lead_a = login(second.test_client(), school["lead_a"])
    assert page(lead_a, f"/records/opportunity/{carol_deal.id}")[0] == 404
    write_through(first, lambda: User.update(position=school["positions"]["sales_a"])
                  .where(User.id == school["carol"].id).execute())
    assert page(lead_a, f"/records/opportunity/{carol_deal.id}")[0] == 200
    carol = login(second.test_client(), User.get_by_id(school["carol"].id))
    assert "Sales A" in page(carol, "/")[1]  # the header names the new position


def test_each_cached_table_write_bumps_the_stamp_and_a_login_does_not(app, school):
    def version():
        return CacheStamp.get_by_id(1).version
    start = version()
    User.update(last_login_at=None).where(User.id == school["alice"].id).execute()
    User.update(language="zh").where(User.id == school["alice"].id).execute()
    assert version() == start
    with db.atomic():
        User.update(active=False).where(User.id == school["alice"].id).execute()
    assert version() == start + 1
    sharing.set_mode("account", "read")
    Organisation.update(name="X").execute()
    assert version() >= start + 3


def test_a_write_that_rolls_back_leaves_the_stamp_as_it_was(app, school):
    start = CacheStamp.get_by_id(1).version
    with pytest.raises(RuntimeError):
        with db.atomic():
            Organisation.update(name="never").execute()
            raise RuntimeError
    assert CacheStamp.get_by_id(1).version == start
    assert Organisation.get_by_id(1).name != "never"


@pytest.mark.parametrize("sql, table", [
    ('INSERT INTO "position" ("name") VALUES (?)', "position"),
    ("INSERT IGNORE INTO `classroom_class_module` (`plugin`) VALUES (%s)", "classroom_class_module"),
    ('INSERT OR IGNORE INTO "sharing_mode" ("family") VALUES (?)', "sharing_mode"),
    ('UPDATE "user" SET "position_id" = ? WHERE ("t1"."id" = ?)', "user"),
    ('UPDATE "user" SET "last_login_at" = ? WHERE ("user"."id" = ?)', None),
    ('DELETE FROM "sales_stage" WHERE ("t1"."id" = ?)', "sales_stage"),
    ('UPDATE "opportunity" SET "amount" = ?', None),
    ('SELECT "t1"."id" FROM "position" AS "t1"', None),
])
def test_the_statements_that_bump_are_the_writes_to_cached_tables(sql, table):
    assert stamp.stamped_table(sql) == table


def _foreign_keys_of_cached_tables(app):
    import peewee
    models = app.extensions["zhixin_plugins"].gather("zhixin_models")  # core's and every bundled plugin's
    return [(m._meta.table_name, f) for m in models if m._meta.table_name in stamp.STAMPED_TABLES
            for f in m._meta.fields.values() if isinstance(f, peewee.ForeignKeyField)]


def test_no_write_to_another_table_can_change_a_cached_one_behind_the_stamp(app):
    """The stamp sees statements, not their side effects: so no cascade may carry a write from an uncached
    table into a cached one, and no trigger may write a cached table. Read from the models' foreign keys and
    the database's own triggers, so a new one that would break the rule fails here."""
    keys = _foreign_keys_of_cached_tables(app)
    assert {("user", "position"), ("classroom_class_module", "position")} <= {(t, f.name) for t, f in keys}
    for table, field in keys:
        if (field.on_delete or "").upper() in ("CASCADE", "SET NULL", "SET DEFAULT") \
                or (field.on_update or "").upper() in ("CASCADE", "SET NULL", "SET DEFAULT"):
            assert field.rel_model._meta.table_name in stamp.STAMPED_TABLES, (table, field.name)
    if is_sqlite():
        bodies = [sql for (sql,) in db.execute_sql("SELECT sql FROM sqlite_master WHERE type = 'trigger'")]
    elif is_postgres():
        bodies = [f"{t} {a}" for t, a in db.execute_sql(
            "SELECT event_object_table, action_statement FROM information_schema.triggers")]
    else:
        bodies = [sql for (sql,) in db.execute_sql(
            "SELECT ACTION_STATEMENT FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE()")]
    for body in bodies:
        for statement in body.replace("BEGIN", ";").split(";"):
            assert stamp.stamped_table(statement.strip()) is None, body


def test_a_position_deleted_on_one_server_leaves_its_holder_without_it_on_the_other(servers, school, login,
                                                                                   make_user, positions):
    """Deleting a position sets its holders' position to none (ON DELETE SET NULL): the other server's next
    request names no position for them."""
    from core.models import Position
    first, second = servers
    with first.test_request_context("/"):
        spare = position_tree.create("Spare desk", parent=positions["dept_a"])
    holder = make_user("holder", position=spare)
    client = login(second.test_client(), holder)
    assert "Spare desk" in page(client, "/")[1]
    write_through(first, lambda: Position.delete().where(Position.id == spare.id).execute())
    assert User.get_by_id(holder.id).position_id is None
    assert "Spare desk" not in page(client, "/")[1]
