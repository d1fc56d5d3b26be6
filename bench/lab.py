"""Benchmark: a lab session — one class of students logging in behind one address and doing an exercise.

    python -m bench.lab                                   # SQLite, then PostgreSQL
    python -m bench.lab --databases sqlite                # one of them
    python -m bench.lab --postgresql-url postgresql://postgres@127.0.0.1:5432/test_lab --spread 60

For each database: a fresh database (an SQLite file in a temporary folder; the PostgreSQL database named by
``--postgresql-url`` is EMPTIED first — give it a throwaway one), the demo school with one class of 60
students (passwords hashed with the real default method, argon2id, as a school's would be), the example
exercise plugin (examples/exercise-plugin, put on the path and registered in-process), its exercise opened
for the class by the teacher (the set-up seeds each student's lead Acme), and every bundled plugin. Then gunicorn with 4 workers serves it on 127.0.0.1, and one thread per student — each its own
cookie jar, all from 127.0.0.1, one address as behind a classroom's router — starts at a random moment
within ``--spread`` seconds and, through the HTTP forms (the CSRF token read from each form):

* logs in; a random quarter of the students first type a wrong password three times;
* pauses ``--think`` seconds on average (0.5–1.5×) between two actions, as a person does;
* opens *My exercises*, creates a lead of their own with status Qualified (the exercise "Create and
  qualify a lead") through the new-lead form, posts *Check my work now* and reads the grade.

Prints, per step, the count, p50 and p95 in ms and the errors; the logins refused for the correct password
(target 0); the students graded as passed; and the floor: the empty request (GET /healthz, which still
opens a database connection and reads the session) through the same gunicorn, once idle before the
students start and once from every student during the run. Each step is a small function so that it can
follow changes to the login and exercise flows.
"""
import argparse
import os
import platform
import random
import re
import statistics
import sys
import tempfile
import threading
import time

from bench.web import (ROOT, Browser, StepError, common_arguments, empty_database, free_port, percentile,
                       start_gunicorn, stop)
from core.app import create_app
from core.classroom.exercises import all_exercises, open_for_class
from core.db import db
from core.demo import load_demo
from core.migrate import upgrade
from core.models import Position, User

EXAMPLE_PLUGIN_DIR = os.path.join(ROOT, "examples", "exercise-plugin")
EXAMPLE_PLUGIN = "zhixin_lab_exercises"
EXERCISE = "lab.qualify_lead"
PASSWORD = "Lab-session-2026"
SECRET_KEY = "bench-lab"
SALESPERSON_DEPTH = 3  # teacher 0 → class 1 → department 2 → salesperson 3
STEPS = ("floor, idle: GET /healthz", "floor, under load: GET /healthz", "login page", "login, wrong password",
         "login, correct password: let in",
         "login, correct password: refused", "My exercises", "new-lead form", "new-lead form post", "check post",
         "grade (My exercises)")


def lab_app():
    """The WSGI app gunicorn serves (``bench.lab:lab_app()``): core's factory, configured by the environment,
    with the example exercise plugin registered in-process (it need not be installed)."""
    if EXAMPLE_PLUGIN_DIR not in sys.path:
        sys.path.append(EXAMPLE_PLUGIN_DIR)
    return create_app(extra_plugins=[EXAMPLE_PLUGIN])


# --- the database: fresh, the demo school, one class of students --------------------------------------------

def prepare(url, instance, students):
    """A fresh database with the demo school of one class topped up to ``students`` students; returns their
    user names."""
    empty_database(url)
    os.environ.update(ZHIXIN_DATABASE_URL=url, ZHIXIN_SECRET_KEY=SECRET_KEY, ZHIXIN_INSTANCE_PATH=instance)
    app = lab_app()
    upgrade(app)
    load_demo(app, PASSWORD, PASSWORD, classes=1, departments=10, progress=lambda message: None)
    with app.app_context(), db.connection_context():
        seats = list(Position.select().where(Position.depth == SALESPERSON_DEPTH).order_by(Position.id))
        in_class = User.select().join(Position).where(Position.depth == SALESPERSON_DEPTH)
        with db.atomic():
            for n in range(in_class.count(), students):
                user = User(username=f"lab{n + 1:02d}", full_name=f"学生{n + 1:02d}", position=seats[n % len(seats)])
                user.set_password(PASSWORD)  # the configured default method, as for every user of a school
                user.save()
        usernames = [u.username for u in in_class.order_by(User.id).limit(students)]
    open_exercise(app)
    return usernames


def open_exercise(app):
    """The teacher opens the exercise for the class, as in a lab: its set-up seeds each student's Acme."""
    with app.test_request_context():
        teacher = User.select().join(Position).where(Position.depth == 0).get()
        exercise = next(e for e in all_exercises(app) if e.id == EXERCISE)
        open_for_class(exercise, Position.get(Position.depth == 1), teacher)


# --- the steps (one function each, so each can follow its flow as it changes) ---------------------------------

def log_in(browser, username, password, step):
    """True when the login form let the student in (a redirect away from the login page); the time is
    recorded under ``step``, its ``{outcome}`` filled with "let in" or "refused"."""
    token, _ = browser.form_page("login page", "/login")
    status, _, location = browser.request(None, "/login", {"csrf_token": token, "username": username,
                                                           "password": password})
    let_in = status == 302 and "/login" not in (location or "")
    browser.record(step.format(outcome="let in" if let_in else "refused"), browser.last_ms)
    return let_in


def open_exercises(browser):
    """My exercises, with the exercise in it; returns the CSRF token of its check button."""
    token, body = browser.form_page("My exercises", "/classroom/exercises")
    if f'data-exercise="{EXERCISE}"' not in body:
        raise StepError("My exercises", f"{EXERCISE} is not on the page")
    return token


