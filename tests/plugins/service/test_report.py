"""The service report: local-month and fiscal-year buckets at their edges, counts that equal the rows
behind them (in the table, the chart and the CSV), only visible rows, and user text escaped in charts."""
import csv
import datetime as dt
import io
import re

import pytest
from flask import g

from core.models import Organisation, SharingMode
from plugins.service import reporting, services
from plugins.service.models import Feedback

SHANGHAI = dt.timedelta(hours=8)


def local(*args):
    """A wall-clock time in Asia/Shanghai as the naive UTC it is stored as."""
    return dt.datetime(*args) - SHANGHAI


def set_org(**fields):
    Organisation.update(**fields).where(Organisation.id == 1).execute()
    g.pop("org_profile", None)


def monthly_rows(user, period):
    return {r["month"]: r for r in reporting.build(user, period, only="monthly")[0].rows}


def test_month_edges_follow_the_organisations_time_zone(app, team, make_item, frozen_clock):
    frozen_clock(dt.datetime(2026, 6, 1))
    owner = team["owner"]
    make_item("feedback", owner, received_at=local(2026, 1, 31, 23, 30))     # still January in Shanghai
    make_item("feedback", owner, received_at=local(2026, 2, 1, 0, 10))       # February (Jan 31 in UTC)
    make_item("feedback", owner, received_at=local(2025, 12, 31, 23, 59))    # last year
    make_item("complaint", owner, received_at=local(2026, 2, 28, 23, 59, 59))
    make_item("complaint", owner, received_at=local(2026, 3, 1, 0, 0))
    rows = monthly_rows(owner, reporting.fiscal_period(2026))
    assert list(rows) == [f"2026-{m:02d}" for m in range(1, 7)]       # up to today's month, none after
    assert rows["2026-01"]["feedback_received"] == 1
    assert rows["2026-02"]["feedback_received"] == 1
    assert rows["2026-02"]["complaint_received"] == 1
    assert rows["2026-03"]["complaint_received"] == 1
    assert sum(r["feedback_received"] for r in rows.values()) == 2


def test_the_same_instant_falls_in_another_month_in_another_time_zone(app, team, make_item, frozen_clock):
    frozen_clock(dt.datetime(2026, 6, 1))
    make_item("feedback", team["owner"], received_at=local(2026, 1, 31, 23, 30))
    set_org(timezone="UTC")
    rows = monthly_rows(team["owner"], reporting.month_period(dt.date(2026, 1, 1), dt.date(2026, 2, 1)))
    assert rows["2026-01"]["feedback_received"] == 1      # 15:30 UTC on Jan 31
    set_org(timezone="America/Los_Angeles")
    rows = monthly_rows(team["owner"], reporting.month_period(dt.date(2026, 1, 1), dt.date(2026, 2, 1)))
    assert rows["2026-01"]["feedback_received"] == 1


def test_fiscal_year_edges_follow_the_start_month(app, team, make_item, frozen_clock):
    frozen_clock(dt.datetime(2026, 6, 1))
    set_org(fiscal_year_start=4)
    owner = team["owner"]
    make_item("complaint", owner, received_at=local(2026, 3, 31, 23, 30))    # FY2025's last month
    make_item("complaint", owner, received_at=local(2026, 4, 1, 0, 30))      # FY2026's first month
    fy2025, fy2026 = reporting.fiscal_period(2025), reporting.fiscal_period(2026)
    assert (fy2025.first, fy2025.last) == (dt.date(2025, 4, 1), dt.date(2026, 3, 1))
    assert monthly_rows(owner, fy2025)["2026-03"]["complaint_received"] == 1
    assert sum(r["complaint_received"] for r in monthly_rows(owner, fy2025).values()) == 1
    assert monthly_rows(owner, fy2026)["2026-04"]["complaint_received"] == 1
    assert reporting.fiscal_year_of(dt.date(2026, 3, 31)) == 2025
    assert reporting.fiscal_year_of(dt.date(2026, 4, 1)) == 2026


