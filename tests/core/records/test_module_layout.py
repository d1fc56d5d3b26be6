"""The record machinery has no import at the bottom of a module and no import cycle between its views."""
import ast
import pathlib

RECORDS = pathlib.Path(__file__).resolve().parents[3] / "core" / "records"


def _top_level_imports(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return tree.body, [node for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))]


def test_every_module_in_core_records_imports_only_before_its_first_definition():
    for path in sorted(RECORDS.glob("*.py")):
        body, imports = _top_level_imports(path)
        first_code = next((i for i, node in enumerate(body) if not isinstance(
            node, (ast.Import, ast.ImportFrom, ast.Expr))), len(body))
        late = [node.lineno for node in imports if body.index(node) > first_code]
        assert late == [], f"{path.name} imports after its first definition (line {late})"


def test_the_views_of_single_record_types_do_not_import_the_generic_views():
    _body, imports = _top_level_imports(RECORDS / "specific.py")
    modules = {node.module for node in imports if isinstance(node, ast.ImportFrom)}
    assert "core.records.views" not in modules
