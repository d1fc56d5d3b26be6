"""The class reset (班级沙盒) reaches one class only: two classes with every bundled plugin's demo data and the
cross-class rows of a real course; resetting class 2 leaves every row of class 1 and of the school identical
(a checksum per table, every table of the database), removes every old row of class 2, asks about grades, and
never hands out an id twice. Which rows are class 2's is decided here, from the schema, not by the code under
test."""
import datetime as dt
import hashlib
import importlib
import json
import random
import re
import sys
import types
from decimal import Decimal

import peewee
import pytest
from werkzeug.datastructures import MultiDict

from core import hookimpl, search
from core.classroom import sandbox
from core.classroom.models import Attempt, ExerciseOpening, Grade
from core.db import db, is_sqlite
from core.demo import load_for
from core.extension import ClassRows
from core.models import (Account, AuditEntry, Competitor, Lead, Notification, Opportunity, OpportunityCompetitor,
                         Position, SalesStage, User)
from core.records import registry as records
from tests.conftest import BUNDLED
from plugins.campaigns.models import Campaign, CampaignMember
from plugins.forecast.models import Quota
from plugins.reports.models import SavedReport, SavedReportShare
from plugins.service.models import Complaint, ServiceEvent, ServiceReply, ServiceSettings

OLD_REPLY = "旧的回复：请勿显示在新投诉上"
# (type, id) pairs without a foreign key: the type value -> the table it names
NAMED = {"lead": "lead", "contact": "contact", "account": "account", "opportunity": "opportunity",
         "feedback": "service_feedback", "complaint": "service_complaint", "case": "service_case"}


def _failing_plugin():
    """A plugin whose declared rows cannot be deleted: class B's position still has departments (RESTRICT)."""
    mod = types.ModuleType("zhixin_test_failing_reset")
    mod.NAME, mod.VERSION, mod.REQUIRES, mod.HOOKS = "failing_reset", "1", (), "zhixin_test_failing_reset"

    @hookimpl
    def zhixin_class_rows(user_ids):
        return [ClassRows("Accounts", Account, Account.owner.in_(user_ids)),
                ClassRows("Classes", Position, Position.name == "Class B")]
    mod.zhixin_class_rows = zhixin_class_rows
    sys.modules[mod.__name__] = mod
    return mod


FAILING = _failing_plugin()


# --- the course -------------------------------------------------------------------------------------------

@pytest.fixture
def course_app(make_app, frozen_clock):
    return make_app()  # before the school: building the app's first time in a test empties the tables


@pytest.fixture
def failing_app(make_app):
    return make_app(plugins=[*BUNDLED, "failing_reset"], extra_plugins=[FAILING])


@pytest.fixture
def course(course_app, make_school):
    """Every bundled plugin, the shared school in Chinese, demo data for the school and for each class, and the
    cross-class rows a course has: competitor links, the assignment rule, quotas, saved reports with shares,
    notifications, grades, a class-1 campaign with a class-2 lead as member, and class 2's newest complaint
    with a reply and a timeline."""
    app = course_app
    with app.app_context(), app.test_request_context():
        school = make_school(language="zh")
        positions = school["positions"]
        teacher, alice, carol = school["teacher"], school["alice"], school["carol"]
        load_for(app, [teacher], random.Random(1))
        for n, key in enumerate(("class_a", "class_b")):
            load_for(app, sandbox.class_users(positions[key]), random.Random(10 + n))
        ServiceSettings.update(assign_position=positions["class_a"].id, default_owner=teacher.id).execute()
        stage = SalesStage.select().order_by(SalesStage.order).first()
        for student in (alice, carol):
            competitor = Competitor.create(name=f"{student.username} 的对手", owner=student)
            opp = Opportunity.create(name=f"{student.username} 的机会", owner=student, stage=stage,
                                     close_date=dt.date(2026, 6, 30))
            OpportunityCompetitor.create(opportunity=opp, competitor=competitor)
            Quota.create(user=student, quarter_start=dt.date(2027, 1, 1), amount=Decimal(5000), set_by=teacher)
            report = SavedReport.create(owner=student, name=f"{student.username} 的报表", record_type="lead")
            SavedReportShare.create(report=report, position=student.position_id)
            Notification.create(user=student, title="提醒")
            Attempt.create(user=student, exercise="qualify_lead", passed=True, points=10)
            Grade.create(user=student, exercise="qualify_lead", passed_at=dt.datetime(2026, 5, 2), points=10)
        for key in ("class_a", "class_b"):
            ExerciseOpening.create(exercise="qualify_lead", position=positions[key], opened_by=teacher)
        Notification.create(user=teacher, title="老师的提醒")
        campaign = Campaign.select().where(Campaign.owner.in_([u.id for u in sandbox.class_users(
            positions["class_a"])])).first()
        CampaignMember.create(campaign=campaign, member_type="lead", member_id=Lead.create(
            last_name="跨班", owner=carol).id)
        old = Complaint.create(subject="旧投诉", owner=carol, received_at=dt.datetime(2026, 5, 1))
        ServiceReply.create(item_type="complaint", item_id=old.id, author=carol, body=OLD_REPLY)
        ServiceEvent.create(item_type="complaint", item_id=old.id, kind="created", new_value="new")
        school["old_complaint"] = old
    with app.app_context():
        yield app, school