def test_report_names_the_fiscal_year_in_the_one_format(app, client, login, team, frozen_clock):
    frozen_clock(dt.datetime(2026, 6, 1))
    set_org(fiscal_year_start=4)
    login(client, team["boss"])
    team["boss"].language = "en"
    team["boss"].save()
    html = client.get("/service/report?fy=2026").get_data(as_text=True)
    assert re.search(r"data-period>\s*FY2026/27 \(2026-04 – 2027-03\)", html)
    assert '<option value="2026" selected>FY2026/27</option>' in html
    team["boss"].language = "zh"
    team["boss"].save()
    assert "2026/27财年 (2026-04 – 2027-03)" in client.get("/service/report?fy=2026").get_data(as_text=True)


def test_handled_counts_the_month_it_was_resolved_or_closed(app, team, make_item, frozen_clock):
    owner = team["owner"]
    frozen_clock(local(2026, 1, 20, 9, 0))
    a = make_item("feedback", owner)
    b = make_item("complaint", owner)
    c = make_item("complaint", owner)
    frozen_clock(local(2026, 1, 31, 23, 30))
    services.change_status("feedback", a, owner, "resolved")
    frozen_clock(local(2026, 2, 1, 0, 30))
    services.change_status("complaint", b, owner, "closed")
    services.change_status("complaint", c, owner, "in_progress")      # not handled
    rows = monthly_rows(owner, reporting.fiscal_period(2026))
    assert rows["2026-01"]["feedback_handled"] == 1 and rows["2026-01"]["complaint_handled"] == 0
    assert rows["2026-02"]["complaint_handled"] == 1
    assert rows["2026-01"]["handling_rate"] == pytest.approx(100 * 1 / 3, abs=0.1)
    times = reporting.build(owner, reporting.fiscal_period(2026), only="times")[0]
    jan = times.rows[0]
    # a: resolved 11 days 14.5 h after it arrived; all three first responses were in January's items
    assert jan["resolutions"] == 1 and jan["avg_resolution_hours"] == 278.5
    assert jan["responses"] == 3


def _cells(html, table):
    body = re.search(rf'data-table="{table}">(.*?)</table>', html, re.S).group(1)
    rows = re.findall(r"<tr>(.*?)</tr>", body.split("<tbody>")[1].split("</tbody>")[0], re.S)
    return [[c.strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)] for r in rows]


def test_chart_table_and_csv_agree_with_the_visible_rows(app, client, login, team, make_item, frozen_clock):
    frozen_clock(dt.datetime(2026, 6, 1))
    for month, n in ((1, 3), (2, 1), (5, 2)):
        for i in range(n):
            make_item("feedback", team["owner"], received_at=local(2026, month, 10 + i, 12))
    make_item("feedback", team["outsider"], received_at=local(2026, 1, 5, 12))       # not the boss's
    make_item("complaint", team["peer"], received_at=local(2026, 5, 5, 12))
    login(client, team["boss"])
    html = client.get("/service/report?fy=2026").get_data(as_text=True)
    rows = _cells(html, "monthly")
    table_feedback = [int(r[1]) for r in rows]
    assert table_feedback[:5] == [3, 1, 0, 0, 2] and sum(table_feedback) == 6
    visible = client.get("/service/feedback/?tab=all").get_data(as_text=True)
    assert re.search(r'data-tab="all"[^>]*>[^<]*<span class="count">(\d+)</span>', visible).group(1) == "6"
    svg = re.search(r'data-section="monthly">(.*?)</figure>', html, re.S).group(1)
    values = [int(float(v)) for v in re.findall(r'<desc class="value">([^<]*)</desc>', svg)]
    months = len(table_feedback)                                 # up to today's month
    assert values[:months] == table_feedback                     # the first series is "feedback received"
    assert sum(values[months:2 * months]) == 1                   # complaints received
    exported = client.get("/service/report?fy=2026&export=monthly")
    assert exported.mimetype == "text/csv"
    lines = list(csv.reader(io.StringIO(exported.get_data(as_text=True).lstrip("\ufeff"))))
    assert [int(r[1]) for r in lines[1:months + 1]] == table_feedback and lines[months + 1][1] == "6"
    login(client, team["outsider"])
    html = client.get("/service/report?fy=2026").get_data(as_text=True)
    assert sum(int(r[1]) for r in _cells(html, "monthly")) == 1


