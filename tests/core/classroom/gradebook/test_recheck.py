""""Re-check the whole class": queued as a row, run in the background exactly once, with progress on the
grid; the results are those of each student's own check."""
import threading

from core.classroom import exercises as ex
from core.classroom.models import Grade, RecheckRun
from core.scheduler import all_jobs, run_job
from tests.core.classroom.gradebook.conftest import acme_of, set_lead_status


def _join_workers():
    for thread in threading.enumerate():
        if thread.name == "classroom-recheck":
            thread.join(timeout=120)


def test_the_class_recheck_runs_in_a_background_thread_and_shows_its_progress(people, as_user, open_exercise):
    open_exercise("qualify_lead")
    set_lead_status(as_user(people["alice"]), acme_of(people["alice"]), "qualified")  # work, not checked
    teacher = as_user(people["teacher"])
    class_a = people["positions"]["class_a"]
    assert teacher.post(f"/classroom/classes/{class_a.id}/recheck").status_code == 302
    _join_workers()
    grid = teacher.get(f"/classroom/grid?class={class_a.id}")
    html = grid.get_data(as_text=True)
    assert 'data-recheck="done"' in html and "上次全班重新检查：5 / 5 名学生" in html
    assert "Refresh" not in grid.headers
    assert [(g.user_id, g.passed) for g in Grade.select()] == [(people["alice"].id, True)]
    assert "10/10" in html.split('data-student="alice"')[1].split("</tr>")[0]


def test_a_queued_run_shows_progress_and_the_scheduler_runs_it_exactly_once(gapp, people, as_user,
                                                                             open_exercise):
    open_exercise("qualify_lead")
    class_a = people["positions"]["class_a"]
    run = ex.enqueue_recheck(class_a, people["teacher"])  # queued, no worker started yet
    grid = as_user(people["teacher"]).get(f"/classroom/grid?class={class_a.id}")
    assert grid.headers["Refresh"] == "3" and "重新检查已排队：0 / 5 名学生。" in grid.get_data(as_text=True)
    job = next(j for j in all_jobs(gapp) if j.id == "classroom.recheck_runs")
    assert run_job(gapp, job) == 1
    assert run_job(gapp, job) == 0  # claimed once: a second worker finds nothing to do
    run = RecheckRun.get_by_id(run.id)
    assert (run.status, run.done, run.total) == ("done", 5, 5)
    assert Grade.select().count() == 0  # nobody did the work
