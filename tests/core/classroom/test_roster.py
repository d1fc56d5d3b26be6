"""Roster import: dry run, commit, re-import, edge cases."""
import io

from core.models import Position, User

GOOD = "学号,姓名,班级,部门,邮箱\n2026001,张伟,一班,销售一部,zw@example.cn\n2026002,李娜,一班,销售二部,\n"


def _post(client, text, action, encoding="utf-8", **options):
    return client.post("/classroom/roster", data={"action": action, **options,
                                                  "file": (io.BytesIO(text.encode(encoding)), "roster.csv")},
                       content_type="multipart/form-data")


def test_dry_run_reports_every_bad_row_and_writes_nothing(capp, school, login):
    client = login(capp.test_client(), school["teacher"])
    bad = ("student_number,name,class,department,email\n"
           "s1,Ann,Class X,D1,not-an-email\n"
           "s1,Ann Again,Class X,D1,\n"
           ",No Number,Class X,D1,\n"
           "s4,,Class X,D1,\n")
    html = _post(client, bad, "commit").get_data(as_text=True)
    assert 'data-roster-result="errors"' in html
    assert "not-an-email is not an e-mail address" in html
    assert "appears again" in html and "student number is missing" in html and "name is missing" in html
    assert User.select().where(User.student_number.is_null(False)).count() == 0


def test_commit_creates_students_in_new_class_positions_with_forced_password_change(capp, school, login):
    client = login(capp.test_client(), school["teacher"])
    html = _post(client, GOOD, "commit", create_missing="y").get_data(as_text=True)
    assert "data-password-sheet" in html
    zhang = User.get(User.student_number == "2026001")
    assert zhang.full_name == "张伟" and zhang.must_change_password and zhang.username == "2026001"
    path = [p.name for p in zhang.position.ancestors()]
    assert path[-2:] == ["一班", "销售一部"]  # missing class and department created, as ticked
    assert Position.select().where(Position.name == "一班").count() == 1


def test_reimport_updates_instead_of_duplicating(capp, school, login):
    client = login(capp.test_client(), school["teacher"])
    _post(client, GOOD, "commit", create_missing="y")
    hash_before = User.get(User.student_number == "2026001").password_hash
    html = _post(client, GOOD.replace("张伟", "张伟伟"), "commit", create_missing="y").get_data(as_text=True)
    assert User.select().where(User.student_number == "2026001").count() == 1
    zhang = User.get(User.student_number == "2026001")
    assert zhang.full_name == "张伟伟" and zhang.password_hash == hash_before
    assert "(unchanged)" in html


def test_gb18030_file_with_chinese_names_is_read(capp, school, login):
    client = login(capp.test_client(), school["teacher"])
    html = _post(client, GOOD, "dry_run", encoding="gb18030", create_missing="y").get_data(as_text=True)
    assert 'data-roster-result="ok"' in html and "张伟" in html


def test_missing_columns_is_a_clear_error(capp, school, login):
    client = login(capp.test_client(), school["teacher"])
    html = _post(client, "name,email\nAnn,a@b.cn\n", "dry_run").get_data(as_text=True)
    assert "Missing columns: student_number, class" in html


def test_student_cannot_import_a_roster(capp, school, login):
    assert login(capp.test_client(), school["alice"]).get("/classroom/roster").status_code == 403
