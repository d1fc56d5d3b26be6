"""Benchmark: a lab under load — many students, each in a browser session of their own, against gunicorn.

    python -m bench.load                                  # 200 students, 4 workers, sync and gthread, both databases
    python -m bench.load --databases sqlite --students 20 --duration 20 --hammer 0   # a quick look

For each database (an SQLite file in a temporary folder; the PostgreSQL database ``--postgresql-url`` names,
which is EMPTIED first) and each worker class: a fresh database with the demo school sized to ``--students``
(two students per salesperson position, a class per ten departments, each student with the demo's records,
the default argon2id hashes), every bundled plugin, gunicorn with ``--workers`` workers on 127.0.0.1. One thread per student
(own cookie jar, CSRF tokens and fields read from each form, as a browser does) starts within ``--ramp``
seconds, logs in, then until ``--duration`` has passed repeats: the empty request (the floor), the opportunity
list, one opportunity of it, the new-opportunity form and its post, the edit form and its post, the forecast,
the calendar week and the pipeline report, pausing ``--think`` seconds (uniform between the two) between two.

Prints per step: requests, p50/p95/p99 in ms beside the floor (GET /healthz, p50/p95 under the same load);
throughput; errors by kind; the ``database is locked`` lines of gunicorn's log; each worker's resident
memory after the run. Then, per database, on a fresh gunicorn: ``--hammer`` requests (10,000) of one cheap page
(``--hammer-path``) and each worker's memory after the first tenth and after all of them (target: within 10 %).
"""
import argparse
import concurrent.futures
import datetime as dt
import math
import os
import platform
import random
import re
import statistics
import sys
import tempfile
import threading
import time

from bench.lab import PASSWORD, log_in
from bench.web import (Browser, StepError, common_arguments, empty_database, form_fields, free_port, percentile,
                       server_cpu_seconds, start_gunicorn, stop, worker_rss_mib)
from core.app import create_app
from core.db import db
from core.demo import load_demo
from core.migrate import upgrade
from core.models import User

SECRET_KEY = "bench-load"
APP_SPEC = "core.app:create_app()"
FLOOR = "floor: GET /healthz"
STEPS = (FLOOR, "login page", "login: let in", "opportunity list", "opportunity detail", "new-opportunity form",
         "new-opportunity post", "edit form", "edit post", "forecast (mine)", "calendar week",
         "report: pipeline by stage")
PAGES = {"forecast (mine)": "/forecast/my", "calendar week": "/calendar/?view=week",
         "report: pipeline by stage": "/reports/run/reports.pipeline_by_stage"}
EXCEPTION = re.compile(r"^(?:[\w.]+\.)?\w*(?:Error|Exception)\b.*$", re.MULTILINE)  # a traceback's last line
DETAIL = re.compile(r'href="(/records/opportunity/\d+)"')
STUDENTS_PER_SEAT, DEPARTMENTS = 2, 10  # the demo puts two students on each salesperson position


# --- the database: the demo school, sized to the students -----------------------------------------------------

def prepare(url, instance, students):
    """A fresh database with the demo school holding at least ``students`` students; returns their names."""
    empty_database(url)
    os.environ.update(ZHIXIN_DATABASE_URL=url, ZHIXIN_SECRET_KEY=SECRET_KEY, ZHIXIN_INSTANCE_PATH=instance)
    app = create_app()
    upgrade(app)
    departments = min(DEPARTMENTS, math.ceil(students / STUDENTS_PER_SEAT))
    classes = math.ceil(students / (STUDENTS_PER_SEAT * departments))
    load_demo(app, PASSWORD, PASSWORD, classes=classes, departments=departments, progress=lambda message: None)
    with app.app_context(), db.connection_context():
        return [u.username for u in User.select().where(User.username.startswith("student"))
                .order_by(User.id).limit(students)]


# --- one student's cycle (one function per step, so each can follow its page as it changes) -------------------

def get_page(browser, step, path):
    status, body, _ = browser.request(step, path)
    if status != 200:
        raise StepError(step, f"answered {status}")
    return body


def open_opportunity(browser, rng):
    """The opportunity list, then one opportunity of it."""
    links = DETAIL.findall(get_page(browser, "opportunity list", "/records/opportunity/"))
    if links:
        get_page(browser, "opportunity detail", rng.choice(links))


