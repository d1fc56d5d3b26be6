"""The HTTP benchmarks run end to end on tiny data (two students, seconds), so they cannot rot: each starts
gunicorn on a fresh SQLite file, drives it through the forms and prints its tables. Nothing here is timed."""
import os

import pytest

from bench import lab, load

pytestmark = [pytest.mark.slow, pytest.mark.skipif(
    bool(os.environ.get("ZHIXIN_TEST_DATABASE_URL")),
    reason="the benchmarks run on an SQLite file of their own: the SQLite run of the suite covers them")]


@pytest.fixture
def bench_environment(monkeypatch):
    """The benchmarks configure the app through the environment: restore it afterwards."""
    for name in ("ZHIXIN_DATABASE_URL", "ZHIXIN_SECRET_KEY", "ZHIXIN_INSTANCE_PATH"):
        monkeypatch.setenv(name, "")


def test_load_benchmark_runs_every_step_without_errors(bench_environment, capsys):
    load.main(["--databases", "sqlite", "--students", "2", "--workers", "1", "--duration", "6", "--ramp", "0",
               "--think", "0", "0.05", "--hammer", "40"])
    out = capsys.readouterr().out
    for step in load.STEPS:
        assert f"| {step} |" in out, step
    assert out.count("**errors: 0**") == 2  # sync and gthread
    assert "| **all** |" in out and "growth:" in out


def test_lab_benchmark_grades_every_student(bench_environment, capsys):
    results = lab.main(["--databases", "sqlite", "--students", "2", "--workers", "1", "--spread", "0",
                        "--think", "0"])
    outcome = results["sqlite"]
    assert outcome.lists["errors"] == [] and len(outcome.lists["passed"]) == 2
    assert "| new-lead form post |" in capsys.readouterr().out
