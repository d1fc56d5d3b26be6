"""An instructor imports a roster of 5 and opens an exercise for class 一班; a student logs in, changes the
password, completes the exercise and sees it pass; the instructor sees it in the grid."""
import re

import pytest

from tests.browser.conftest import LiveServer, log_in
from tests.conftest import TEST_PASSWORD
from tests.core.classroom.conftest import make_exercise_plugin

ROSTER = ("学号,姓名,班级,部门,邮箱\n"
          "S001,张伟,一班,一部,\nS002,李娜,一班,一部,\nS003,王芳,一班,二部,\n"
          "S004,刘洋,二班,一部,\nS005,陈静,二班,一部,\n")


@pytest.mark.browser
def test_roster_to_passed_exercise(make_app, make_user, page):
    app = make_app(plugins=["forecast", "test_exercises"], extra_plugins=[make_exercise_plugin()],
                   WTF_CSRF_ENABLED=True)
    server = LiveServer(app)
    try:
        with app.app_context():
            from core import positions
            teacher_position = positions.create("Teacher")
            make_user("teacher", position=teacher_position, language="en")
        log_in(page, server.url, "teacher", TEST_PASSWORD)
        page.goto(server.url + "/classroom/roster")
        page.set_input_files("input[name=file]", files=[{"name": "roster.csv", "mimeType": "text/csv",
                                                          "buffer": ROSTER.encode("utf-8")}])
        page.check("input[name=create_missing]")  # its classes and departments are new
        page.click("button[value=dry_run]")
        page.wait_for_selector('[data-roster-result="ok"]')
        page.click("button[value=commit]")
        password = page.locator('[data-student="S001"] [data-password]').inner_text().strip()
        assert page.locator("[data-password-sheet] tbody tr").count() == 5
        page.goto(server.url + "/classroom/")
        page.click("tr:has-text('一班') a[href$='/exercises']")
        page.click('[data-exercise="qualify_lead"] button')
        page.wait_for_selector('[data-exercise="qualify_lead"][data-open="yes"]')

        student = page.context.browser.new_context(locale="en-US").new_page()
        log_in(student, server.url, "S001", password)
        student.wait_for_url("**/account/credentials")
        student.fill("input[name=username]", "S001")
        student.fill("input[name=current_password]", password)
        student.fill("input[name=password]", "my-own-secret-9")
        student.fill("input[name=confirm]", "my-own-secret-9")
        student.press("input[name=confirm]", "Enter")
        student.wait_for_selector('[data-menu="home"]')
        # the student does the exercise's work in the CRM: a lead of their own, qualified
        student.goto(server.url + "/records/lead/new")
        student.fill("input[name=last_name]", "赵")
        student.fill("input[name=company]", "华东贸易")
        student.select_option("select[name=status]", "qualified")
        student.click("form.record-form button[type=submit], main form[method=post] button[type=submit] >> nth=-1")
        student.wait_for_url(re.compile(r"/records/lead/\d+$"))
        student.goto(server.url + "/classroom/exercises")
        student.click("form[action$='/classroom/exercises/check'] button")
        student.wait_for_selector('[data-exercise="qualify_lead"][data-passed="yes"]')

        page.goto(server.url + "/classroom/grid")
        cell = page.locator('[data-student="S001"] [data-exercise="qualify_lead"]')
        assert "✓" in cell.inner_text()
        assert "✓" not in page.locator('[data-student="S002"] [data-exercise="qualify_lead"]').inner_text()
        assert page.locator('[data-student="S004"] [data-exercise="qualify_lead"][data-hidden]').count() == 1
    finally:
        server.stop()
