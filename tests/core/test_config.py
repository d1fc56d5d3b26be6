"""Configuration: docs/configuration.md documents every ZHIXIN_* variable, the code reads no undocumented one,
and the environment overrides the defaults; the README is a front door whose second sh block CI runs."""
import configparser
import glob
import os
import re

import pytest

from core import config, i18n
from core.db import ConfigError
from tests.core.english import fresh

ROOT = i18n.ROOT


def read(*path):
    with open(os.path.join(ROOT, *path), encoding="utf-8") as fh:
        return fh.read()


def readme():
    return read("README.md")


def test_readme_is_a_front_door_with_a_title_and_the_quick_start_of_exactly_two_sh_blocks():
    text = readme()
    assert text.startswith("# Zhixin CRM (智欣 CRM)\n")
    assert len(text.encode("utf-8")) < 12 * 1024
    sections = text.split("\n## ")
    quick = next(s for s in sections if s.startswith("Quick start"))
    blocks = re.findall(r"```sh\n(.*?)```", quick, re.S)
    assert len(blocks) == 2
    assert "zhixin demo" in blocks[0] and "pip install -e ." in blocks[0]
    assert ".[test]" in blocks[1] and "python -m pytest" in blocks[1]
    assert len(re.findall(r"```sh", text)) == 2  # the only sh blocks: CI runs the second one
    assert "--port" in quick


def test_the_package_long_description_is_the_readme_as_markdown():
    # the wheel's METADATA carrying it is checked by tests/core/test_packaging.py (slow)
    setup = configparser.ConfigParser()
    setup.read(os.path.join(ROOT, "setup.cfg"), encoding="utf-8")
    assert setup["metadata"]["long_description"] == "file: README.md"
    assert setup["metadata"]["long_description_content_type"] == "text/markdown"


def test_the_readme_links_every_page_of_docs():
    linked = set(re.findall(r"\]\((docs/[\w-]+\.md)\)", readme()))
    pages = {os.path.relpath(p, ROOT).replace(os.sep, "/") for p in glob.glob(os.path.join(ROOT, "docs", "*.md"))}
    assert len(pages) >= 12
    assert pages <= linked


def heading_anchors(text):
    """GitHub's anchors of a Markdown page's headings: lower case, punctuation dropped, spaces as hyphens."""
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-")
            for h in re.findall(r"^#+ (.+)$", text, re.M)}


def test_every_relative_link_of_the_readme_and_docs_leads_to_a_file_and_heading_that_exist():
    broken = []
    for page in ["README.md"] + sorted(glob.glob(os.path.join(ROOT, "docs", "*.md"))):
        page = os.path.relpath(os.path.join(ROOT, page), ROOT)
        for target in re.findall(r"\]\(([^)\s]+)\)", read(page)):
            if re.match(r"[a-z]+:", target):
                continue
            path, _, anchor = target.partition("#")
            path = os.path.normpath(os.path.join(os.path.dirname(page), path)) if path else page
            if not os.path.exists(os.path.join(ROOT, path)):
                broken.append(f"{page}: {target}")
            elif anchor and anchor not in heading_anchors(read(path)):
                broken.append(f"{page}: {target} (no such heading)")
    assert broken == []


def test_the_deployment_guide_keeps_gunicorn_and_the_single_scheduler():
    install = read("docs", "install.md")
    assert "gunicorn -w 4" in install and "zhixin scheduler" in install


def test_the_configuration_page_documents_exactly_the_environment_list():
    documented = set(re.findall(r"^\| `(ZHIXIN_[A-Z_]+)` \|", read("docs", "configuration.md"), re.M))
    assert documented == set(config.ENVIRONMENT)


def test_every_zhixin_variable_in_the_code_is_documented():
    used = set()
    for path in glob.glob(os.path.join(ROOT, "**", "*.py"), recursive=True):
        if "/." in path or "/build/" in path:
            continue
        with open(path, encoding="utf-8") as fh:
            used |= set(re.findall(r"\bZHIXIN_[A-Z][A-Z_]*[A-Z]\b", fh.read()))
    assert used - set(config.ENVIRONMENT) == set()


def test_every_setting_has_its_variable():
    internal = {"SESSION_COOKIE_NAME", "SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_SAMESITE", "WTF_CSRF_TIME_LIMIT",
                "LANGUAGES"}
    for key in set(config.DEFAULTS) - internal:
        assert f"ZHIXIN_{key}" in config.ENVIRONMENT, key


def test_environment_overrides_defaults(make_app, monkeypatch, tmp_path):
    monkeypatch.setenv("ZHIXIN_LOGIN_MAX_FAILURES", "3")
    monkeypatch.setenv("ZHIXIN_SAFE_MODE", "1")
    app = make_app(plugins=None, PLUGINS=None, SAFE_MODE="1", **fresh())
    assert app.config["LOGIN_MAX_FAILURES"] == 3
    assert app.config["SAFE_MODE"] is True and app.extensions["zhixin_plugins"].order == []
    assert app.config["SESSION_COOKIE_HTTPONLY"] and app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_plugins_variable_is_a_comma_list(make_app, monkeypatch):
    monkeypatch.setenv("ZHIXIN_PLUGINS", "forecast, reports")
    from core.app import create_app
    app = create_app({"DATABASE_URL": make_app().config["DATABASE_URL"], "INSTANCE_PATH": "/tmp/zx-cfg"})
    assert app.config["PLUGINS"] == ["forecast", "reports"]


def test_secret_key_is_generated_once_into_the_instance_folder(tmp_path):
    first = config._instance_secret(str(tmp_path))
    assert len(first) == 64 and config._instance_secret(str(tmp_path)) == first
    assert oct(os.stat(tmp_path / "secret_key").st_mode)[-3:] == "600"


@pytest.mark.parametrize("url", ["nonsense", "ftp://x/y", "postgresql://u@h:port/db", "sqlite:///:memory:"])
def test_malformed_database_url_is_a_configuration_error(url):
    from core.db import make_database
    with pytest.raises(ConfigError, match="ZHIXIN_DATABASE_URL"):
        config.check_database_url(url)
        make_database(url)
