"""A report result as a pygal chart (bars link to the drill-down), CSV and display values.

A cell is read by its column's kind (``core.reports.COLUMN_KINDS``) in one place, :func:`plain`: the CSV
writes that value, the page formats the same value for the reader's language (:func:`display`)."""
import datetime as _dt
import decimal
from decimal import ROUND_HALF_UP, Decimal

from markupsafe import Markup

from core import charts, clock, templating

CENT = Decimal("0.01")
TENTH = Decimal("0.1")

PIVOT_KINDS = {"pie": "stacked", "funnel": "stacked"}


def _float(value):
    if value is None or value == "":
        return None
    try:
        return float(value)
    except (TypeError, ValueError, decimal.InvalidOperation):
        return None


def _point(value, link):
    point = {"value": _float(value)}
    if link:
        point["xlink"] = {"href": link, "target": "_top"}
    return point


def build_chart(result, kind=None, title=""):
    """The pygal chart object of ``result`` or None when it has no chart or no rows."""
    spec = result.chart
    kind = kind or (spec or {}).get("kind")
    rows = [r for r in result.rows if not r.get("_subtotal")]
    if not spec or not kind or not rows:
        return None
    labels = {c.key: c.label for c in result.columns}
    link = result.drilldown or (lambda row: None)
    if spec.get("series"):
        return _pivot(rows, spec, PIVOT_KINDS.get(kind, kind), title, link)
    chart = charts.make(kind, title)
    label_key, values = spec["label"], spec["values"]
    if kind == "pie":
        for row in rows:
            chart.add(charts.label(row.get(label_key)), [_point(row.get(values[0]), link(row))])
        return chart
    chart.x_labels = [charts.label(row.get(label_key)) for row in rows]
    for key in values:
        chart.add(charts.label(labels.get(key, key)), [_point(row.get(key), link(row)) for row in rows])
    return chart


def _pivot(rows, spec, kind, title, link):
    """Two groupings: first group along the axis, one series per value of the second."""
    xs, series = [], []
    cells = {}
    for row in rows:
        x, s = row.get(spec["label"]), row.get(spec["series"])
        if x not in xs:
            xs.append(x)
        if s not in series:
            series.append(s)
        cells[(x, s)] = row
    chart = charts.make(kind, title)
    chart.x_labels = [charts.label(x) for x in xs]
    value = spec["values"][0]
    for s in series:
        points = []
        for x in xs:
            row = cells.get((x, s))
            points.append(_point(row.get(value), link(row)) if row else None)
        chart.add(charts.label(s), points)
    return chart


def inline_svg(chart):
    """The chart on the page: drawn once for what it shows (kind, title, labels, values and their links) and
    then remembered by core.charts, as the forecast's and dashboard's are — pygal costs more than the page."""
    if chart is None:
        return Markup("")
    shows = (type(chart).__name__, chart.title, list(getattr(chart, "x_labels", None) or ()), chart.raw_series, {})
    return charts.remembered(("report", *shows), lambda: charts.render(chart))


def standalone_svg(chart):
    return charts.render(chart, standalone=True)


def _decimal(value):
    return Decimal(str(value)) if isinstance(value, float) else Decimal(value)


def plain(value, kind):
    """The value of a cell as its kind reads it, or None for an empty cell: a count as an int, money to the
    cent, a percent (a fraction) as percentage points with one decimal, a date as the local date."""
    if value is None or value == "":
        return None
    if kind == "text" or isinstance(value, str):
        return str(value)
    if kind == "count":
        return int(value)
    if kind == "number":
        return _decimal(value)
    if kind == "money":
        return _decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
    if kind == "percent":
        return (_decimal(value) * 100).quantize(TENTH, rounding=ROUND_HALF_UP)
    if kind == "date" and isinstance(value, _dt.datetime):
        return clock.to_local(value).date()
    return value


def csv_cell(value, kind):
    value = plain(value, kind)
    if value is None:
        return ""
    if kind == "percent":
        return f"{value}%"
    if isinstance(value, _dt.datetime):
        return clock.to_local(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, _dt.date):
        return value.isoformat()
    return str(value)


def display(value, kind):
    """The cell as the page shows it: :func:`plain`, formatted for the reader's language."""
    value = plain(value, kind)
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if kind in ("count", "number"):
        return templating.number(value)
    if kind == "money":
        return templating.money(value)
    if kind == "percent":
        return f"{templating.number(value, '#,##0.0')}%"
    if kind == "datetime":
        return templating.datetime_filter(value, "short")
    if kind == "date":
        return templating.date_filter(value)
    return str(value)


def csv_rows(result):
    """The result's rows and its totals row as CSV cells (``core.csvsafe`` defuses them)."""
    for row in result.rows + ([result.totals] if result.totals else []):
        yield [csv_cell(row.get(c.key), c.kind) for c in result.columns]
