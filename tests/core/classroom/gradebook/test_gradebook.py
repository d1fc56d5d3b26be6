"""The gradebook keeps what was earned: every check is an attempt, the first pass is kept, an instructor's
override (with a reason) is audited, a deadline marks late passes, hidden exercises are blank, not 0."""
import csv
import datetime as dt
import io

from core import clock
from core.classroom import modules
from core.classroom.models import Attempt, Grade
from core.models import AuditEntry
from tests.core.classroom.gradebook.conftest import acme_of, set_lead_status


def _grid(client, cls=None):
    return client.get("/classroom/grid" + (f"?class={cls.id}" if cls else "")).get_data(as_text=True)


def _csv(client):
    text = client.get("/classroom/grid?format=csv").get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text)))
    return rows[0], {row[2]: row for row in rows[1:]}


def test_a_pass_is_kept_when_a_later_check_fails(people, as_user, open_exercise):
    open_exercise("qualify_lead")
    alice = as_user(people["alice"])
    acme = acme_of(people["alice"])
    set_lead_status(alice, acme, "qualified")
    alice.post("/classroom/exercises/check")
    passed_at = Grade.get(Grade.user == people["alice"].id).passed_at
    set_lead_status(alice, acme, "new")
    alice.post("/classroom/exercises/check")
    html = alice.get("/classroom/exercises").get_data(as_text=True)
    assert 'data-exercise="qualify_lead" data-passed="yes"' in html and "10 / 10 分" in html
    assert "Qualify one of your leads." in html  # the latest attempt's feedback
    assert Grade.get(Grade.user == people["alice"].id).passed_at == passed_at
    page = as_user(people["teacher"]).get(f"/classroom/students/{people['alice'].id}").get_data(as_text=True)
    assert page.count('data-attempt="qualify_lead"') == 2 and "检查记录" in page
    assert [a.passed for a in Attempt.select().order_by(Attempt.id)] == [True, False]


def test_the_set_up_seeds_each_student_once_and_is_not_the_students_work(people, as_user, open_exercise):
    position = people["positions"]["class_a"].id
    page = as_user(people["teacher"]).get(f"/classroom/classes/{position}/exercises").get_data(as_text=True)
    assert "对本班开放" in page and 'data-exercise="qualify_lead" data-open="no"' in page
    open_exercise("qualify_lead")
    open_exercise("qualify_lead")  # again: nothing seeded twice, nothing wiped
    class_a = ["lead_a", "manager_a", "deputy_a", "alice", "bob"]
    assert sorted(acme_of(people[name]).owner.username for name in class_a) == sorted(class_a)
    assert acme_of(people["alice"]).created_by_id == people["teacher"].id
    page = as_user(people["teacher"]).get(f"/classroom/classes/{position}/exercises").get_data(as_text=True)
    assert 'data-exercise="qualify_lead" data-open="yes"' in page and "更新截止时间" in page
    opened = AuditEntry.select().where(AuditEntry.action == "exercise_open", AuditEntry.record_id == position)
    assert opened.count() == 2 and opened.first().user_id == people["teacher"].id
    alice = as_user(people["alice"])
    alice.post("/classroom/exercises/check")
    assert 'data-passed="no"' in alice.get("/classroom/exercises").get_data(as_text=True)


def test_an_override_needs_a_reason_is_audited_and_shows_in_grid_and_csv(people, as_user, open_exercise):
    open_exercise("qualify_lead")
    teacher = as_user(people["teacher"])
    url = f"/classroom/students/{people['alice'].id}/grades/qualify_lead"
    missing = teacher.post(url, data={"points": "4", "reason": ""})
    assert missing.status_code == 400 and 'data-error="reason"' in missing.get_data(as_text=True)
    too_many = teacher.post(url, data={"points": "11", "reason": "额外加分"})
    assert too_many.status_code == 400 and "最多 10 分。" in too_many.get_data(as_text=True)
    assert Grade.select().where(Grade.override_points.is_null(False)).count() == 0
    assert teacher.post(url, data={"points": "4", "reason": "课堂演示"}).status_code == 302
    cell = _grid(teacher, people["positions"]["class_a"]).split('data-student="alice"')[1].split("</tr>")[0]
    assert "4/10" in cell and "data-override" in cell and 'title="课堂演示"' in cell
    header, rows = _csv(teacher)
    assert rows["alice"][header.index("确认一条线索")] == "4"
    entry = AuditEntry.get(AuditEntry.action == "grade_override")
    assert entry.user_id == people["teacher"].id and "课堂演示" in entry.changes and '"before": 0' in entry.changes
    hidden = f"/classroom/students/{people['alice'].id}/grades/campaign_thing"  # campaigns is off
    assert teacher.post(hidden, data={"points": "1", "reason": "x"}).status_code == 404
    assert as_user(people["bob"]).post(url, data={"points": "10", "reason": "me"}).status_code == 403


