"""Charts are drawn once per content (core.charts): the same title, labels and values give the SVG drawn
before; any change of them — a deal's amount, the reader's language — draws anew, so a chart never shows
yesterday's figures; a chart with a formatter (code, not comparable) is drawn every time."""
import re

from core import charts


def _values(svg):
    return re.findall(r'<desc class="value">([^<]+)</desc>', str(svg))


def test_the_same_chart_is_drawn_once_and_a_changed_one_again():
    first = charts.bar("Closed per quarter", ["Q1", "Q2"], [("Closed", [3, 5])])
    again = charts.bar("Closed per quarter", ["Q1", "Q2"], [("Closed", [3, 5])])
    assert again is first
    changed = charts.bar("Closed per quarter", ["Q1", "Q2"], [("Closed", [3, 7])])
    assert changed is not first and changed != first
    assert _values(first) == ["3", "5"] and _values(changed) == ["3", "7"]
    retitled = charts.bar("已成交", ["Q1", "Q2"], [("Closed", [3, 5])])
    assert "已成交" in retitled and "已成交" not in first


def test_a_chart_with_a_formatter_is_drawn_every_time():
    one = charts.bar("Amounts", ["a"], [("x", [1])], value_formatter=lambda v: f"¥{v}")
    two = charts.bar("Amounts", ["a"], [("x", [1])], value_formatter=lambda v: f"${v}")
    assert one is not two and "$1" in two and "¥1" in one


def test_only_the_latest_charts_are_kept():
    for i in range(charts.DRAWN_KEEP + 10):
        charts.pie(f"share {i}", [("a", i), ("b", 1)])
    assert len(charts.DRAWN) == charts.DRAWN_KEEP


def test_an_empty_chart_says_so_in_the_readers_language(app):
    """pygal's "No data" is its own English: the chart says it in the reader's language, and the remembered
    chart of one language is not shown to a reader of the other."""
    from flask_babel import force_locale
    with app.test_request_context("/"):
        with force_locale("zh_CN"):
            zh = charts.bar("", [], [("", [])])
        with force_locale("en"):
            en = charts.bar("", [], [("", [])])
    assert "暂无数据" in zh and "No data" not in zh
    assert "No data" in en and "暂无数据" not in en
