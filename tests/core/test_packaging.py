"""The wheel carries everything the app needs at run time: templates, static and theme files, catalogs
(.po and compiled .mo), migrations and the plugin scaffold — and the bundled plugins' entry points."""
import glob
import os
import shutil
import subprocess
import sys
import zipfile

import pytest

from core import i18n

ROOT = i18n.ROOT


@pytest.fixture(scope="module")
def wheel_files(tmp_path_factory):
    source = tmp_path_factory.mktemp("src") / "zhixin"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".git", "build", "dist", "*.egg-info", "__pycache__", "instance", ".benchmarks", "test-results", "*.db"))
    out = tmp_path_factory.mktemp("wheel")
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                           "-w", str(out), str(source)], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    wheel = glob.glob(str(out / "zhixin_crm-*.whl"))[0]
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        entry_points = zf.read(next(n for n in names if n.endswith("entry_points.txt"))).decode()
        metadata = zf.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    return names, entry_points, metadata


def repo_files(pattern):
    return [os.path.relpath(p, ROOT) for p in glob.glob(os.path.join(ROOT, pattern), recursive=True)]


@pytest.mark.slow
def test_wheel_contains_templates_static_catalogs_migrations_and_theme(wheel_files):
    names, _, _ = wheel_files
    wanted = (repo_files("core/**/*.html") + repo_files("plugins/**/*.html") + repo_files("themes/**/*.*")
              + repo_files("**/translations/**/*.po") + repo_files("**/translations/**/*.mo")
              + repo_files("core/**/migrations/*.py") + repo_files("plugins/**/migrations/*.py")
              + repo_files("core/scaffold_template/**/*.tmpl"))
    wanted = [w.replace(os.sep, "/") for w in wanted if "__pycache__" not in w and not w.startswith("tests")]
    missing = sorted(set(wanted) - names)
    assert not missing, f"not in the wheel: {missing}"
    for must in ("themes/default/templates/base.html", "themes/default/static/zhixin.css",
                 "core/translations/zh/LC_MESSAGES/messages.mo", "core/migrations/0001_initial.py",
                 "core/templates/core/login.html", "core/scaffold_template/plugin.py.tmpl"):
        assert must in names
    assert not [n for n in names if n.startswith("tests/")]


@pytest.mark.slow
def test_every_po_has_its_compiled_mo_in_the_wheel(wheel_files):
    names, _, _ = wheel_files
    for po in [n for n in names if n.endswith(".po")]:
        assert po[:-3] + ".mo" in names, po


@pytest.mark.slow
def test_wheel_declares_the_console_script_and_bundled_plugins(wheel_files):
    _, entry_points, _ = wheel_files
    assert "zhixin = core.cli:main" in entry_points
    for name in ("forecast", "campaigns", "service", "reports", "calendar"):
        assert f"{name} = plugins.{name}" in entry_points


@pytest.mark.slow
def test_wheel_metadata_carries_the_readme_as_its_markdown_description(wheel_files):
    _, _, metadata = wheel_files
    assert "Description-Content-Type: text/markdown" in metadata
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as fh:
        title = fh.readline().strip()
    assert title == "# Zhixin CRM (智欣 CRM)" and title in metadata
