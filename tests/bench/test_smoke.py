"""Every benchmark runs end to end on tiny data, so none can rot: the HTTP ones (two students, seconds) start
gunicorn on a fresh SQLite file and drive it through the forms; the SQL ones (records, search, plans, reports,
forecast) run once on one generated classroom. Each prints its table. Nothing here is timed."""
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
    # one cycle each, however slow the machine (the duration is only a bound)
    load.main(["--databases", "sqlite", "--students", "2", "--workers", "1", "--cycles", "1", "--duration", "600",
               "--ramp", "0", "--think", "0", "0.05", "--hammer", "40"])
    out = capsys.readouterr().out
    for step in load.STEPS:
        assert f"| {step} |" in out, step
    assert out.count("**errors: 0**") == 2 and out.count("2 cycles completed") == 2  # sync and gthread
    assert "| **all** |" in out and "growth:" in out
    assert out.count("ms a request**, logins") == 2 and "after the ramp" in out  # the server's own CPU


def test_lab_benchmark_grades_every_student(bench_environment, capsys):
    results = lab.main(["--databases", "sqlite", "--students", "2", "--workers", "1", "--spread", "0",
                        "--think", "0"])
    outcome = results["sqlite"]
    assert outcome.lists["errors"] == [] and len(outcome.lists["passed"]) == 2
    assert "| new-lead form post |" in capsys.readouterr().out


@pytest.fixture(scope="module")
def classroom_url(tmp_path_factory):
    """One generated classroom (10k records) in an SQLite file of the module's own, for the SQL benchmarks."""
    from bench import generate
    url = f"sqlite:///{tmp_path_factory.mktemp('bench') / 'classroom.db'}"
    generate.main(["--size", "classroom", "--database-url", url])
    return url


@pytest.mark.parametrize("name, args, expected", [
    ("records", ["--repeat", "1"], ["| salesperson | list, first page |", "| class lead | list, first page |",
                                    "| teacher | detail page |",
                                    "calendar month (captured SQL)", "overhead", "account type-ahead",
                                    "SQL building ms"]),
    ("search", ["--repeat", "1"], ["| salesperson | common 'printer' |", "| teacher | rare "]),
    ("plans", [], ["## sales000, sort=amount, keyset page", "## teacher, sort=-close_date, first page"]),
    ("reports", ["--repeat", "1", "--only", "reports.pipeline_by_stage,builder.stage_by_month"],
     ["pipeline", "stage"]),
    ("forecast", ["--repeat", "1"], ["team"]),
])
def test_sql_benchmark_prints_its_table(bench_environment, classroom_url, capsys, name, args, expected):
    import importlib
    importlib.import_module(f"bench.{name}").main(["--database-url", classroom_url] + args)
    out = capsys.readouterr().out
    for text in expected:
        assert text in out, (name, text, out[-2000:])
