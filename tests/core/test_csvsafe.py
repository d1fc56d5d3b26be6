"""The CSV formula defuser: a cell a spreadsheet would evaluate gets a leading apostrophe; nothing else
changes."""
import pytest
from hypothesis import given, strategies as st

from core.csvsafe import TRIGGERS, defuse, defuse_row


@pytest.mark.parametrize("cell, expected", [
    ("=SUM(A1:A9)", "'=SUM(A1:A9)"), ("+86 21 5888", "'+86 21 5888"), ("-1", "'-1"), ("@cmd", "'@cmd"),
    ("\tx", "'\tx"), ("\rx", "'\rx"), ("王芳", "王芳"), ("a=b", "a=b"), ("", ""), (None, ""), (10, "10"),
    ("'=x", "'=x"),
])
def test_table_of_cells(cell, expected):
    assert defuse(cell) == expected


@given(st.text())
def test_no_defused_cell_starts_a_formula_and_the_text_is_kept(text):
    cell = defuse(text)
    assert not cell.startswith(TRIGGERS)
    assert cell in (text, "'" + text)


def test_a_row_is_defused_cell_by_cell():
    assert defuse_row(["=1", "ok", 3]) == ["'=1", "ok", "3"]
