"""Reading the charts of a rendered page: pygal's inline SVG, parsed (not matched as text)."""
import re
import xml.etree.ElementTree as ET

NS = "{http://www.w3.org/2000/svg}"
SVG = re.compile(r"<figure class=\"chart\">\s*(<svg\b.*?</svg>)", re.S)


def charts(html):
    """Every inline chart of a page, as parsed SVG trees."""
    return [ET.fromstring(svg) for svg in SVG.findall(html)]


def axis_labels(svg, axis):
    """The tick labels of axis ``"x"`` or ``"y"`` as drawn (pygal's ``<g class="axis x|y …">``)."""
    for g in svg.iter(f"{NS}g"):
        classes = g.get("class", "").split()
        if classes[:2] == ["axis", axis]:
            return [t.text or "" for t in g.iter(f"{NS}text")]
    return []


def value_labels(svg):
    """The value axis's labels: y, or x for a horizontal bar chart."""
    horizontal = any("horizontal" in g.get("class", "") for g in svg.iter(f"{NS}g")) or \
        "HorizontalBar" in (svg.get("class") or "")
    return axis_labels(svg, "x" if horizontal else "y")
