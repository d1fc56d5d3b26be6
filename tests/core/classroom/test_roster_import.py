"""Roster import that takes what schools have: every role with position paths, UTF-8/GB18030/xlsx detected
by content, the seed's whole school in one file, create-missing and deactivate options, administrator
deactivations kept, and a property test: any file the dry run accepts imports."""
import io
import re
from urllib.parse import unquote

import openpyxl
import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from core import positions as tree
from core.models import AuditEntry, Position, User

HEADER = ("学号", "姓名", "角色", "岗位", "邮箱")


def _seed_rows():
    """The seed's school: one teacher, 3 classes, 6 departments, 9 salesperson positions, 22 people."""
    rows = [("wang", "王老师", "教师", "教师", "wang@example.edu.cn")]
    for c in (1, 2, 3):
        rows.append((f"lead{c}", f"{c}班班长", "班长", f"教师/{c}班", ""))
        for d in (1, 2):
            rows.append((f"mgr{c}{d}", f"{c}班{d}部经理", "部门经理", f"教师/{c}班/{d}部", ""))
        seats = (("1部/销售员甲", 2), ("1部/销售员乙", 1), ("2部/销售员", 1))
        for seat, holders in seats:
            for _k in range(holders):
                rows.append((f"2026{c}{len(rows):02d}", f"学生{len(rows)}", "学生", f"教师/{c}班/{seat}", ""))
    return rows


SEED = _seed_rows()


def encode(rows, fmt, header=HEADER):
    """The file a school would upload: CSV in an encoding, or an Excel workbook (numbers as numbers)."""
    if fmt == "xlsx":
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.append(list(header))
        for row in rows:
            sheet.append([int(c) if c.isdigit() else c for c in row])
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()
    text = "\r\n".join(",".join(f'"{c}"' for c in row) for row in [header, *rows]) + "\r\n"
    return text.encode(fmt)


def post(client, data, action="dry_run", filename="roster.csv", **options):
    form = {"action": action, **options}
    if data is not None:
        form["file"] = (io.BytesIO(data), filename)
    return client.post("/classroom/roster", data=form, content_type="multipart/form-data")


def carried(html):
    """The file the dry run page carries to the import (its hidden field), as the browser sends it back."""
    return re.search(r'name="content" type="hidden" value="([^"]*)"', html).group(1)


def commit_checked(client, html, **options):
    return client.post("/classroom/roster", data={"action": "commit", "content": carried(html), **options})


def school_snapshot():
    """Every user as (user name, full name, position path by names, active) and every position, by names."""
    names = {p.id: p.name for p in Position.select()}

    def path_of(pos):
        return "/".join(names[int(i)] for i in pos.path.strip("/").split("/")) if pos else ""
    positions = sorted(path_of(p) for p in Position.select())
    users = sorted((u.username, u.full_name, path_of(u.position) if u.position_id else "", u.active)
                   for u in User.select().where(~User.is_admin))
    return positions, users


def full_rows():
    return [tuple(str(v) for v in row) for row in
            User.select(User.id, User.username, User.full_name, User.position, User.active, User.password_hash,
                        User.student_number).tuples()]


@pytest.fixture
def admin(app, make_user):
    return make_user("root", admin=True, language="zh")


@pytest.fixture
def client(app, admin, login):
    return login(app.test_client(), admin)


@pytest.mark.parametrize("fmt", ["utf-8", "utf-8-sig", "gb18030", "xlsx"])
def test_one_roster_file_builds_the_seed_school_in_every_format(client, fmt):
    html = post(client, encode(SEED, fmt), create_missing="y").get_data(as_text=True)
    assert 'data-roster-result="ok"' in html and f'data-roster-format="{fmt}"' in html
    assert "导入 22 人" in html and "要新建的岗位（19）" in html
    page = commit_checked(client, html, create_missing="y")
    assert page.status_code == 200 and "已导入 22 人。" in page.get_data(as_text=True)
    positions, users = school_snapshot()
    assert len(positions) == 19
    assert len([p for p in positions if p.count("/") == 3]) == 9
    expected = sorted((number, name, path, True) for number, name, _role, path, _mail in SEED)
    assert users == expected
    assert User.get(User.username == "wang").email == "wang@example.edu.cn"


