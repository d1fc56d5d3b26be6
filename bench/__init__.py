"""Benchmarks (not tests): ``python -m bench.generate`` builds a school-sized database and
``python -m bench.records`` times the record pages against raw SQL on that database. See bench/README.md."""
import os
import statistics
import time

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
DATA_DIR = os.path.join(BENCH_DIR, "data")
SIZES = {"classroom": 10_000, "school": 100_000, "large": 1_000_000}


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
