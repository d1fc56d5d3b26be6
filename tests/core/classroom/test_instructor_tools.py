"""Modules per class, the teaching clock, view-as-student, class sandboxes, the setup checklist."""
import datetime as dt

from core import clock
from core.models import Account, Organisation


def test_module_limited_to_one_class_is_absent_for_the_other(make_app, exercise_plugin, school, login):
    from core.classroom import modules
    app = make_app(plugins=["forecast", "test_exercises"], extra_plugins=[exercise_plugin])
    with app.test_request_context():
        modules.set_classes("forecast", [school["positions"]["class_a"].id])
    alice = login(app.test_client(), school["alice"])
    bob = login(app.test_client(), school["bob"])
    teacher = login(app.test_client(), school["teacher"])
    assert alice.get("/forecast/", follow_redirects=True).status_code == 200
    assert bob.get("/forecast/", follow_redirects=True).status_code == 404
    assert teacher.get("/forecast/", follow_redirects=True).status_code == 200  # above the class
    assert 'data-menu="forecast"' in alice.get("/").get_data(as_text=True)
    assert 'data-menu="forecast"' not in bob.get("/").get_data(as_text=True)


def test_teaching_clock_shifts_today_shows_a_banner_and_resets(capp, school, login):
    teacher = login(capp.test_client(), school["teacher"])
    real_today = clock.today()
    target = real_today + dt.timedelta(days=40)
    teacher.post("/classroom/clock", data={"today": target.isoformat()})
    assert Organisation.get_by_id(1).clock_offset_seconds == 40 * 86400
    html = teacher.get("/").get_data(as_text=True)
    assert "banner-clock" in html
    assert clock.today() == target
    teacher.post("/classroom/clock", data={"action": "reset"})
    teacher.get("/")
    assert Organisation.get_by_id(1).clock_offset_seconds == 0 and clock.today() == real_today
    assert "banner-clock" not in teacher.get("/").get_data(as_text=True)


def test_view_as_student_is_read_only_and_shows_the_students_app(capp, school, login):
    teacher = login(capp.test_client(), school["teacher"])
    teacher.post(f"/classroom/view-as/{school['alice'].id}")
    html = teacher.get("/").get_data(as_text=True)
    assert "data-view-as" in html and "Alice" in html
    response = teacher.post("/account", data={"pw-current_password": "x"})
    assert response.status_code == 403 and "read-only" in response.get_data(as_text=True)
    assert teacher.get("/classroom/grid").status_code == 403  # the student's rights, not the teacher's
    teacher.post("/classroom/view-as/stop")
    assert teacher.get("/classroom/grid").status_code == 200


def test_instructor_cannot_view_as_someone_outside_their_classes(capp, school, login):
    outsider = school["outsider"]  # no position
    teacher = login(capp.test_client(), school["teacher"])
    assert teacher.post(f"/classroom/view-as/{outsider.id}").status_code == 404


def test_sandbox_reset_touches_one_class_only_after_confirmation(capp, school, login):
    Account.create(name="A1", owner=school["alice"])
    Account.create(name="A2", owner=school["manager_a"])
    Account.create(name="B1", owner=school["bob"])
    teacher = login(capp.test_client(), school["teacher"])
    class_a = school["positions"]["class_a"]
    page = teacher.get(f"/classroom/sandbox/{class_a.id}").get_data(as_text=True)
    assert "removes 2 rows" in page and class_a.name in page
    teacher.post(f"/classroom/sandbox/{class_a.id}", data={"confirm_name": "wrong"})
    assert Account.select().count() == 3
    teacher.post(f"/classroom/sandbox/{class_a.id}", data={"confirm_name": class_a.name})
    assert [a.name for a in Account.select()] == ["B1"]


def test_setup_checklist_on_the_admin_home_follows_progress(capp, school, login):
    admin = login(capp.test_client(), school["admin"])
    html = admin.get("/admin/").get_data(as_text=True)
    assert 'data-step="positions" data-done="yes"' in html
    assert 'data-step="products" data-done="no"' in html


def test_reminders_of_a_class_limited_module_reach_only_that_class(capp, school, exercise_plugin):
    """A notification a plugin sends is dropped for users the plugin is off for."""
    from core.classroom import modules
    from core.models import Notification
    exec("from core import notify\n"
         "def remind(user):\n"
         "    return notify.send(user, 'Task due', key='due-%d' % user.id, plugin='test_exercises')\n",
         exercise_plugin.__dict__)
    with capp.test_request_context():
        modules.set_classes("test_exercises", [school["positions"]["class_a"].id])
        assert exercise_plugin.remind(school["alice"]) is True
        assert exercise_plugin.remind(school["bob"]) is False
    assert [n.user_id for n in Notification.select()] == [school["alice"].id]


def test_shifted_clock_drives_a_reminder_and_the_current_quarter(make_app, exercise_plugin, school, login):
    """Shift "today" to three days before a task is due: the reminder job sends it, and the forecast's
    current quarter is the shifted date's quarter."""
    from core.models import Notification
    from core.records import registry
    from core.scheduler import all_jobs, run_job
    app = make_app(plugins=["campaigns", "forecast", "test_exercises"], extra_plugins=[exercise_plugin])
    with app.test_request_context():
        Campaign, Task = registry.get("campaign").model, registry.get("campaign_task").model
        today = clock.today()
        campaign = Campaign.create(name="Autumn fair", owner=school["alice"], status="active",
                                   start_date=today, end_date=today + dt.timedelta(days=200))
        Task.create(campaign=campaign, subject="Book the stand", owner=school["alice"], status="open",
                    due_at=clock.utcnow() + dt.timedelta(days=100))
    job = next(j for j in all_jobs(app) if j.id == "campaigns.reminders")
    run_job(app, job)
    assert Notification.select().where(Notification.user == school["alice"].id).count() == 0
    teacher = login(app.test_client(), school["teacher"])
    teacher.post("/classroom/clock", data={"days": "98"})
    run_job(app, job)
    assert Notification.select().where(Notification.user == school["alice"].id).count() >= 1
    from core.fiscal import quarter_of
    shifted = today + dt.timedelta(days=98)
    html = login(app.test_client(), school["alice"]).get("/forecast/my").get_data(as_text=True)
    expected = quarter_of(shifted, Organisation.get_by_id(1).fiscal_year_start)
    assert expected.label in html or expected.key in html
    teacher.post("/classroom/clock", data={"action": "reset"})
