"""``zhixin plugin new NAME [--exercise]``: scaffold an external plugin distribution from
``core/scaffold_template``.

Every ``*.tmpl`` file is copied with ``$name``, ``$package`` and ``$title`` filled in (``string.Template``,
so Jinja's ``{{ }}`` stays as it is); a path part ``NAME`` becomes the plugin name. A plain plugin is the
whole template but its ``exercise/`` folder; an exercise plugin (``--exercise``) is the distribution files
(``setup.cfg``, ``pyproject.toml``) and the ``exercise/`` folder: one exercise, its check, its set-up, a test.
"""
import keyword
import os
import re
from string import Template

TEMPLATE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "scaffold_template")
NAME_RULE = re.compile(r"^[a-z][a-z0-9_]{1,30}$")


class ScaffoldError(Exception):
    pass


def check_name(name):
    if not NAME_RULE.match(name or "") or keyword.iskeyword(name):
        raise ScaffoldError(f"plugin name {name!r}: use 2-31 lowercase letters, digits or _, starting with a "
                            "letter (it becomes the URL prefix, table prefix and entry point name)")


DISTRIBUTION = ("setup.cfg", "pyproject.toml")


def _templates(exercise):
    """``[(template path, path in the plugin relative to the template folder)]``."""
    out = []
    for folder, _dirs, files in os.walk(TEMPLATE_DIR):
        for filename in sorted(files):
            if not filename.endswith(".tmpl"):
                continue
            source = os.path.join(folder, filename)
            relative = os.path.relpath(source, TEMPLATE_DIR)[:-len(".tmpl")]
            in_exercise = relative.startswith("exercise" + os.sep)
            if exercise and in_exercise:
                out.append((source, relative[len("exercise" + os.sep):]))
            elif not in_exercise and (not exercise or relative in DISTRIBUTION):
                out.append((source, relative))
    return out


def scaffold(name, parent=".", exercise=False):
    """Create ``<parent>/zhixin-<name>/`` (an exercise plugin with ``exercise``) and return its path.
    Refuses to overwrite anything."""
    check_name(name)
    target = os.path.abspath(os.path.join(parent, f"zhixin-{name}"))
    if os.path.exists(target):
        raise ScaffoldError(f"{target} exists already; choose another name or folder")
    values = {"name": name, "package": f"zhixin_{name}", "title": name.replace("_", " ").capitalize()}
    for source, relative in _templates(exercise):
        parts = relative.split(os.sep)
        if parts[0] not in ("setup.cfg", "pyproject.toml", "README.md", "tests"):
            parts.insert(0, values["package"])  # the package's own files
        relative = os.path.join(*[p.replace("NAME", name) for p in parts])
        with open(source, encoding="utf-8") as fh:
            text = Template(fh.read()).substitute(values)
        path = os.path.join(target, relative)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
    return target