KEPT = ("classroom_grade", "classroom_attempt", "classroom_exercise_opening")  # a class's own, kept by a reset


def newest_change_at(app):
    """The time of the newest record change: after a reset with reload, the demo data it wrote as the students."""
    return AuditEntry.select(peewee.fn.MAX(AuditEntry.at)).where(AuditEntry.record_type != "teaching").scalar()


def _models(app):
    return {m._meta.table_name: m for m in app.extensions["zhixin_plugins"].gather("zhixin_models")
            if m._meta.table_name != "cache_stamp"}  # the settings cache's version (core.stamp), not data


def _class_two(models, user_ids):
    """{table: ids of the rows that belong to class 2}: rows owned by its users, and rows depending on one."""
    own = {t: {r.id for r in m.select(m.id).where(m.owner.in_(user_ids))}
           for t, m in models.items() if "owner" in m._meta.fields}
    own["forecast_quota"] = {q.id for q in Quota.select().where(Quota.user.in_(user_ids))}
    users = set(user_ids)
    class_positions = {u.position_id for u in User.select().where(User.id.in_(user_ids))}
    type_table = {rt.name: rt.model._meta.table_name for rt in records.registry().values()}
    type_table.update({"forecast_quota": "forecast_quota", "reports.saved_report": "reports_saved_report"})

    def named(kind, record_id, tables=NAMED):
        return record_id in own.get(tables.get(kind), ())

    rules = {
        "opportunity_competitor": lambda r: r["opportunity"] in own["opportunity"]
        or r["competitor"] in own["competitor"],
        "opportunity_line": lambda r: r["opportunity"] in own["opportunity"],
        "opportunity_stage_history": lambda r: r["opportunity"] in own["opportunity"],
        "notification": lambda r: r["user"] in users,
        "audit_entry": lambda r: named(r["record_type"], r["record_id"], type_table),
        "classroom_attempt": lambda r: r["user"] in users,
        "classroom_grade": lambda r: r["user"] in users,
        "classroom_exercise_opening": lambda r: r["position"] in class_positions,
        "classroom_recheck_run": lambda r: r["position"] in class_positions,
        "forecast_quota": lambda r: r["user"] in users,
        "forecast_snapshot": lambda r: r["user"] in users,
        "reports_saved_report_share": lambda r: r["report"] in own["reports_saved_report"],
        "calendar_invitee": lambda r: r["event"] in own["calendar_event"] or r["contact"] in own["contact"],
        "campaigns_task": lambda r: r["campaign"] in own["campaigns_campaign"],
        "campaigns_member": lambda r: r["campaign"] in own["campaigns_campaign"]
        or named(r["member_type"], r["member_id"]),
        "campaigns_source": lambda r: r["campaign"] in own["campaigns_campaign"]
        or named(r["record_type"], r["record_id"]),
        "service_reply": lambda r: named(r["item_type"], r["item_id"]),
        "service_event": lambda r: named(r["item_type"], r["item_id"]),
        "sales_quote_line": lambda r: r["document"] in own["sales_quote"],
        "sales_order_line": lambda r: r["document"] in own["sales_order"],
        "sales_invoice_line": lambda r: r["document"] in own["sales_invoice"],
        "sales_payment": lambda r: r["invoice"] in own["sales_invoice"],
    }
    out = {}
    for table, model in models.items():
        rule = rules.get(table, lambda r: False)
        out[table] = {r["id"] for r in model.select().dicts() if r["id"] in own.get(table, ()) or rule(r)}
    return out