def test_a_pass_after_the_deadline_is_marked_late(people, as_user, open_exercise, frozen_clock):
    now = clock.real_utcnow()
    local = lambda at: clock.to_local(at).strftime("%Y-%m-%dT%H:%M")  # noqa: E731
    open_exercise("qualify_lead", deadline=local(now + dt.timedelta(hours=1)))
    bob = as_user(people["bob"])
    set_lead_status(bob, acme_of(people["bob"]), "qualified")
    bob.post("/classroom/exercises/check")  # before the deadline
    frozen_clock(now + dt.timedelta(hours=2))
    alice = as_user(people["alice"])
    set_lead_status(alice, acme_of(people["alice"]), "qualified")
    alice.post("/classroom/exercises/check")
    assert "data-late" in alice.get("/classroom/exercises").get_data(as_text=True)
    grid = _grid(as_user(people["teacher"]))
    assert "data-late" in grid.split('data-student="alice"')[1].split("</tr>")[0]
    assert "data-late" not in grid.split('data-student="bob"')[1].split("</tr>")[0]
    header, rows = _csv(as_user(people["teacher"]))
    late = header.index("逾期通过")
    assert rows["alice"][late] == "确认一条线索" and rows["bob"][late] == ""


def test_hidden_exercises_are_blank_and_completion_counts_only_visible_ones(make_app, exercise_plugin, people,
                                                                              login, open_exercise):
    app = make_app(plugins=["forecast", "campaigns", "test_exercises"], extra_plugins=[exercise_plugin])
    modules.set_classes("campaigns", [people["positions"]["class_b"].id])
    open_exercise("qualify_lead", "class_a")
    open_exercise("campaign_thing", "class_a")  # campaigns is off for class A: still hidden there
    open_exercise("campaign_thing", "class_b")
    for name in ("alice", "carol"):
        login(app.test_client(), people[name]).post("/classroom/exercises/check")
    teacher = login(app.test_client(), people["teacher"])
    grid = teacher.get("/classroom/grid").get_data(as_text=True)
    alice = grid.split('data-student="alice"')[1].split("</tr>")[0]
    carol = grid.split('data-student="carol"')[1].split("</tr>")[0]
    assert '<td data-exercise="campaign_thing" data-hidden></td>' in alice and "0/10" in alice
    assert '<td data-exercise="qualify_lead" data-hidden></td>' in carol and "5/5" in carol
    assert 'data-total>5/5<' in carol and 'data-total>0/10<' in alice
    overview = teacher.get("/classroom/").get_data(as_text=True)
    class_a, class_b = (overview.split(f'data-class="{people["positions"][c].id}"')[1].split("</tr>")[0]
                        for c in ("class_a", "class_b"))
    assert "data-completion>0%" in class_a  # nobody in class A passed; campaign_thing does not count there
    assert "data-completion>33%" in class_b  # carol, 1 of class B's 3 people, each seeing one exercise


def test_grades_survive_a_class_reset_and_a_clock_shift_forward_and_back(people, as_user, open_exercise):
    open_exercise("qualify_lead")
    alice = as_user(people["alice"])
    set_lead_status(alice, acme_of(people["alice"]), "qualified")
    alice.post("/classroom/exercises/check")
    teacher = as_user(people["teacher"])
    class_a = people["positions"]["class_a"]
    assert teacher.post(f"/classroom/sandbox/{class_a.id}", data={"confirm_name": class_a.name}).status_code == 302
    assert teacher.post("/classroom/clock", data={"days": "40"}).status_code == 302
    alice.post("/classroom/exercises/check")  # the work is gone: the attempt fails, the grade stays
    assert teacher.post("/classroom/clock", data={"days": "-40"}).status_code == 302
    alice.post("/classroom/exercises/check")
    assert teacher.post("/classroom/clock", data={"action": "reset"}).status_code == 302
    assert "10/10" in _grid(teacher, class_a).split('data-student="alice"')[1].split("</tr>")[0]
    assert [a.passed for a in Attempt.select().order_by(Attempt.id)] == [True, False, False]


def test_the_grade_export_defuses_spreadsheet_formulas(people, as_user, make_user, open_exercise):
    make_user("mallory", position=people["positions"]["sales_a"], full_name='=HYPERLINK("http://x","y")')
    open_exercise("qualify_lead")
    _header, rows = _csv(as_user(people["teacher"]))
    assert rows["mallory"][3] == '\'=HYPERLINK("http://x","y")'


def test_the_grade_export_heads_the_students_name_as_a_persons_name(people, as_user, open_exercise):
    """姓名 (a person's name), as the roster file has it, not 名称 (the name of a thing)."""
    open_exercise("qualify_lead")
    header, rows = _csv(as_user(people["teacher"]))
    assert header[:2] == ["班级", "学号"] and header[3] == "姓名"
    assert rows["alice"][3] == people["alice"].full_name