def test_reimporting_the_seed_file_changes_nothing(client):
    post(client, encode(SEED, "gb18030"), "commit", create_missing="y")
    before = school_snapshot(), full_rows()
    html = post(client, encode(SEED, "xlsx"), "commit", filename="名单.xlsx").get_data(as_text=True)
    assert "data-password-sheet" in html and "（未更改）" in html
    assert (school_snapshot(), full_rows()) == before


def test_a_gb18030_file_survives_the_dry_run_and_imports_with_its_chinese_names(client):
    rows = [("s1", "张伟", "学生", "教师/一班/销售一部/销售员", "")]
    html = post(client, encode(rows, "gb18030"), create_missing="y").get_data(as_text=True)
    assert "文件格式：CSV（GB18030/GBK 编码）" in html
    assert commit_checked(client, html, create_missing="y").status_code == 200
    zhang = User.get(User.username == "s1")
    assert zhang.full_name == "张伟" and zhang.position.name == "销售员"
    assert [p.name for p in zhang.position.ancestors()] == ["教师", "一班", "销售一部"]


def test_a_workbook_is_recognised_by_its_content_whatever_its_name(client):
    data = encode([("s1", "张伟", "学生", "教师/一班/1部/销售员", "")], "xlsx")
    html = post(client, data, filename="roster.csv", create_missing="y").get_data(as_text=True)
    assert 'data-roster-format="xlsx"' in html and "Excel 工作簿（.xlsx）" in html and "张伟" in html
    broken = post(client, b"PK\x03\x04not really a zip", filename="roster.xlsx").get_data(as_text=True)
    assert "文件不是可读的 Excel 工作簿（.xlsx）。" in broken


def test_an_unknown_class_is_a_row_error_naming_it_unless_creating_is_ticked(client):
    tree.create("教师")
    data = encode([("s1", "张伟", "学生", "教师/三班/1部/销售员", "")], "utf-8")
    page = post(client, data, "commit")
    html = page.get_data(as_text=True)
    assert page.status_code == 409 and 'data-roster-result="errors"' in html
    assert "三班 在 教师 下不存在" in html
    assert Position.select().count() == 1 and not User.select().where(User.username == "s1").exists()
    assert post(client, data, "commit", create_missing="y").status_code == 200
    assert User.get(User.username == "s1").position.ancestors()[1].name == "三班"


def test_class_names_match_ignoring_case_and_spaces_in_the_dry_run_and_the_import(client, positions):
    data = "student_number,name,class,department\ns1,Ann, class a ,DEPT A\ns2,Ben,CLASS A,dept a\n".encode()
    html = post(client, data).get_data(as_text=True)
    assert 'data-roster-result="errors"' in html  # the salesperson position under Dept A has another name
    html = post(client, data, create_missing="y").get_data(as_text=True)
    assert "<td>Teacher / Class A / Dept A / DEPT A销售员</td>" in html  # the tree's spelling where it has one
    assert "/ class a" not in html and commit_checked(client, html, create_missing="y").status_code == 200
    ann, ben = User.get(User.username == "s1"), User.get(User.username == "s2")
    assert ann.position_id == ben.position_id
    assert ann.position.parent_id == positions["dept_a"].id


def test_every_role_takes_its_position_from_class_and_department_columns(client, positions):
    data = ("学号,姓名,角色,班级,部门\n"
            "t2,二号老师,教师,,\nl2,班长乙,班长,Class B,\nm2,经理乙,部门经理,Class B,Dept B\n"
            "p2,学生乙,,Class B,Dept B\n").encode()
    assert post(client, data, "commit", create_missing="y").status_code == 200
    where = {u.username: u.position_id for u in User.select().where(User.username.in_(["t2", "l2", "m2"]))}
    assert where == {"t2": positions["teacher"].id, "l2": positions["class_b"].id, "m2": positions["dept_b"].id}
    assert User.get(User.username == "p2").position.parent_id == positions["dept_b"].id


def test_a_role_that_does_not_fit_its_path_and_an_unknown_role_are_row_errors(client):
    data = encode([("s1", "甲", "班长", "教师/1班/1部", ""), ("s2", "乙", "校长", "教师", "")], "utf-8")
    html = post(client, data, create_missing="y").get_data(as_text=True)
    assert "角色 班长 与岗位路径 教师/1班/1部 不符。" in html and "未知角色 校长" in html


