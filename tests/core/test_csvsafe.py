"""The CSV formula defuser: a cell a spreadsheet would evaluate gets a leading apostrophe, nothing else
changes, and :func:`restore` gives back exactly the text that was defused."""
import re

import pytest
from hypothesis import given, strategies as st

from core.csvsafe import TRIGGERS, defuse, defuse_row, restore, restore_row


@pytest.mark.parametrize("cell, expected", [
    ("=SUM(A1:A9)", "'=SUM(A1:A9)"), ("+86 21 5888", "'+86 21 5888"), ("-1+cmd|' /C calc'!A0", "'-1+cmd|' /C calc'!A0"),
    ("@cmd", "'@cmd"), ("|x", "'|x"), ("\tx", "'\tx"), ("\rx", "'\rx"), ("王芳", "王芳"), ("a=b", "a=b"), ("", ""),
    (None, ""), (10, "10"), ("-1", "-1"), ("-12.50", "-12.50"), ("-1e5", "'-1e5"), ("-", "'-"), ("-0", "-0"), ("-٣", "'-٣"),
    ("'=x", "''=x"), ("'abc", "'abc"),
])
def test_table_of_cells(cell, expected):
    assert defuse(cell) == expected


@given(st.text())
def test_no_defused_cell_starts_a_formula_and_the_text_is_kept(text):
    cell = defuse(text)
    assert not cell.startswith(TRIGGERS) or (cell == text and re.fullmatch(r"-[0-9]+(\.[0-9]+)?", text))
    assert cell in (text, "'" + text)


@given(st.text(alphabet=st.sampled_from("'=+-@|\t\r0123456789.a王 ")) | st.text())
def test_restore_gives_back_what_was_defused(text):
    assert restore(defuse(text)) == text


@pytest.mark.parametrize("cell, expected", [
    ("'+86 138 0000 0000", "+86 138 0000 0000"), ("'-5", "-5"), ("'abc", "'abc"), ("''=x", "'=x"), ("=x", "=x"),
])
def test_restore_takes_off_only_an_apostrophe_before_a_trigger(cell, expected):
    assert restore(cell) == expected


def test_a_row_is_defused_and_restored_cell_by_cell():
    assert defuse_row(["=1", "ok", 3]) == ["'=1", "ok", "3"]
    assert restore_row(["'=1", "ok", "3"]) == ["=1", "ok", "3"]
