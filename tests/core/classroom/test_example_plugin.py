"""The example exercise plugin installs from its folder with pip, loads through its entry point, and its own
tests pass."""
import os
import subprocess
import sys
import textwrap

import pytest

# Both tests run the example on an SQLite file of its own, whatever database this run uses: the SQLite run of
# the suite covers them (on PostgreSQL and MariaDB they would only repeat it, ~1 minute each)
pytestmark = pytest.mark.skipif(bool(os.environ.get("ZHIXIN_TEST_DATABASE_URL")),
                                reason="the example runs on an SQLite file of its own: the SQLite run covers it")

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
EXAMPLE = os.path.join(ROOT, "examples", "exercise-plugin")


@pytest.fixture(scope="module")
def installed_example(tmp_path_factory):
    """Installed with pip into a folder of its own (put on PYTHONPATH), so the environment every other test
    runs in is untouched and parallel runs cannot disturb each other. Its own tests run on SQLite files of
    their own: ZHIXIN_TEST_DATABASE_URL (this run's database, which they would drop) is not passed on."""
    target = tmp_path_factory.mktemp("site")
    build = tmp_path_factory.mktemp("build")
    proc = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-build-isolation", "-q",
                           "--target", str(target), EXAMPLE], capture_output=True, text=True, timeout=300,
                          env=dict(os.environ, TMPDIR=str(build)))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    env = {name: value for name, value in os.environ.items() if name != "ZHIXIN_TEST_DATABASE_URL"}
    return dict(env, PYTHONPATH=os.pathsep.join([str(target), ROOT]))


SCRIPT = textwrap.dedent('''
    import sys
    from core.app import create_app
    from core.migrate import upgrade
    app = create_app({"DATABASE_URL": sys.argv[1], "PLUGINS": ["lab_exercises", "campaigns", "service"],
                      "TESTING": True, "SECRET_KEY": "s", "INSTANCE_PATH": sys.argv[2]})
    upgrade(app)
    plugins = app.extensions["zhixin_plugins"]
    info = plugins.available["lab_exercises"]
    print("source", info.source, "enabled", plugins.is_enabled("lab_exercises"))
    from core.classroom.exercises import all_exercises
    with app.app_context():
        print("exercises", ",".join(e.id for e in all_exercises()))
''')


def test_example_plugin_installs_and_loads_through_its_entry_point(installed_example, tmp_path):
    proc = subprocess.run([sys.executable, "-c", SCRIPT, f"sqlite:///{tmp_path}/x.db", str(tmp_path)],
                          capture_output=True, text=True, timeout=300, cwd=str(tmp_path), env=installed_example)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "source zhixin-lab_exercises 0.1.0 enabled True" in proc.stdout
    assert ("exercises lab.qualify_lead,lab.close_above_quota,lab.campaign_on_time,lab.complaint_in_target,"
            "lab.quote_to_invoice\n" in proc.stdout)


def test_example_plugins_own_tests_pass(installed_example):
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
                          capture_output=True, text=True, timeout=600, cwd=EXAMPLE, env=installed_example)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert " passed" in proc.stdout
