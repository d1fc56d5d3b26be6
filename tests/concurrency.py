"""Run one function in several threads at the same moment (two schedulers, simultaneous arrivals)."""
import threading

from core.db import db


def run_at_once(fn, count, timeout=60):
    """Start ``count`` threads that call ``fn()`` together (a barrier releases them at once); return the list
    of results. Any exception in a thread is raised here. The caller's connection is reopened afterwards
    (threads have their own; the test thread may have lost its own to a request teardown)."""
    barrier = threading.Barrier(count)
    results, errors = [], []

    def call():
        try:
            barrier.wait(timeout)
            results.append(fn())
        except Exception as exc:  # re-raised in the test thread below
            errors.append(exc)
    threads = [threading.Thread(target=call) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    db.connect(reuse_if_open=True)
    if errors:
        raise errors[0]
    return results