def snapshot(app, user_ids):
    """({table: checksum of the rows of class 1 and the school}, {table: ids of class 2's rows}), over every
    table of the database (the reset's own teaching-log entry left out, and who is logged in: the teacher's
    login gets a session row)."""
    models = _models(app)
    assert set(models) == {t for t in search.data_tables(db.obj) if not t.endswith("_migration")
                           and not t.startswith("sqlite_")
                           and t != "cache_stamp"}  # every table of the database is covered (not the
    # settings cache's version, core.stamp, which the reset's writes bump)
    two = _class_two(models, user_ids)
    sums = {}
    for table, model in models.items():
        if table in ("user_session", "sales_number_counter"):
            continue  # the counter moves on: class 2's fresh demo documents take the next numbers, never old ones
        rows = [r for r in model.select().order_by(model.id).dicts() if r["id"] not in two[table]
                and not (table == "audit_entry" and r["record_type"] == "teaching" and r["action"] == "reset")]
        sums[table] = hashlib.sha256(json.dumps(rows, default=str, sort_keys=True).encode()).hexdigest()
    return sums, two


def _class_two_ids(school):
    return [u.id for u in sandbox.class_users(school["positions"]["class_b"])]


def _post_reset(client, cls, keep_grades=True, reload=True):
    data = MultiDict([("confirm_name", cls.name), ("keep_grades", "0")])
    if keep_grades:
        data.add("keep_grades", "1")  # the ticked box after the hidden field, as a browser sends it
    if reload:
        data.add("reload", "1")
    return client.post(f"/classroom/sandbox/{cls.id}", data=data)


# --- tests ------------------------------------------------------------------------------------------------

def test_resetting_class_two_leaves_class_one_and_the_school_identical(course, login):
    app, school = course
    class_b = school["positions"]["class_b"]
    ids = _class_two_ids(school)
    before, old_two = snapshot(app, ids)
    assert old_two["opportunity_competitor"] and old_two["service_reply"] and old_two["campaigns_member"]
    teacher = login(app.test_client(), school["teacher"])

    page = teacher.get(f"/classroom/sandbox/{class_b.id}").get_data(as_text=True)
    listed = dict((label.strip(), int(n)) for label, n in
                  re.findall(r"<li>([^<:]+): <span class=\"num\">(\d+)</span></li>", page))
    assert listed["服务回复"] == len(old_two["service_reply"]) and listed["竞争对手关联"] == len(
        old_two["opportunity_competitor"])
    assert "保留学生成绩" in page and 'name="keep_grades" value="1" checked' in page
    total = int(re.search(r"将删除 (\d+) 条", page).group(1))
    assert total == sum(listed.values()) == sum(len(v) for t, v in old_two.items()
                                                if t not in KEPT)

    assert _post_reset(teacher, class_b).status_code == 302
    after, new_two = snapshot(app, ids)
    assert {t: s for t, s in after.items() if s != before[t]} == {}
    assert {t: new_two[t] for t in KEPT} == {t: old_two[t] for t in KEPT}  # grades kept: the box was ticked
    assert {t: old_two[t] & new_two[t] for t in old_two if t not in KEPT and old_two[t] & new_two[t]} == {}
    opening = ExerciseOpening.get(ExerciseOpening.position == class_b.id)
    assert opening.opened_at > newest_change_at(app)  # work counts from the reset on
    assert new_two["account"] and new_two["service_complaint"]  # fresh demo data for class 2
    entry = AuditEntry.get((AuditEntry.record_type == "teaching") & (AuditEntry.action == "reset"))
    details = json.loads(entry.changes)
    assert entry.record_id == class_b.id and entry.user_id == school["teacher"].id
    assert details["kept_grades"] is True and sum(details["counts"].values()) == total


