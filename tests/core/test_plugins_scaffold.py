"""``zhixin plugin new``: the scaffold installs as its own distribution, is listed, enabled and served."""
import os
import subprocess
import sys
import textwrap

import pytest
from click.testing import CliRunner

from core.cli import main
from core.scaffold import ScaffoldError, scaffold

NAME = "homework"


ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _install(tmp_path, name, *options):
    """The scaffold, pip-installed into a folder of its own that the subprocesses put on PYTHONPATH: the
    environment other tests (and a parallel run on another database) use is never changed."""
    result = CliRunner().invoke(main, ["plugin", "new", name, "--path", str(tmp_path), *options])
    assert result.exit_code == 0, result.output
    target = tmp_path / f"zhixin-{name}"
    assert f"Created {target}" in result.output
    site = tmp_path / "site"
    proc = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-build-isolation", "-q",
                           "--target", str(site), str(target)], capture_output=True, text=True, timeout=300,
                          env=dict(os.environ, TMPDIR=str(tmp_path)))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(site), ROOT]))
    return target, env


@pytest.fixture
def installed_scaffold(tmp_path):
    return _install(tmp_path, NAME)


def _run_own_tests(target, env):
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
                          capture_output=True, text=True, timeout=300, cwd=str(target),
                          env={k: v for k, v in env.items() if not k.startswith("ZHIXIN_")})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "1 passed" in proc.stdout


SCRIPT = textwrap.dedent('''
    import sys
    from core.app import create_app
    from core.db import db
    from core.migrate import upgrade
    from core.models import PluginState, User

    url = sys.argv[1]
    config = {"DATABASE_URL": url, "PLUGINS": None, "TESTING": True, "WTF_CSRF_ENABLED": False,
              "SECRET_KEY": "s", "PASSWORD_METHOD": "pbkdf2:sha256:1000", "INSTANCE_PATH": sys.argv[2]}
    app = create_app(config)
    upgrade(app)
    info = app.extensions["zhixin_plugins"].available["homework"]
    print("listed", info.name, info.version, info.source, info.error or "no-error")
    print("enabled-before", app.extensions["zhixin_plugins"].is_enabled("homework"))
    with app.app_context(), db.connection_context():
        admin = User(username="root", is_admin=True)
        admin.set_password("root-pass-1")
        admin.save()
    client = app.test_client()
    client.post("/login", data={"username": "root", "password": "root-pass-1"})
    print("plugins-page", "data-plugin=\\"homework\\"" in client.get("/admin/plugins").get_data(as_text=True))
    print("enable", client.post("/admin/plugins/homework/enable").status_code)
    print("before-restart", client.get("/homework/").status_code)

    app = create_app(config)  # the restart
    upgrade(app)
    print("enabled-after", app.extensions["zhixin_plugins"].is_enabled("homework"))
    client = app.test_client()
    client.post("/login", data={"username": "root", "password": "root-pass-1"})
    client.post("/homework/", data={"title": "Read chapter 3"})
    html = client.get("/homework/").get_data(as_text=True)
    print("served", "Read chapter 3" in html, "data-menu=\\"homework\\"" in html)
    from core.scheduler import all_jobs
    print("job", "homework.count_notes" in [j.id for j in all_jobs(app)])
''')


def test_scaffolded_plugin_installs_lists_enables_and_serves(installed_scaffold, tmp_path):
    url = f"sqlite:///{tmp_path}/scaffold.db"
    target, env = installed_scaffold
    proc = subprocess.run([sys.executable, "-c", SCRIPT, url, str(tmp_path / "instance")], capture_output=True,
                          text=True, timeout=300, cwd=str(tmp_path), env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    assert "listed homework 0.1.0 zhixin-homework 0.1.0 no-error" in out
    assert "enabled-before False" in out  # an installed external plugin starts disabled
    assert "plugins-page True" in out and "enable 302" in out
    assert "before-restart 404" in out  # takes effect after a restart, as the page says
    assert "enabled-after True" in out
    assert "served True True" in out and "job True" in out


def test_scaffolded_plugin_own_test_passes(installed_scaffold):
    _run_own_tests(*installed_scaffold)


def test_scaffolded_exercise_plugin_has_one_exercise_a_set_up_and_a_passing_test(tmp_path):
    target, env = _install(tmp_path, "lab_one", "--exercise")
    package = target / "zhixin_lab_one"
    assert sorted(p.name for p in package.iterdir() if p.suffix == ".py") == ["__init__.py", "checks.py",
                                                                              "plugin.py"]
    checks = (package / "checks.py").read_text(encoding="utf-8")
    assert "def seed_acme(user, by)" in checks and "def acme_converted(user, since)" in checks
    assert len(checks.split("def acme_converted")[1].splitlines()) <= 20  # a check is a few lines
    _run_own_tests(target, env)


def test_scaffold_refuses_bad_names_and_existing_folders(tmp_path):
    for bad in ("Bad", "1abc", "with-dash", "class", ""):
        with pytest.raises(ScaffoldError):
            scaffold(bad, tmp_path)
    scaffold("notes", tmp_path)
    with pytest.raises(ScaffoldError, match="exists already"):
        scaffold("notes", tmp_path)
    result = CliRunner().invoke(main, ["plugin", "new", "Bad-Name", "--path", str(tmp_path)])
    assert result.exit_code == 1 and "plugin name 'Bad-Name'" in result.output
