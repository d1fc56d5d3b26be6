"""Spreadsheet-safe CSV (CSV 公式注入防护). A cell a spreadsheet would read as a formula — one starting with
``=``, ``+``, ``-``, ``@``, ``|``, a tab or a carriage return — gets a leading apostrophe, so it shows as the
text it is; a plain negative number (``-12.50``) is a number, not a formula, and stays as it is. Every CSV
export writes through :func:`csv_text`, :func:`stream` or :func:`response`, and every CSV import reads its
cells through :func:`restore`, which takes the apostrophe off again: the app's own export imports unchanged.

The mapping is one-to-one: text that already starts with apostrophes before a trigger (``'=x``) gets one more,
so :func:`restore` of :func:`defuse` is always the text itself."""
import csv
import io
import re

from flask import Response

TRIGGERS = ("=", "+", "-", "@", "|", "\t", "\r")
BOM = "\ufeff"  # so spreadsheet programs read the Chinese as UTF-8
_NUMBER = re.compile(r"-[0-9]+(\.[0-9]+)?\Z")


def _needs_quote(text):
    return text.lstrip("'").startswith(TRIGGERS) and not _NUMBER.match(text)


def defuse(value):
    """``value`` as CSV cell text that no spreadsheet evaluates."""
    text = "" if value is None else str(value)
    return "'" + text if _needs_quote(text) else text


def defuse_row(cells):
    return [defuse(cell) for cell in cells]


def restore(cell):
    """The text :func:`defuse` made ``cell`` from; a cell that is not an apostrophe before a trigger is kept.
    (An older export's ``'-5`` comes back as ``-5`` too.)"""
    return cell[1:] if cell.startswith("'") and cell.lstrip("'").startswith(TRIGGERS) else cell


def restore_row(cells):
    return [restore(cell) for cell in cells]


def _line(writer, buffer, cells):
    buffer.seek(0)
    buffer.truncate()
    writer.writerow(defuse_row(cells))
    return buffer.getvalue()


def stream(header, rows):
    """Yield the CSV text (BOM, header, rows, every cell defused) line by line."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    yield BOM + _line(writer, buffer, header)
    for row in rows:
        yield _line(writer, buffer, row)


def csv_text(header, rows):
    """The whole CSV text of :func:`stream`."""
    return "".join(stream(header, rows))


def response(filename, header, rows):
    """A CSV download of :func:`csv_text` (``filename`` is the app's own, never user text)."""
    return Response(csv_text(header, rows), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
