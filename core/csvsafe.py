"""Spreadsheet-safe CSV (CSV 公式注入防护). A cell a spreadsheet would read as a formula — one starting with
``=``, ``+``, ``-``, ``@``, ``|``, a tab or a carriage return — gets a leading apostrophe, so it shows as the
text it is; a plain negative number (``-12.50``) is a number, not a formula, and stays as it is. Every CSV
export writes through :func:`csv_text`, :func:`stream` or :func:`response`, and every CSV import reads its
cells through :func:`restore`, which takes the apostrophe off again: the app's own export imports unchanged.

The mapping is one-to-one: text that already starts with apostrophes before a trigger (``'=x``) gets one more,
so :func:`restore` of :func:`defuse` is always the text itself.

Reading an uploaded file is one way for every import: :func:`decode` (UTF-8 with or without BOM, else
GB18030, which spreadsheet programs on Chinese Windows write) and :func:`read` (the delimiter detected,
every cell restored)."""
import csv
import io
import re

from flask import Response

from core.web import attachment

DELIMITERS = (",", ";", "\t")   # comma first: it wins a tie (a one-column file)
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


def decode(data):
    """``(encoding, text)`` of an uploaded file's bytes: ``"utf-8-sig"`` (with a BOM), ``"utf-8"`` or
    ``"gb18030"``; raises UnicodeDecodeError when it is neither."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return "gb18030", data.decode("gb18030")
    return ("utf-8-sig" if data.startswith(BOM.encode()) else "utf-8"), text


def read(text):
    """The rows (lists of restored cells, blank rows kept so positions stay line numbers) of CSV ``text``
    separated by ``,``, ``;`` or tab: the delimiter that splits the first row into the most cells (a
    spreadsheet set to a European or Chinese locale saves ``;``, "Unicode text" saves tabs)."""
    def reader(delimiter):
        return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    delimiter = max(DELIMITERS, key=lambda d: len(next(reader(d), [])))
    return [restore_row(row) for row in reader(delimiter)]


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
                    headers={"Content-Disposition": attachment(filename)})