def test_deactivating_those_left_out_touches_only_the_classes_in_the_file(client, school):
    data = "student_number,name,class,department\nalice,Alice,Class A,Dept A\n".encode()
    html = post(client, data, deactivate_missing="y", create_missing="y").get_data(as_text=True)
    for name in ("bob", "manager_a", "deputy_a", "lead_a"):
        assert f'data-user="{name}"' in html
    assert commit_checked(client, html, deactivate_missing="y", create_missing="y").status_code == 200
    active = {u.username: u.active for u in User.select()}
    assert not any(active[n] for n in ("bob", "manager_a", "deputy_a", "lead_a"))
    assert all(active[n] for n in ("alice", "carol", "lead_b", "manager_b", "teacher", "outsider", "admin"))
    # back in a later file, a student the roster deactivated is active again
    post(client, "student_number,name,class,department\nbob,Bob,Class A,Dept A\n".encode(), "commit",
         create_missing="y")
    assert User.get(User.username == "bob").active


def test_a_reimport_never_reactivates_an_account_the_administrator_deactivated(client, school):
    carol = school["bob"]  # this directory's name for carol, the class-B student
    assert client.post(f"/admin/users/{carol.id}/active", data={"active": "0"}).status_code == 302
    data = "student_number,name,class,department\ncarol,Carol Again,Class B,Dept B\n".encode()
    html = post(client, data, create_missing="y").get_data(as_text=True)
    assert "将更新；仍保持停用（由管理员停用）" in html
    assert commit_checked(client, html, create_missing="y").status_code == 200
    carol = User.get_by_id(carol.id)
    assert carol.full_name == "Carol Again" and not carol.active
    client.post(f"/admin/users/{carol.id}/active", data={"active": "1"})
    assert not User.get_by_id(carol.id).deactivated_by_admin


def test_a_teacher_imports_only_into_their_own_classes(app, school, login, make_user):
    other = tree.create("Other teacher")
    make_user("stranger", position=tree.create("Class Z", other), student_number="z1")
    teacher = login(app.test_client(), school["teacher"])
    data = ("student_number,name,position\nz1,Zed,Teacher/Class A\nadmin,Boss,Teacher/Class A\n"
            "n1,New,Other teacher/Class Z\n").encode()
    html = post(teacher, data, create_missing="y").get_data(as_text=True)
    assert "z1 belongs to a class you do not teach." in html
    assert "admin is an administrator&#39;s account" in html
    assert "The position path must start at your own position Teacher." in html


def test_the_import_is_in_the_teaching_log_and_ticks_the_setup_step(client):
    assert 'data-step="roster" data-done="no"' in client.get("/admin/").get_data(as_text=True)
    post(client, encode(SEED[:2], "utf-8"), "commit", create_missing="y")
    entry = AuditEntry.get((AuditEntry.record_type == "teaching") & (AuditEntry.action == "roster_import"))
    assert '"new_users": 2' in entry.changes and '"new_positions": 2' in entry.changes
    html = client.get("/admin/").get_data(as_text=True)
    assert 'data-step="roster" data-done="yes"' in html and "导入花名册" in html


# --- any file the dry run accepts imports ---------------------------------------------------------------

# (values a school may well write, values that must be refused) per column
NUMBERS = (["s1", "S1", "s2", "t1", "wang", "stale", "gone", "2026001"], ["admin", "x y", "", "长"])
NAMES = (["张伟", "Ann", "  Li  "], ["", "a" * 101, "Ä\x00b", "名\n字"])
CLASSES = (["1班", " 1班 ", "class a", "CLASS A", "Ä班", "ä班", "Straße", "STRASSE"], ["", "x" * 101])
DEPARTMENTS = (["", "1部", "1部 ", "Ａ部"], ["y" * 101])
ROLES = (["", "", "", "学生", "教师", "班长", "部门经理", "manager"], ["boss"])
PATHS = (["教师/1班/1部/销售员", "教师/1班/1部/销售员", "教师 / CLASS A", "/教师/", "教师/ä班/1部/销售员", "教师/Ä班/x"],
         ["教师//x", "Teacher/1班", "教师" + "/a" * 9])
