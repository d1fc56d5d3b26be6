"""Benchmarks (not tests): ``python -m bench.generate`` builds a school-sized database and
``python -m bench.records`` times the record pages against raw SQL on that database. See bench/README.md."""
import datetime as dt
import os
import statistics
import time

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
DATA_DIR = os.path.join(BENCH_DIR, "data")
SIZES = {"classroom": 10_000, "school": 100_000, "large": 1_000_000}
# "Now" of the generated data and of the benchmarks that read dates (UTC): records were created over the two
# years before it, and the reports benchmark freezes the clock there, so the same seed gives the same figures.
BENCH_NOW = dt.datetime(2026, 5, 15, 2, 0)


def default_url(size):
    return f"sqlite:///{os.path.join(DATA_DIR, size + '.db')}"


def timed(fn, repeat):
    """Median milliseconds of ``repeat`` calls of ``fn`` after one warm-up call (templates compiled, caches
    filled)."""
    fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def logged_in(app, user):
    """A test client of ``app`` whose session is ``user``'s (Flask-Login's keys), without the login form."""
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True
    return client