def post_form(browser, step, path, changes):
    """Post the form at ``path`` as a browser would, with ``changes``; returns the redirect's Location."""
    _, body = browser.form_page(step.replace("post", "form"), path)
    fields = dict(form_fields(body, path), **changes)
    status, body, location = browser.request(step, path, fields)
    if status != 302:
        errors = re.findall(r'class="[^"]*error[^"]*"[^>]*>([^<]+)<', body)
        raise StepError(step, f"answered {status} {errors[:3]}")
    return location or ""


def create_and_edit(browser, rng, username, think):
    """A new opportunity through the new-opportunity form, then its amount changed through the edit form."""
    # the real date: clock.today() would read the organisation's teaching clock from the database, and every
    # student thread would open (and keep) a connection of its own — 200 of them exhausted PostgreSQL's 100
    close = (dt.date.today() + dt.timedelta(days=rng.randint(10, 90))).isoformat()
    location = post_form(browser, "new-opportunity post", "/records/opportunity/new",
                         {"name": f"{username} 商机 {rng.randint(1, 10**6)}", "amount": str(rng.randint(1, 500) * 1000),
                          "close_date": close})
    think()
    path = re.search(r"/records/opportunity/\d+", location)
    if not path:
        raise StepError("new-opportunity post", f"redirected to {location!r}")
    post_form(browser, "edit post", path.group(0) + "/edit", {"amount": str(rng.randint(1, 500) * 1000)})


def student(base, username, start_at, stop_at, think_range, outcome, cycles=None):
    """One student's session: log in, then repeat the cycle until ``stop_at`` (or ``cycles`` cycles are done,
    failed ones included); a failed step is counted and the student starts the next cycle (as a person reloads
    and goes on)."""
    browser = Browser(base, outcome.record)
    rng = random.Random(username)
    think = lambda: time.sleep(rng.uniform(*think_range))  # noqa: E731
    time.sleep(max(0.0, start_at - time.monotonic()))
    steps = [lambda: get_page(browser, FLOOR, "/healthz"), lambda: open_opportunity(browser, rng),
             lambda: create_and_edit(browser, rng, username, think)]
    steps += [lambda step=step, path=path: get_page(browser, step, path) for step, path in PAGES.items()]
    try:
        if not log_in(browser, username, PASSWORD, "login: {outcome}"):
            return outcome.error("login: refused")
    except (StepError, OSError) as exc:
        return outcome.error(kind_of(exc))
    done = 0
    while time.monotonic() < stop_at and (cycles is None or done < cycles):
        done += 1
        for step in steps:
            think()
            if time.monotonic() >= stop_at:
                return
            try:
                step()
            except (StepError, OSError) as exc:
                outcome.error(kind_of(exc))
                break
        else:
            outcome.cycle()


def kind_of(exc):
    return f"{exc.step}: {exc.reason}" if isinstance(exc, StepError) else f"{type(exc).__name__}: {exc}"


class Outcome:
    def __init__(self):
        self.lock = threading.Lock()
        self.times = {step: [] for step in STEPS}
        self.steady = {step: [] for step in STEPS}  # the same, only the requests after every student logged in
        self.begin, self.steady_from = 0.0, math.inf
        self.cpu, self.steady_cpu = 0.0, None
        self.errors, self.cycles = {}, 0

    def record(self, step, ms):
        with self.lock:
            self.times.setdefault(step, []).append(ms)
            if time.monotonic() - ms / 1000 >= self.steady_from:
                self.steady.setdefault(step, []).append(ms)

    def error(self, kind):
        with self.lock:
            self.errors[kind] = self.errors.get(kind, 0) + 1

    def cycle(self):
        with self.lock:
            self.cycles += 1


