"""Reading rendered pages the way a reader does: the text of tables and of the page (html.parser only)."""
import re
from decimal import Decimal
from html.parser import HTMLParser


class _Tables(HTMLParser):
    """Every <table>: its header cells, body rows and footer rows as lists of cell text; ``attrs`` of the
    table and of each row."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables, self._table, self._row, self._cell, self._part = [], None, None, None, "tbody"
        self.texts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "svg"):
            self._skip += 1
        if tag == "table":
            self._table = {"attrs": dict(attrs), "head": [], "body": [], "foot": []}
            self.tables.append(self._table)
        elif tag in ("thead", "tbody", "tfoot") and self._table is not None:
            self._part = tag
        elif tag == "tr" and self._table is not None:
            self._row = {"attrs": dict(attrs), "cells": []}
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
            if "data-drill-column" in dict(attrs):
                self._table["drill"] = True

    def handle_endtag(self, tag):
        if tag in ("script", "style", "svg"):
            self._skip -= 1
        if tag in ("td", "th") and self._cell is not None:
            self._row["cells"].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            part = {"thead": "head", "tbody": "body", "tfoot": "foot"}[self._part]
            self._table[part].append(self._row)
            self._row = None
        elif tag == "table":
            self._table, self._part = None, "tbody"

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        if not self._skip and data.strip():
            self.texts.append(" ".join(data.split()))


def parse(html):
    parser = _Tables()
    parser.feed(html)
    return parser


def report_table(html):
    """The report's table (``data-report-table``) as (headers, body rows, totals row or None); each row a list
    of cell texts, the drill-down column dropped."""
    table = next(t for t in parse(html).tables if "data-report-table" in t["attrs"])
    headers = table["head"][0]["cells"]
    width = len(headers) - (1 if table.get("drill") else 0)
    rows = [r["cells"][:width] for r in table["body"]]
    foot = table["foot"][0]["cells"][:width] if table["foot"] else None
    return headers[:width], rows, foot


def page_texts(html):
    """Every visible text node of a page (scripts, styles and inline SVG left out)."""
    return parse(html).texts


def amount(text):
    """The number in a cell as Decimal ('¥2,014.80' → 2014.80, '-CN¥3.50' → -3.50, '57.1%' → 57.1, '—' or '' → None)."""
    found = re.search(r"-?[\d,]+(?:\.\d+)?", text or "")
    if not found:
        return None
    # a minus before the currency ("-CN¥1.00" in English, "-¥1.00" in Chinese)
    sign = -1 if re.search(r"[-−]\s*(?:[A-Z]{0,3}[¥$€£])?\s*\d", text) and not found.group().startswith("-") else 1
    return sign * Decimal(found.group().replace(",", ""))