def do_exercise(browser, username):
    """Create a lead of one's own with status Qualified through the new-lead form."""
    token, _ = browser.form_page("new-lead form", "/records/lead/new")
    fields = {"csrf_token": token, "last_name": f"客户{username}", "company": f"{username} 公司",
              "status": "qualified"}
    status, body, location = browser.request("new-lead form post", "/records/lead/new", fields)
    if status != 302 or "/records/lead/" not in (location or ""):
        errors = re.findall(r'class="[^"]*error[^"]*"[^>]*>([^<]+)<', body)
        raise StepError("new-lead form post", f"answered {status} {errors[:3]}")


def check_and_grade(browser, token):
    """Post *Check my work now*, then read the exercise's grade on My exercises: True when passed."""
    status, _, _ = browser.request("check post", "/classroom/exercises/check", {"csrf_token": token})
    if status != 302:
        raise StepError("check post", f"answered {status}")
    status, body, _ = browser.request("grade (My exercises)", "/classroom/exercises")
    return f'data-exercise="{EXERCISE}" data-passed="yes"' in body


def student(base, username, mistypes, start_at, think, outcome):
    """One student's session; ``outcome`` collects timings, refusals, grades and errors. Between two actions
    the student pauses ``think`` seconds on average (retyping a password, reading, filling in the form)."""
    browser = Browser(base, outcome.record)
    rng = random.Random(username)
    pause = lambda: time.sleep(rng.uniform(0.5, 1.5) * think)  # noqa: E731
    time.sleep(max(0.0, start_at - time.monotonic()))
    try:
        browser.request("floor, under load: GET /healthz", "/healthz")
        for _ in range(mistypes):
            log_in(browser, username, PASSWORD + "x", "login, wrong password")
            pause()
        if not log_in(browser, username, PASSWORD, "login, correct password: {outcome}"):
            outcome.add("refused", username)
            return
        pause()
        token = open_exercises(browser)
        pause()
        do_exercise(browser, username)
        pause()
        outcome.add("passed" if check_and_grade(browser, token) else "failed", username)
    except StepError as exc:
        outcome.add("errors", str(exc))
    except OSError as exc:
        outcome.add("errors", f"{type(exc).__name__}: {exc}")


class Outcome:
    def __init__(self):
        self.lock = threading.Lock()
        self.times = {step: [] for step in STEPS}
        self.lists = {"refused": [], "passed": [], "failed": [], "errors": []}

    def record(self, step, ms):
        with self.lock:
            self.times[step].append(ms)

    def add(self, kind, item):
        with self.lock:
            self.lists[kind].append(item)


# --- the run and the table ------------------------------------------------------------------------------------

def lab_session(base, usernames, spread, think, seed):
    rng = random.Random(seed)
    mistypers = set(rng.sample(usernames, len(usernames) // 4))
    outcome = Outcome()
    idle = Browser(base, outcome.record)
    for _ in range(20):
        idle.request("floor, idle: GET /healthz", "/healthz")
    begin = time.monotonic() + 0.5
    threads = [threading.Thread(target=student, args=(base, name, 3 if name in mistypers else 0,
                                                      begin + rng.uniform(0, spread), think, outcome))
               for name in usernames]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcome, len(mistypers), time.monotonic() - begin


def report(name, outcome, args, mistypers, seconds):
    lists = outcome.lists
    print(f"\n## Lab session on {name}: {args.students} students of one class from one address, "
          f"gunicorn -w {args.workers}, Python {platform.python_version()}\n")
    print(f"Logins spread over {args.spread:g} s ({mistypers} students mistype their password 3× first), "
          f"{args.think:g} s on average between a student's actions; the run took {seconds:.0f} s.\n")
    print("| step | requests | p50 ms | p95 ms |")
    print("|---|---:|---:|---:|")
    for step in STEPS:
        samples = outcome.times[step]
        if samples:
            print(f"| {step} | {len(samples)} | {statistics.median(samples):.0f} | {percentile(samples, 0.95):.0f} |")
    print(f"\n- **logins refused for the correct password: {len(lists['refused'])}** of {args.students} "
          f"(target 0){': ' + ', '.join(lists['refused'][:8]) if lists['refused'] else ''}")
    print(f"- graded: {len(lists['passed'])} passed, {len(lists['failed'])} not passed")
    print(f"- errors: {len(lists['errors'])}")
    for error in lists["errors"][:10]:
        print(f"  - {error}")


def run(name, url, args):
    with tempfile.TemporaryDirectory(prefix="zhixin-lab-") as tmp:
        url = url or f"sqlite:///{os.path.join(tmp, 'lab.db')}"
        print(f"{name}: preparing {url} …", file=sys.stderr)
        usernames = prepare(url, tmp, args.students)
        port = free_port()
        server = start_gunicorn(port, args.workers, os.path.join(tmp, "gunicorn.log"), "bench.lab:lab_app()")
        try:
            print(f"{name}: {len(usernames)} students on http://127.0.0.1:{port}/ …", file=sys.stderr)
            outcome, mistypers, seconds = lab_session(f"http://127.0.0.1:{port}", usernames, args.spread,
                                                   args.think, args.seed)
        finally:
            stop(server)
        report(name, outcome, args, mistypers, seconds)
        return outcome


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.lab", description=__doc__.splitlines()[0])
    common_arguments(parser, "test_lab", students=60)
    parser.add_argument("--spread", type=float, default=60, help="seconds over which the students log in")
    parser.add_argument("--think", type=float, default=3,
                        help="a student's average pause in seconds between two actions (0: none)")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    urls = {"sqlite": None, "postgresql": args.postgresql_url}
    return {name: run(name, urls[name], args) for name in args.databases}


if __name__ == "__main__":
    main()
