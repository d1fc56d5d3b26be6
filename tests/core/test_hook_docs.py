"""Meta-test of the hook reference: every hook spec of core/hookspecs.py (found by introspection, so a hook
added there is checked without touching this file) is documented in docs/hooks.md with exactly its
parameters, and some test under tests/ makes it fire.

A test "makes a hook fire" when a ``test_*`` function names the hook in full (``zhixin_…``: a string such
as ``called("zhixin_jobs")`` or ``gather("zhixin_reports")``, an attribute such as ``pm.hook.zhixin_jobs``, or a
hook implementation it defines) and asserts something."""
import ast
import inspect
import os
import re

from core import hookspecs, i18n

ROOT = i18n.ROOT
HOOK_DOCS = os.path.join(ROOT, "docs", "hooks.md")
TESTS = os.path.join(ROOT, "tests")
# A documented hook is a heading of the form: ### `zhixin_name(param, param)`
HEADING = re.compile(r"^#{2,4} `(zhixin_\w+)\(([^)]*)\)`", re.M)


def hook_specs():
    """Every hook spec and its parameter names, in order: the functions pluggy's marker tagged."""
    return {name: list(inspect.signature(fn).parameters)
            for name, fn in inspect.getmembers(hookspecs, inspect.isfunction)
            if getattr(fn, "zhixin_spec", None) is not None}


def documented_hooks():
    """Hook name → documented parameter names, read from the headings of docs/hooks.md."""
    with open(HOOK_DOCS, encoding="utf-8") as fh:
        text = fh.read()
    found = {}
    for name, params in HEADING.findall(text):
        assert name not in found, f"docs/hooks.md documents {name} twice"
        found[name] = [p.split("=")[0].split(":")[0].strip().lstrip("*")
                       for p in params.split(",") if p.strip() and p.strip() not in ("*", "/")]
    return found


def names_in(node):
    """Every identifier, attribute, defined function and string constant inside ``node``."""
    out = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name):
            out.add(sub.id)
        elif isinstance(sub, ast.Attribute):
            out.add(sub.attr)
        elif isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef)):
            out.add(sub.name)
        elif isinstance(sub, ast.Constant) and isinstance(sub.value, str):
            out.update(re.findall(r"zhixin_\w+", sub.value))
    return out


def hooks_named(tree):
    """Hook name → test function, for each ``test_*`` function of ``tree`` that asserts something (its
    docstring and comments do not count)."""
    named = {}
    for node in ast.walk(tree):
        if not (isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test_")):
            continue
        body = node.body[1:] if ast.get_docstring(node) is not None else node.body
        if not any(isinstance(sub, ast.Assert) for stmt in body for sub in ast.walk(stmt)):
            continue
        for stmt in body:
            for name in sorted(names_in(stmt)):
                if name.startswith("zhixin_"):
                    named.setdefault(name, node.name)
    return named


def hooks_named_by_tests():
    """Hook name → one test under tests/ that names it (this file excepted)."""
    named = {}
    for folder, _dirs, files in sorted(os.walk(TESTS)):
        for filename in sorted(files):
            path = os.path.join(folder, filename)
            if not filename.endswith(".py") or os.path.samefile(path, __file__):
                continue
            with open(path, encoding="utf-8") as fh:
                tree = ast.parse(fh.read(), filename=path)
            for name, test in hooks_named(tree).items():
                named.setdefault(name, f"{os.path.relpath(path, ROOT)}::{test}")
    return named


def test_the_hook_specs_are_found_by_introspection():
    specs = hook_specs()
    assert len(specs) >= 20
    assert specs["zhixin_calendar_items"] == ["user", "start", "end", "owners"]


def test_every_hook_is_documented_with_the_parameters_of_its_spec():
    documented = documented_hooks()
    for name, params in hook_specs().items():
        assert name in documented, f"docs/hooks.md has no entry ### `{name}({', '.join(params)})`"
        assert documented[name] == params, (
            f"docs/hooks.md documents {name}({', '.join(documented[name])}) "
            f"but core/hookspecs.py declares {name}({', '.join(params)})")


def test_the_hook_reference_documents_no_hook_that_does_not_exist():
    assert set(documented_hooks()) - set(hook_specs()) == set()


def test_every_hook_has_a_test_that_makes_it_fire():
    named = hooks_named_by_tests()
    untested = sorted(set(hook_specs()) - set(named))
    assert not untested, (f"no test under tests/ names these hooks in a test function that asserts: {untested} "
                          "(tests/core/test_hooks.py: assert called(\"zhixin_…\") after making it fire)")


def test_a_hook_counts_as_tested_only_when_named_in_the_code_of_a_test_that_asserts():
    source = '''
def test_a():
    # zhixin_in_a_comment
    assert called("zhixin_jobs")

def test_b():
    pm.hook.zhixin_models()
    assert True

def test_c():
    gather("zhixin_reports")

def test_d():
    """Fires zhixin_defaults."""
    assert True

def helper():
    assert gather("zhixin_exercises")
'''
    assert hooks_named(ast.parse(source)) == {"zhixin_jobs": "test_a", "zhixin_models": "test_b"}


def test_the_plugin_guide_links_the_hook_reference_and_the_module_naming_scheme():
    with open(os.path.join(ROOT, "docs", "plugin-guide.md"), encoding="utf-8") as fh:
        guide = fh.read()
    assert "(hooks.md)" in guide and "(plugin-modules.md)" in guide
