"""The lab course of issue 14, in Chinese and through the browser only: the teacher imports a GB18030 roster,
opens the example exercise "新建并确认一条线索" (its set-up seeds the lead Acme) for 1班; a student logs in,
chooses a password, qualifies Acme through the record forms and passes; the grade survives a class reset and a
teaching-clock shift there and back; the teacher exports the grades as a CSV file a spreadsheet reads."""
import csv
import io
import os
import re
import sys

import pytest

from core import positions
from tests.browser.conftest import LiveServer, log_in
from tests.conftest import TEST_PASSWORD

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "examples", "exercise-plugin"))
import zhixin_lab_exercises  # noqa: E402  (the example plugin, loaded in-process from its folder)

ROSTER = ("学号,姓名,班级,部门\n"
          "S101,张伟,1班,一部\nS102,李娜,1班,一部\nS201,王芳,2班,一部\n")
EXERCISE = '[data-exercise="lab.qualify_lead"]'
STUDENT_POINTS = f'[data-student="S101"] {EXERCISE} [data-points]'


def zh_page(browser):
    context = browser.new_context(locale="zh-CN", accept_downloads=True, viewport={"width": 1280, "height": 860})
    context.set_default_timeout(10000)
    return context.new_page()


def flash(page, text):
    page.wait_for_selector(f".flash:has-text('{text}')")


def import_roster(teacher):
    """Step 1: the dry run names the GB18030 file, the import shows the initial passwords."""
    teacher.click('[data-menu="classroom_roster"]')
    teacher.set_input_files("input[name=file]", files=[{"name": "花名册.csv", "mimeType": "text/csv",
                                                         "buffer": ROSTER.encode("gb18030")}])
    teacher.check("text=创建缺少的岗位和班级")
    teacher.click("button:has-text('检查文件（试运行）')")
    teacher.wait_for_selector('[data-roster-result="ok"]')
    assert teacher.locator("[data-roster-format]").inner_text() == "文件格式：CSV（GB18030/GBK 编码）"
    assert "张伟" in teacher.locator('[data-roster-result] tr[data-line="2"]').inner_text()
    teacher.click("button:has-text('导入 3 人')")
    assert teacher.locator("[data-roster-done]").inner_text().startswith("已导入 3 人。")
    row = teacher.locator('[data-password-sheet] tr[data-student="S101"]')
    assert "张伟" in row.inner_text() and "教师 / 1班 / 一部" in row.inner_text()  # which class, on paper
    return row.locator("[data-password]").inner_text().strip()


def open_exercise(teacher):
    """Step 2: from the class overview, the class's exercises, one opened (its set-up runs)."""
    teacher.click('[data-menu="classroom"]')
    teacher.click("tr:has-text('1班') a:has-text('开放练习')")
    teacher.click(f"{EXERCISE} button:has-text('对本班开放')")
    flash(teacher, "“新建并确认一条线索”已对1班开放。")
    assert teacher.locator(f'{EXERCISE}[data-open="yes"]').count() == 1


def student_passes(student, url, initial):
    """Step 3: first login (a password of their own), the seeded lead Acme qualified, the check passes."""
    log_in(student, url, "S101", initial)
    student.wait_for_url("**/account/credentials")
    student.fill("input[name=current_password]", initial)
    student.fill("input[name=password]", "wode-mima-2026")
    student.fill("input[name=confirm]", "wode-mima-2026")
    student.click("main form button[type=submit]")
    student.click('[data-menu="my_exercises"]')
    task = student.locator(EXERCISE)
    assert "新建并确认一条线索" in task.inner_text() and "未检查" in task.inner_text()
    status = re.search(r"“(.+?)”", task.inner_text()).group(1)  # the status the instructions name
    student.click('[data-menu="records:lead"]')
    student.click("tr:has-text('Acme') a")
    student.click('[data-action="edit"]')
    student.select_option("select[name=status]", label=status)
    student.click('form[data-form="lead"] button[type=submit]')
    student.wait_for_url(re.compile(r"/records/lead/\d+$"))
    assert status in student.locator('[data-section="fields"]').inner_text()
    student.click('[data-menu="my_exercises"]')
    student.click("button:has-text('立即检查我的练习')")
    flash(student, "通过 1 个")
    assert_student_passed(student)


def assert_student_passed(student):
    student.click('[data-menu="my_exercises"]')
    task = student.locator(f'{EXERCISE}[data-passed="yes"]')
    assert "已通过" in task.inner_text() and "10 / 10 分" in task.inner_text(), task.inner_text()


def assert_grid_keeps_points(teacher, student):
    teacher.click('[data-menu="classroom_grid"]')
    assert teacher.locator(STUDENT_POINTS).inner_text() == "10/10"
    assert teacher.locator(f'[data-student="S102"] {EXERCISE} [data-points]').inner_text() == "0/10"
    assert_student_passed(student)


def reset_class(teacher):
    """Step 4a: the confirm page asks for the class name; grades are kept unless unticked."""
    teacher.click('[data-menu="classroom_sandbox"]')
    teacher.click("tr:has-text('1班') a:has-text('重置')")
    assert teacher.is_checked("text=保留学生成绩")
    teacher.fill("text=输入班级名称以确认", "1班")
    teacher.click("button:has-text('重置班级')")
    flash(teacher, "1班 已重置")


def shift_clock(teacher, days):
    """Step 4b: the teaching clock forward by ``days``, or back to real time with ``None``."""
    teacher.click('[data-menu="classroom_clock"]')
    if days is None:
        teacher.click("button:has-text('恢复真实时间')")
        flash(teacher, "时钟已恢复为真实时间。")
        assert "已调整" not in teacher.locator("[data-clock-today]").inner_text()
    else:
        teacher.fill("text=或按天数调整", str(days))
        teacher.click("button:has-text('设置时钟')")
        flash(teacher, "现在所有人的今天都是")
        assert f"已调整 {days} 天" in teacher.locator("[data-clock-today]").inner_text()


def export_grades(teacher):
    """Step 5: the CSV download, UTF-8 with a BOM, the student's row with the points."""
    teacher.click('[data-menu="classroom_grid"]')
    with teacher.expect_download() as download:
        teacher.click("a:has-text('导出成绩（CSV）')")
    with open(download.value.path(), "rb") as f:
        data = f.read()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:2] == ["班级", "学号"]
    points = dict(zip(rows[0], next(r for r in rows if r[1] == "S101")))
    assert (points["班级"], points["姓名"], points["新建并确认一条线索"], points["得分"]) == ("1班", "张伟", "10", "10")


@pytest.mark.browser
def test_a_lab_course_from_roster_to_exported_grades(make_app, make_user, browser):
    app = make_app(plugins=["lab_exercises"], extra_plugins=[zhixin_lab_exercises], WTF_CSRF_ENABLED=True)
    server = LiveServer(app)
    teacher, student = zh_page(browser), zh_page(browser)
    try:
        with app.app_context():
            make_user("laoshi", position=positions.create("教师"), full_name="王老师")
        log_in(teacher, server.url, "laoshi", TEST_PASSWORD)
        initial = import_roster(teacher)
        open_exercise(teacher)
        student_passes(student, server.url, initial)
        assert_grid_keeps_points(teacher, student)
        reset_class(teacher)
        assert_grid_keeps_points(teacher, student)
        shift_clock(teacher, 30)
        assert_grid_keeps_points(teacher, student)
        shift_clock(teacher, None)
        assert_grid_keeps_points(teacher, student)
        export_grades(teacher)
    finally:
        teacher.context.close()
        student.context.close()
        server.stop()
