"""The teaching log (教学日志): clock shifts, view-as and unlocks are written to it and shown, as words, to the
instructors of the class (school-wide entries to every instructor), page by page; instructors unlock their
students' logins; logins count in real time on the class overview."""
import re

from core import positions as P
from core.classroom import audit
from core.models import AuditEntry, User
from tests.conftest import TEST_PASSWORD


def in_chinese(user):
    User.update(language="zh").where(User.id == user.id).execute()


def log_rows(client, page=1):
    html = client.get(f"/classroom/log?page={page}").get_data(as_text=True)
    return [re.sub(r"<[^>]+>|\s+", " ", row).strip() for row in re.findall(r"<tr data-action=.*?</tr>", html, re.S)]


def test_clock_shift_and_its_undoing_appear_on_the_teaching_log_in_chinese(capp, school, login):
    teacher = login(capp.test_client(), school["teacher"])
    teacher.post("/classroom/clock", data={"days": "44"})
    teacher.post("/classroom/clock", data={"action": "reset"})
    in_chinese(school["teacher"])
    rows = log_rows(teacher)
    assert len(rows) == 2
    assert "教学时钟恢复为真实时间" in rows[0] and "全校" in rows[0]     # newest first
    assert "调整教学时钟" in rows[1] and "天数: 44" in rows[1] and "clock_shift" not in rows[1]
    assert all("Teacher" in row for row in rows)                    # who did it


def test_viewing_as_a_student_is_logged_when_it_starts_and_stops(capp, school, login):
    teacher = login(capp.test_client(), school["teacher"])
    teacher.post(f"/classroom/view-as/{school['alice'].id}")
    teacher.post("/classroom/view-as/stop")
    entries = list(AuditEntry.select().order_by(AuditEntry.id))
    assert [(e.action, e.user_id, e.record_id) for e in entries] == [
        ("view_as", school["teacher"].id, school["positions"]["class_a"].id),
        ("view_as_stop", school["teacher"].id, school["positions"]["class_a"].id)]
    in_chinese(school["teacher"])
    rows = log_rows(teacher)
    assert "结束以学生身份查看" in rows[0] and "Class A" in rows[0] and "alice" in rows[0]
    assert "开始以学生身份查看" in rows[1]


def test_an_instructor_sees_their_classes_and_the_school_wide_entries_only(capp, school, login, make_user):
    other_top = P.create("Teacher 2")
    class_c = P.create("Class C", other_top)
    other_teacher = make_user("teacher2", position=other_top, language="en")
    audit.log("reset", other_teacher, position=class_c, records=3)
    audit.log("reset", school["teacher"], position=school["positions"]["class_a"], records=5)
    audit.log("clock_reset", school["teacher"])
    teacher = login(capp.test_client(), school["teacher"])
    rows = log_rows(teacher)
    assert len(rows) == 2 and not any("Class C" in row for row in rows)
    assert "Class sandbox reset" in rows[1] and "Class A" in rows[1]
    assert len(log_rows(login(capp.test_client(), school["admin"]))) == 3
    assert len(log_rows(login(capp.test_client(), other_teacher))) == 2  # class C and the school-wide one


def test_the_teaching_log_is_paginated_and_for_instructors_only(capp, school, login):
    capp.config["PAGE_SIZE"] = 2
    for days in (1, 2, 3):
        audit.log("clock_shift", school["teacher"], days=days)
    teacher = login(capp.test_client(), school["teacher"])
    assert len(log_rows(teacher)) == 2 and "Days: 1" in log_rows(teacher, page=2)[0]
    assert teacher.get("/classroom/log?page=3").status_code == 404
    assert 'href="/classroom/log"' in teacher.get("/").get_data(as_text=True)   # the menu item
    assert login(capp.test_client(), school["alice"]).get("/classroom/log").status_code == 403


def lock_out(capp, username):
    browser = capp.test_client()
    for _ in range(capp.config["LOGIN_MAX_FAILURES"]):
        browser.post("/login", data={"username": username, "password": "wrong-password"})
    assert browser.post("/login", data={"username": username, "password": TEST_PASSWORD}).status_code == 429
    return browser


def test_an_instructor_unlocks_a_students_login_from_the_students_page(capp, school, login):
    browser = lock_out(capp, "alice")
    teacher = login(capp.test_client(), school["teacher"])
    alice = school["alice"].id
    assert "Unlock login" in teacher.get(f"/classroom/students/{alice}").get_data(as_text=True)
    assert teacher.post(f"/classroom/students/{alice}/unlock").status_code == 302
    assert "Unlock login" not in teacher.get(f"/classroom/students/{alice}").get_data(as_text=True)
    assert browser.post("/login", data={"username": "alice", "password": TEST_PASSWORD}).status_code == 302
    in_chinese(school["teacher"])
    row = log_rows(teacher)[0]
    assert "解锁登录" in row and "Class A" in row and "alice" in row


def test_only_the_students_own_instructor_may_unlock(capp, school, login, make_user):
    lock_out(capp, "alice")
    other_top = P.create("Teacher 2")
    stranger = login(capp.test_client(), make_user("teacher2", position=other_top))
    assert stranger.post(f"/classroom/students/{school['alice'].id}/unlock").status_code == 404
    student = login(capp.test_client(), school["bob"])
    assert student.post(f"/classroom/students/{school['alice'].id}/unlock").status_code == 403
    assert AuditEntry.select().count() == 0


def test_a_login_under_a_shifted_clock_still_counts_as_active_this_week(capp, school, login):
    teacher = login(capp.test_client(), school["teacher"])
    teacher.post("/classroom/clock", data={"days": "44"})
    student = capp.test_client()
    assert student.post("/login", data={"username": "alice", "password": TEST_PASSWORD}).status_code == 302
    html = teacher.get("/classroom/").get_data(as_text=True)
    row = re.search(rf'<tr data-class="{school["positions"]["class_a"].id}">(.*?)</tr>', html, re.S).group(1)
    assert re.findall(r'<td class="num">(\d+)</td>', row)[:2] == ["5", "1"]  # five in class A, one logged in


def test_every_action_of_the_teaching_tools_is_shown_in_chinese_words_without_codes(capp, school, login):
    """Reset, modules and unlock entries written through the pages: their details appear as Chinese labels and
    values (yes/no, a row total, module titles), never as the JSON keys or raw codes they are stored as."""
    class_a = school["positions"]["class_a"]
    teacher = login(capp.test_client(), school["teacher"])
    assert teacher.post(f"/classroom/sandbox/{class_a.id}", data={
        "confirm_name": class_a.name, "keep_grades": "1"}).status_code == 302
    assert teacher.post(f"/classroom/students/{school['alice'].id}/unlock").status_code == 302
    in_chinese(school["teacher"])
    rows = log_rows(teacher)
    actions = [e.action for e in AuditEntry.select().where(AuditEntry.record_type == "teaching")
               .order_by(AuditEntry.id.desc())]
    assert actions == ["unlock", "reset"] and len(rows) == 2
    assert "解锁登录" in rows[0]
    assert "保留成绩: 是" in rows[1] and "删除的行数: 0" in rows[1]
    for code in ("kept_grades", "counts", "restarted", "True", "account"):
        assert all(code not in row for row in rows), code