def test_after_a_reset_a_new_complaint_has_a_new_id_and_no_old_reply(course, login):
    app, school = course
    class_b, carol = school["positions"]["class_b"], school["carol"]
    newest = Complaint.select(peewee.fn.MAX(Complaint.id)).scalar()
    assert newest == school["old_complaint"].id
    teacher = login(app.test_client(), school["teacher"])
    assert _post_reset(teacher, class_b, keep_grades=False, reload=False).status_code == 302
    for model in (Grade, Attempt):
        assert not model.select().where(model.user == carol.id).exists()  # unticked: forgotten
        assert model.select().where(model.user == school["alice"].id).exists()
    assert json.loads(AuditEntry.get(AuditEntry.action == "reset").changes)["kept_grades"] is False

    student = login(app.test_client(), carol)
    response = student.post("/service/complaint/new", data={
        "subject": "新投诉", "channel": "phone", "priority": "normal", "status": "new", "owner": str(carol.id),
        "account": "None", "contact": "None", "satisfaction": "None", "category": "other", "severity": "minor"})
    assert response.status_code == 302
    complaint = Complaint.get(Complaint.subject == "新投诉")
    assert complaint.id > newest
    html = student.get(f"/service/complaint/{complaint.id}").get_data(as_text=True)
    assert "新投诉" in html and OLD_REPLY not in html
    assert ServiceEvent.select().where((ServiceEvent.item_type == "complaint")
                                       & (ServiceEvent.item_id == complaint.id)
                                       & (ServiceEvent.kind == "created")).count() == 1


def test_a_failed_reset_changes_nothing_and_says_why(failing_app, make_school, login):
    app = failing_app
    with app.app_context():
        school = make_school(language="zh")
        Account.create(name="B 班客户", owner=school["carol"])
        Account.create(name="A 班客户", owner=school["alice"])
        ids = _class_two_ids(school)
        before = snapshot(app, ids)
        teacher = login(app.test_client(), school["teacher"])
        response = _post_reset(teacher, school["positions"]["class_b"])
        assert response.status_code == 409 and "重置已撤销" in response.get_data(as_text=True)
        assert snapshot(app, ids) == before and Account.select().count() == 2
        assert not AuditEntry.select().where(AuditEntry.action == "reset").exists()


def test_ids_grow_after_the_newest_row_is_deleted(app, make_user):
    owner = make_user("owner")
    first, newest = Account.create(name="一", owner=owner), Account.create(name="二", owner=owner)
    newest.delete_instance()
    assert Account.create(name="三", owner=owner).id > newest.id > first.id
    if is_sqlite():  # every table, core's and the plugins', declares AUTOINCREMENT
        plain = [name for name, sql in db.execute_sql("SELECT name, sql FROM sqlite_master WHERE type = 'table' "
                                                       "AND name NOT LIKE 'sqlite_%'").fetchall()
                 if '"id" INTEGER' in sql and "AUTOINCREMENT" not in sql and not name.endswith("_migration")]
        assert plain == []


def test_the_migration_rebuilds_old_sqlite_tables_with_autoincrement_keeping_rows_indexes_and_keys(tmp_path):
    migration = importlib.import_module("core.migrations.0004_sqlite_autoincrement")
    old = peewee.SqliteDatabase(str(tmp_path / "old.db"), pragmas={"foreign_keys": 1})
    old.execute_sql('CREATE TABLE "parent" ("id" INTEGER NOT NULL PRIMARY KEY, "name" VARCHAR(20) NOT NULL)')
    old.execute_sql('CREATE TABLE IF NOT EXISTS "child" ("id" INTEGER NOT NULL PRIMARY KEY, "parent_id" INTEGER '
                    'NOT NULL REFERENCES "parent" ("id") ON DELETE CASCADE)')
    old.execute_sql('CREATE UNIQUE INDEX "parent_name" ON "parent" ("name")')
    old.execute_sql("INSERT INTO parent (id, name) VALUES (1, 'a'), (2, 'b')")
    old.execute_sql("INSERT INTO child (parent_id) VALUES (1), (2)")
    old.pragma("foreign_keys", 0)  # as the migration runner does, outside the transaction
    with old.atomic():
        assert [t for t, _sql in migration.tables_to_rebuild(old)] == ["child", "parent"]
        for table, sql in migration.tables_to_rebuild(old):
            migration.rebuild(old, table, sql)
        assert migration.tables_to_rebuild(old) == []
    old.pragma("foreign_keys", 1)
    assert old.execute_sql("PRAGMA foreign_key_check").fetchall() == []
    assert old.execute_sql("SELECT name FROM parent ORDER BY id").fetchall() == [("a",), ("b",)]
    assert "parent_name" in [i.name for i in old.get_indexes("parent")]
    old.execute_sql("DELETE FROM parent WHERE id = 2")  # cascades: the foreign key survived the rebuild
    assert old.execute_sql("SELECT parent_id FROM child").fetchall() == [(1,)]
    old.execute_sql("INSERT INTO parent (name) VALUES ('c')")
    assert old.execute_sql("SELECT id FROM parent WHERE name = 'c'").fetchone() == (3,)  # 2 is not reused
    old.close()
