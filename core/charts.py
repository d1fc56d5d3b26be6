"""pygal charts in the theme's style, inline SVG, offline (no external script), labels escaped — and honest:
the value axis starts at 0, whole-number data (counts) gets whole ticks, and a "funnel" is drawn as bars in the
caller's order (a pygal funnel is as wide as each stage's value, so a later stage worth more widens it)."""
import collections
import datetime as _dt
import math
import re

import pygal
from flask_babel import get_locale
from markupsafe import Markup
from pygal.style import Style

from core.babel import gettext as _

THEME_STYLE = Style(
    background="transparent",
    plot_background="transparent",
    foreground="#334155",
    foreground_strong="#0f172a",
    foreground_subtle="#94a3b8",
    opacity=".85",
    opacity_hover=".95",
    colors=("#2563eb", "#16a34a", "#f59e0b", "#dc2626", "#7c3aed", "#0891b2", "#db2777", "#65a30d"),
    font_family="'Noto Sans CJK SC','WenQuanYi Micro Hei','Microsoft YaHei',system-ui,sans-serif",
)

KINDS = {
    "bar": pygal.Bar, "hbar": pygal.HorizontalBar, "stacked": pygal.StackedBar, "line": pygal.Line,
    "pie": pygal.Pie, "funnel": pygal.HorizontalBar,
}
AXISLESS = ("pie",)
MAX_TICKS = 8


def label(text):
    """User text for a chart label. pygal escapes text nodes and its config script itself (a test holds it
    to that), so escaping here too would show ``&lt;`` to the user."""
    return "" if text is None else str(text)


def make(kind="bar", title="", **options):
    chart_class = KINDS.get(kind, pygal.Bar)
    defaults = dict(style=THEME_STYLE, js=[], disable_xml_declaration=True, explicit_size=False,
                    no_data_text=_("No data"),  # pygal's own words are English
                    width=800, height=360, legend_at_bottom=True, show_y_guides=True, print_values=False,
                    truncate_label=-1, x_label_rotation=0)
    defaults.update(options)
    if kind not in AXISLESS:
        defaults.setdefault("include_x_axis", True)      # the value axis starts at 0
    chart = chart_class(**defaults)
    chart.title = label(title) if title else None
    return chart


def _value(point):
    value = point.get("value") if isinstance(point, dict) else point
    return None if value is None else float(value)


def whole_ticks(values):
    """Ticks 0, step, 2·step … past the largest value, with step 1, 2 or 5 × 10ⁿ (at most MAX_TICKS + 1 of
    them); None unless every value is a whole number (then pygal's own ticks may read 0.1 … 1)."""
    values = [v for v in values if v is not None]
    if any(v != int(v) or v < 0 for v in values):
        return None
    top = max(values, default=0) or 1
    step = 1
    while math.ceil(top / step) > MAX_TICKS:
        step = next(s * 10 ** e for e in range(20) for s in (1, 2, 5) if s * 10 ** e > step)
    return [i * step for i in range(math.ceil(top / step) + 1)]


def _set_whole_ticks(chart):
    if isinstance(chart, pygal.Pie):
        return
    ticks = whole_ticks([_value(p) for values, _config in chart.raw_series for p in values])
    if ticks is not None:
        chart.y_labels = ticks
        chart.range = (ticks[0], ticks[-1])


def months(first, last):
    """The first day of every month from the month of ``first`` to the month of ``last``: a time axis with
    no month left out (a month without data is drawn as zero, not skipped)."""
    out, month = [], first.replace(day=1)
    while month <= last:
        out.append(month)
        month = (month + _dt.timedelta(days=32)).replace(day=1)
    return out


# pygal writes its tooltip configuration as an inline <script> even with js=[]: no script reads it, and the
# Content-Security-Policy would refuse it (a console error on every chart page). Its text is XML-escaped, so
# the first "</script>" closes it.
SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.S)


def render(chart, standalone=False):
    """The chart as inline SVG Markup, without pygal's inline script; ``standalone``: an SVG file's text."""
    _set_whole_ticks(chart)
    chart.config.disable_xml_declaration = not standalone
    svg = SCRIPT.sub("", chart.render(is_unicode=True))
    return svg if standalone else Markup(f'<figure class="chart">{svg}</figure>')


def bar(title, labels, series, kind="bar", **options):
    """``series`` is [(name, [values…])]; ``labels`` the x labels. Returns inline SVG."""
    labels = [label(x) for x in labels]
    series = [(label(name), [None if v is None else float(v) for v in values]) for name, values in series]

    def draw():
        chart = make(kind, title, **options)
        chart.x_labels = labels
        for name, values in series:
            chart.add(name, values)
        return render(chart)
    return remembered(("bar", label(title), labels, series, kind, options), draw)


def pie(title, slices, **options):
    slices = [(label(name), float(value or 0)) for name, value in slices]

    def draw():
        chart = make("pie", title, **options)
        for name, value in slices:
            chart.add(name, value)
        return render(chart)
    return remembered(("pie", label(title), slices, options), draw)


DRAWN = collections.OrderedDict()  # the SVG of the latest charts, by what they show
DRAWN_KEEP = 256


def remembered(what, draw):
    """``draw()``'s SVG, drawn again only when ``what`` — the chart's title, labels and values as the reader
    sees them (already in their language), kind and options — differs from a chart drawn before: pygal
    spends more on one chart than the rest of its page, and a forecast page shows the same chart until a
    deal changes. Options holding code (a formatter) are not compared: such a chart is drawn every time."""
    if any(callable(v) for v in what[-1].values()):
        return draw()
    key = repr((str(get_locale()), what))  # the reader's language: pygal's "No data" too
    if key in DRAWN:
        DRAWN.move_to_end(key)
        return DRAWN[key]
    svg = DRAWN[key] = draw()
    while len(DRAWN) > DRAWN_KEEP:
        DRAWN.popitem(last=False)
    return svg