def load_run(base, usernames, args, cpu=lambda: 0.0):
    """The students' run; ``cpu()`` (the server's CPU seconds so far) is read when the run starts, when the
    steady part starts (every student logged in) and at the end: ``outcome.cpu`` and ``outcome.steady_cpu``."""
    outcome = Outcome()
    begin = time.monotonic() + 0.5
    stop_at = begin + args.duration
    outcome.begin, outcome.steady_from = begin, begin + args.ramp + args.think[1]  # logins answered by then
    marks = [cpu()]
    timer = threading.Timer(max(0.0, outcome.steady_from - time.monotonic()), lambda: marks.append(cpu()))
    timer.start()
    rng = random.Random(args.seed)
    threads = [threading.Thread(target=student, args=(base, name, begin + rng.uniform(0, args.ramp), stop_at,
                                                      args.think, outcome, args.cycles)) for name in usernames]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    timer.cancel()
    seconds, end = time.monotonic() - begin, cpu()
    outcome.cpu = end - marks[0]
    outcome.steady_cpu = end - marks[1] if len(marks) > 1 else None
    return outcome, seconds


# --- memory: one cheap page, many times ---------------------------------------------------------------------

def hammer(base, path, count, clients):
    """``count`` GETs of ``path``, ``clients`` at a time; returns the failures."""
    browser = Browser(base, lambda step, ms: None)
    with concurrent.futures.ThreadPoolExecutor(clients) as pool:
        return sum(status != 200 for status, _, _ in pool.map(lambda n: browser.request(None, path), range(count)))


def memory_run(name, args, tmp):
    """A fresh gunicorn on the prepared database; workers' RSS after a tenth of ``--hammer`` and after all."""
    port = free_port()
    server = start_gunicorn(port, args.workers, os.path.join(tmp, "hammer.log"), APP_SPEC)
    base, first = f"http://127.0.0.1:{port}", args.hammer // 10
    try:
        start = time.monotonic()
        failed = hammer(base, args.hammer_path, first, 2 * args.workers)
        early = worker_rss_mib(server)
        failed += hammer(base, args.hammer_path, args.hammer - first, 2 * args.workers)
        late, seconds = worker_rss_mib(server), time.monotonic() - start
    finally:
        stop(server)
    growth = (sum(late.values()) / sum(early.values()) - 1) * 100
    print(f"\n### Memory on {name}: GET {args.hammer_path} {args.hammer:,} times, gunicorn -w {args.workers} sync\n")
    print(f"{args.hammer / seconds:.0f} requests/s, {failed} failed.\n")
    print("| worker | RSS after {:,} MiB | RSS after {:,} MiB |".format(first, args.hammer))
    print("|---|---:|---:|")
    for n, pid in enumerate(sorted(early), 1):
        print(f"| {n} | {early[pid]:.1f} | {late.get(pid, float('nan')):.1f} |")
    print(f"| **all** | {sum(early.values()):.1f} | {sum(late.values()):.1f} |")
    print(f"\n- **growth: {growth:+.1f} %** (target within ±10 %)")
    return growth


# --- the run and the table ------------------------------------------------------------------------------------

def server_errors(log_text):
    """{exception line: count} of the tracebacks in gunicorn's log (what a 500 was, server side)."""
    found = {}
    for line in EXCEPTION.findall(log_text):
        found[line[:160]] = found.get(line[:160], 0) + 1
    return found