def test_sharing_mode_widens_the_report_like_the_lists(app, client, login, team, make_item, frozen_clock):
    frozen_clock(dt.datetime(2026, 6, 1))
    make_item("complaint", team["owner"], received_at=local(2026, 3, 3, 12), category="billing")
    login(client, team["outsider"])
    assert "data-col=\"received\">1<" not in client.get("/service/report?fy=2026").get_data(as_text=True)
    SharingMode.create(family="service", mode="read")
    g.pop("sharing_modes", None)     # (the test shares one app context; a real request starts afresh)
    rows = _cells(client.get("/service/report?fy=2026").get_data(as_text=True), "category")
    assert ["Billing" in r[0] or "账单" in r[0] for r in rows if r[1] == "1"] == [True]


def test_script_in_user_names_is_escaped_in_chart_labels(app, client, login, team, make_item, make_user,
                                                         frozen_clock):
    frozen_clock(dt.datetime(2026, 6, 1))
    evil = make_user("evil", team["owner"].position, full_name="<script>alert(1)</script>")
    make_item("feedback", evil, received_at=local(2026, 2, 2, 12), subject="<script>alert(2)</script>")
    login(client, team["admin"])
    html = client.get("/service/report?fy=2026").get_data(as_text=True)
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    svg = re.search(r'data-section="assignee">(.*?)</figure>', html, re.S).group(1)
    assert "&lt;script&gt;alert(1)" in svg


def test_report_parameters(app, client, login, team, frozen_clock):
    frozen_clock(dt.datetime(2026, 6, 1))
    login(client, team["owner"])
    html = client.get("/service/report?from=2025-11&to=2026-02").get_data(as_text=True)
    assert len(_cells(html, "monthly")) == 4
    assert client.get("/service/report?from=nonsense").status_code == 200       # falls back, says why
    assert client.get("/service/report?fy=abc").status_code == 200
    assert len(_cells(client.get("/service/report?from=2020-01&to=2026-12").get_data(as_text=True),
                      "monthly")) == reporting.MAX_MONTHS
    assert client.get("/service/report?export=nope").status_code == 404
    for section in reporting.SECTIONS:
        assert client.get(f"/service/report?fy=2026&export={section}").status_code == 200


def test_csv_export_defuses_formulas(app, client, login, team, make_user, make_item, frozen_clock):
    frozen_clock(dt.datetime(2026, 6, 1))
    sneaky = make_user("sneaky", team["owner"].position, full_name="=HYPERLINK(\"http://x\")")
    make_item("feedback", sneaky, received_at=local(2026, 2, 2, 12))
    login(client, team["admin"])
    text = client.get("/service/report?fy=2026&export=assignee").get_data(as_text=True)
    assert "'=HYPERLINK" in text


def test_counts_are_computed_only_over_rows_the_viewer_may_see(app, team, make_item, frozen_clock):
    frozen_clock(dt.datetime(2026, 6, 1))
    make_item("feedback", team["owner"], received_at=local(2026, 4, 4, 12))
    period = reporting.fiscal_period(2026)
    assert sum(r["feedback_received"] for r in monthly_rows(team["peer"], period).values()) == 0
    assert sum(r["feedback_received"] for r in monthly_rows(team["lead"], period).values()) == 1
    assert Feedback.select().count() == 1