EMAILS = (["", "a@b.cn"], ["bad", "x" * 250 + "@b.cn"])
COLUMNS = (NUMBERS, NAMES, CLASSES, DEPARTMENTS, ROLES, PATHS, EMAILS)
good_rows = st.tuples(*(st.sampled_from(good) for good, _bad in COLUMNS))
any_rows = st.tuples(*(st.sampled_from(good + bad) for good, bad in COLUMNS))

files = st.fixed_dictionaries({
    "rows": st.one_of(st.lists(good_rows, min_size=1, max_size=5, unique_by=lambda row: row[0].lower()),
                      st.lists(st.one_of(good_rows, any_rows), min_size=1, max_size=5)),
    "english": st.booleans(),
    "columns": st.sampled_from(["class", "path", "both"]),
    "format": st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "xlsx"]),
    "create": st.sampled_from([True, True, False]),
    "deactivate": st.booleans(),
})


def _build_school(make_user):
    """The state each example starts from: a tree with names that differ only in case or width, a student,
    an account the administrator deactivated and a user name without student number."""
    AuditEntry.delete().execute()
    User.delete().where(User.username != "root").execute()
    Position.update(parent=None).execute()
    Position.delete().execute()
    teacher = tree.create("教师")
    one = tree.create("1班", teacher)
    tree.create("Class A", teacher)
    tree.create("ä班", teacher)
    make_user("stale", position=tree.create("1部", one), student_number="stale")
    make_user("gone", position=one, student_number="gone", active=False, deactivated_by_admin=True)
    make_user("wang", position=teacher)


def _file(example):
    english = example["english"]
    labels = {"number": ("student_number", "学号"), "name": ("name", "姓名"), "class": ("class", "班级"),
              "department": ("department", "部门"), "role": ("role", "角色"), "path": ("position", "岗位"),
              "email": ("email", "邮箱")}
    keys = ["number", "name"] + {"class": ["class", "department"], "path": ["path"],
                                 "both": ["class", "department", "path"]}[example["columns"]] + ["role", "email"]
    order = ["number", "name", "class", "department", "role", "path", "email"]
    header = [labels[k][0 if english else 1] for k in keys]
    rows = [tuple(row[order.index(k)] for k in keys) for row in example["rows"]]
    if example["format"] == "xlsx":
        assume(not any(c in cell for row in rows for cell in row for c in "\x00\n"))
    return encode(rows, example["format"], header)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(example=files)
def test_any_file_the_dry_run_accepts_imports_and_any_it_refuses_writes_nothing(client, make_user, example):
    _build_school(make_user)
    data = _file(example)
    options = {k: "y" for k, on in (("create_missing", example["create"]),
                                    ("deactivate_missing", example["deactivate"])) if on}
    dry = post(client, data, **options)
    assert dry.status_code == 200
    html = dry.get_data(as_text=True)
    before = full_rows(), school_snapshot()
    page = commit_checked(client, html, **options)
    event("accepted" if 'data-roster-result="ok"' in html else "refused")
    if 'data-roster-result="ok"' in html:
        assert page.status_code == 200, page.get_data(as_text=True)
        assert page.get_data(as_text=True).count("data-student=") == len(re.findall(r"<tr data-line=", html))
    else:
        assert page.status_code == 409
        assert (full_rows(), school_snapshot()) == before


def test_the_password_sheet_says_which_class_each_student_is_in(client):
    """Two classes with departments of the same name: the printed sheet (and its CSV) tells them apart."""
    rows = [("s1", "张伟", "学生", "教师/1班/一部/销售员", ""), ("s2", "李娜", "学生", "教师/2班/一部/销售员", "")]
    html = post(client, encode(rows, "utf-8"), "commit", create_missing="y").get_data(as_text=True)
    assert "<th>学号</th><th>姓名</th>" in html
    sheet = {number: re.search(rf'<tr data-student="{number}">(.*?)</tr>', html, re.S).group(1)
             for number in ("s1", "s2")}
    assert "教师 / 1班 / 一部 / 销售员" in sheet["s1"] and "教师 / 2班 / 一部 / 销售员" in sheet["s2"]
    download = re.search(r'href="data:text/csv;charset=utf-8,([^"]*)"', html).group(1)
    assert "教师 / 2班 / 一部 / 销售员" in unquote(download)
