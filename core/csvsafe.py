"""Spreadsheet-safe CSV cells (CSV 公式注入防护). A cell a spreadsheet would read as a formula — one starting
with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return — gets a leading apostrophe, so it shows as the
text it is. Every CSV export passes its cells through :func:`defuse_row`."""
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def defuse(value):
    """``value`` as CSV cell text that no spreadsheet evaluates."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(TRIGGERS) else text


def defuse_row(cells):
    return [defuse(cell) for cell in cells]
