"""Core's import graph, read statically from the source (ast): no cycle among core's modules and no import at
the bottom of a module. A function-local import counts as an edge, so moving an import into a function cannot
hide a cycle."""
import ast
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2]

# Cycles another change removes; each entry must still be a cycle (the test says when to delete it).
KNOWN_CYCLES = []
KNOWN_LATE_IMPORTS = set()


def module_files(root, package="core"):
    """{dotted module name: path} for every ``.py`` file of ``package`` under ``root``."""
    files = {}
    for path in sorted((root / package).rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        files[".".join(parts)] = path
    return files


def _imported(node, module, files):
    """The core modules one import statement names (a ``from`` import of a submodule names the submodule)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level:  # relative: resolve against the importing module's package
        package = module.split(".") if files[module].name == "__init__.py" else module.split(".")[:-1]
        base = ".".join(package[:len(package) - node.level + 1] + ([node.module] if node.module else []))
    else:
        base = node.module or ""
    return [f"{base}.{alias.name}" if f"{base}.{alias.name}" in files else base for alias in node.names]


def import_graph(root, package="core"):
    """{module: {imported core module: first line}}, counting imports anywhere in the module."""
    files = module_files(root, package)
    graph = {}
    for module, path in files.items():
        edges = graph.setdefault(module, {})
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                for target in _imported(node, module, files):
                    if target in files and target != module:
                        edges.setdefault(target, node.lineno)
    return graph


def cycles(graph):
    """The strongly connected components with more than one module (Tarjan), each as a set."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(component)

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def describe(component, graph):
    """Each edge inside a cycle as ``a:line -> b`` so the failure says where to look."""
    return "; ".join(f"{a}:{line} -> {b}" for a in sorted(component)
                     for b, line in sorted(graph[a].items()) if b in component)


def late_imports(root, package="core"):
    """``module:line`` of every module-level import that follows a statement other than an import (the
    docstring excepted)."""
    found = []
    for module, path in module_files(root, package).items():
        body = ast.parse(path.read_text(encoding="utf-8"), str(path)).body
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            body = body[1:]
        seen_code = False
        for node in body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                if seen_code:
                    found.append(f"{module}:{node.lineno}")
            else:
                seen_code = True
    return found


def test_core_has_no_import_cycle():
    graph = import_graph(ROOT)
    unexpected = [c for c in cycles(graph) if c not in KNOWN_CYCLES]
    assert not unexpected, "\n".join(describe(c, graph) for c in unexpected)


def test_every_known_cycle_still_exists_or_leaves_the_list():
    present = cycles(import_graph(ROOT))
    gone = [sorted(c) for c in KNOWN_CYCLES if c not in present]
    assert not gone, f"no longer a cycle, delete from KNOWN_CYCLES: {gone}"


def test_no_core_module_imports_after_its_first_statement():
    late = late_imports(ROOT)
    assert [where for where in late if where.split(":")[0] not in KNOWN_LATE_IMPORTS] == []
    gone = KNOWN_LATE_IMPORTS - {where.split(":")[0] for where in late}
    assert not gone, f"no late import any more, delete from KNOWN_LATE_IMPORTS: {sorted(gone)}"


def test_a_cycle_hidden_in_a_function_body_is_found(tmp_path):
    pkg = tmp_path / "core"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from core.sub import b\n")
    (pkg / "sub" / "b.py").write_text("def later():\n    from .. import a\n    return a\n")
    (pkg / "c.py").write_text("import core.a\n")
    assert cycles(import_graph(tmp_path)) == [{"core.a", "core.sub.b"}]


def test_an_import_below_code_is_found_but_not_one_below_the_docstring(tmp_path):
    pkg = tmp_path / "core"
    pkg.mkdir()
    (pkg / "__init__.py").write_text('"""Doc."""\nimport os\n')
    (pkg / "late.py").write_text('"""Doc."""\nimport os\n\nX = 1\n\nfrom core import y  # noqa: E402\n')
    assert late_imports(tmp_path) == ["core.late:6"]