def report(title, outcome, seconds, rss, log_text, args):
    times = outcome.times
    floor = times[FLOOR] or [0.0]
    floor_cols = f"{statistics.median(floor):.0f} | {percentile(floor, 0.95):.0f}"
    total = sum(len(samples) for samples in times.values())
    print(f"\n### {title}\n")
    print(f"{args.students} students, ramp {args.ramp:g} s, think {args.think[0]:g}–{args.think[1]:g} s, "
          f"{args.duration:g} s; Python {platform.python_version()}, {os.cpu_count()} CPUs. "
          f"**{total / seconds:.1f} requests/s**, {outcome.cycles} cycles completed.\n")
    print("| step | requests | p50 ms | p95 ms | p99 ms | floor p50 | floor p95 | after the ramp: p50 | p95 |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for step, samples in times.items():
        if samples:
            steady = outcome.steady.get(step)
            after = f"{statistics.median(steady):.0f} | {percentile(steady, 0.95):.0f}" if steady else "– | –"
            print(f"| {step} | {len(samples)} | {statistics.median(samples):.0f} | {percentile(samples, 0.95):.0f} "
                  f"| {percentile(samples, 0.99):.0f} | {floor_cols} | {after} |")
    worst = max((percentile(s, 0.95) for step, s in times.items() if s and step != FLOOR), default=0)
    steady = max((percentile(s, 0.95) for step, s in outcome.steady.items() if s and step != FLOOR), default=0)
    print(f"\n- **slowest step's p95: {worst:.0f} ms** (target < 300); after the ramp (every student logged in, "
          f"from {args.ramp + args.think[1]:g} s on): **{steady:.0f} ms**")
    if total:
        print(f"- server CPU (gunicorn master and workers, /proc): {outcome.cpu:.1f} s for {total:,} requests = "
              f"**{outcome.cpu / total * 1000:.1f} ms a request**, logins (the password hash) included")
    steady = sum(len(samples) for samples in outcome.steady.values())
    steady_seconds = seconds - (outcome.steady_from - outcome.begin)
    if steady and outcome.steady_cpu and steady_seconds > 0:
        per_request = outcome.steady_cpu / steady * 1000
        per_student = steady / steady_seconds / args.students
        print(f"- after the ramp: {outcome.steady_cpu:.1f} s for {steady:,} requests = **{per_request:.1f} ms a "
              f"request**; at this pace ({per_student:.2f} requests/s a student) one core serves at most "
              f"**{1000 / per_request / per_student:.0f} working students** with nothing else running")
    print(f"- **errors: {sum(outcome.errors.values())}** (target 0)")
    for kind, count in sorted(outcome.errors.items(), key=lambda item: -item[1])[:10]:
        print(f"  - {count} × {kind}")
    print(f"- `database is locked` in gunicorn's log: {log_text.count('database is locked')}")
    for line, count in sorted(server_errors(log_text).items(), key=lambda item: -item[1])[:5]:
        print(f"  - in the log, {count} × `{line}`")
    print(f"- worker RSS after the run (MiB): {', '.join(f'{mib:.0f}' for mib in sorted(rss.values()))} "
          f"(all: {sum(rss.values()):.0f})")


def run(name, url, args):
    with tempfile.TemporaryDirectory(prefix="zhixin-load-") as tmp:
        url = url or f"sqlite:///{os.path.join(tmp, 'load.db')}"
        print(f"{name}: preparing {url} …", file=sys.stderr)
        usernames = prepare(url, tmp, args.students)
        print(f"\n## {name}\n")
        for worker_class in args.worker_classes:
            log_path, port = os.path.join(tmp, f"{worker_class}.log"), free_port()
            threads = args.threads if worker_class == "gthread" else 1
            server = start_gunicorn(port, args.workers, log_path, APP_SPEC, worker_class, threads)
            try:
                print(f"{name}, {worker_class}: {len(usernames)} students …", file=sys.stderr)
                outcome, seconds = load_run(f"http://127.0.0.1:{port}", usernames, args,
                                            lambda server=server: server_cpu_seconds(server))
                rss = worker_rss_mib(server)
            finally:
                stop(server)
            with open(log_path) as log:
                log_text = log.read()
            workers = f"-w {args.workers} -k {worker_class}" + (f" --threads {threads}" if threads > 1 else "")
            report(f"{name}, gunicorn {workers}", outcome, seconds, rss, log_text, args)
        if args.hammer:
            memory_run(name, args, tmp)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.splitlines()[0])
    common_arguments(parser, "test_load", students=200)
    parser.add_argument("--worker-classes", nargs="+", choices=("sync", "gthread"), default=["sync", "gthread"])
    parser.add_argument("--threads", type=int, default=4, help="threads per gthread worker")
    parser.add_argument("--duration", type=float, default=60, help="seconds the students work, ramp included")
    parser.add_argument("--cycles", type=int, help="each student stops after this many cycles (a smoke run: "
                        "every step once, however slow the machine), or at --duration, whichever comes first")
    parser.add_argument("--ramp", type=float, default=20, help="seconds over which the students log in")
    parser.add_argument("--think", type=float, nargs=2, default=[1.0, 3.0], metavar=("MIN", "MAX"),
                        help="a student's pause between two requests, in seconds")
    parser.add_argument("--hammer", type=int, default=10_000, help="requests of the memory check (0: none)")
    parser.add_argument("--hammer-path", default="/login", help="the cheap page of the memory check")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    urls = {"sqlite": None, "postgresql": args.postgresql_url}
    for name in args.databases:
        run(name, urls[name], args)


if __name__ == "__main__":
    main()
