"""The declared dependencies are the imported ones: every third-party module that core, the plugins, bench
or the tests import comes from a distribution setup.cfg declares (install_requires for the code, the
``test`` extra too for the tests), and every declared distribution is imported — or listed below with why."""
import ast
import configparser
import importlib.metadata
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CODE, TESTS = ("core", "plugins", "bench"), ("tests",)
# our packages, and the example plugins' (separate distributions the tests load from examples/)
OURS = {"core", "plugins", "bench", "tests", "themes"} | {
    name for example in os.listdir(os.path.join(ROOT, "examples"))
    for name in os.listdir(os.path.join(ROOT, "examples", example))
    if os.path.isfile(os.path.join(ROOT, "examples", example, name, "__init__.py"))}
NOT_IMPORTED = {  # declared for a reason other than an import
    "gunicorn": "the production server, run as a command (docs/install.md, bench.lab)",
    "tzdata": "the time zone data zoneinfo reads where the system has none",
    "psycopg2-binary": "the driver peewee imports for a postgresql:// URL",
    "pymysql": "the driver peewee imports for a mysql:// URL",
    "setuptools": "builds the wheel in tests/core/test_packaging.py (pip wheel --no-build-isolation)",
    "wheel": "builds the wheel in tests/core/test_packaging.py (pip wheel --no-build-isolation)",
}


def _normal(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared():
    config = configparser.ConfigParser()
    config.read(os.path.join(ROOT, "setup.cfg"))

    def names(text):
        return {_normal(re.match(r"[A-Za-z0-9_.-]+", line).group(0))
                for line in text.splitlines() if line.strip() and not line.strip().startswith("#")}
    extras = {key: names(value) for key, value in config["options.extras_require"].items()}
    return names(config["options"]["install_requires"]), extras


def _imported(folders):
    """{top-level module: a file that imports it} of the third-party imports under ``folders``."""
    found = {}
    for folder in folders:
        for base, _dirs, files in os.walk(os.path.join(ROOT, folder)):
            for name in (f for f in files if f.endswith(".py")):
                path = os.path.join(base, name)
                for node in ast.walk(ast.parse(open(path, encoding="utf-8").read())):
                    if isinstance(node, ast.Import):
                        modules = [alias.name for alias in node.names]
                    elif isinstance(node, ast.ImportFrom) and node.level == 0:
                        modules = [node.module]
                    else:
                        continue
                    for top in {m.split(".")[0] for m in modules}:
                        if top not in sys.stdlib_module_names and top not in OURS:
                            found.setdefault(top, os.path.relpath(path, ROOT))
    return found


def _distributions(modules):
    """{distribution: a file importing it}; a module no installed distribution provides maps to itself."""
    provided = importlib.metadata.packages_distributions()
    return {_normal(provided.get(module, [module])[0]): path for module, path in modules.items()}


def test_every_third_party_import_of_the_code_is_an_install_requirement():
    required, _ = _declared()
    missing = {dist: path for dist, path in _distributions(_imported(CODE)).items() if dist not in required}
    assert missing == {}


def test_every_third_party_import_of_the_tests_is_required_or_in_the_test_extra():
    required, extras = _declared()
    missing = {dist: path for dist, path in _distributions(_imported(TESTS)).items()
               if dist not in required | extras["test"]}
    assert missing == {}


def test_every_declared_distribution_is_imported_or_has_a_reason():
    required, extras = _declared()
    used = set(_distributions(_imported(CODE + TESTS)))
    declared = required | set().union(*extras.values())
    assert sorted(declared - used - set(NOT_IMPORTED)) == []
    assert sorted(set(NOT_IMPORTED) - declared) == []  # no stale reason
