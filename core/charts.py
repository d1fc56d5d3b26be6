"""pygal charts in the theme's style, inline SVG, offline (no external script), labels escaped."""
import re

import pygal
from markupsafe import Markup
from pygal.style import Style

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
    "pie": pygal.Pie, "funnel": pygal.Funnel,
}


def label(text):
    """User text for a chart label. pygal escapes text nodes and its config script itself (a test holds it
    to that), so escaping here too would show ``&lt;`` to the user."""
    return "" if text is None else str(text)


def make(kind="bar", title="", **options):
    chart_class = KINDS.get(kind, pygal.Bar)
    defaults = dict(style=THEME_STYLE, js=[], disable_xml_declaration=True, explicit_size=False,
                    width=800, height=360, legend_at_bottom=True, show_y_guides=True, print_values=False,
                    truncate_label=-1, x_label_rotation=0)
    defaults.update(options)
    chart = chart_class(**defaults)
    chart.title = label(title) if title else None
    return chart


# pygal writes its tooltip configuration as an inline <script> even with js=[]: no script reads it, and the
# Content-Security-Policy would refuse it (a console error on every chart page). Its text is XML-escaped, so
# the first "</script>" closes it.
SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.S)


def render(chart):
    """The chart as inline SVG Markup, without pygal's inline script."""
    svg = SCRIPT.sub("", chart.render(is_unicode=True))
    return Markup(f'<figure class="chart">{svg}</figure>')


def bar(title, labels, series, kind="bar", **options):
    """``series`` is [(name, [values…])]; ``labels`` the x labels. Returns inline SVG."""
    chart = make(kind, title, **options)
    chart.x_labels = [label(x) for x in labels]
    for name, values in series:
        chart.add(label(name), [None if v is None else float(v) for v in values])
    return render(chart)


def pie(title, slices, **options):
    chart = make("pie", title, **options)
    for name, value in slices:
        chart.add(label(name), float(value or 0))
    return render(chart)
