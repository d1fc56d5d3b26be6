"""The campaign effect report shows the figures of the campaign's own effect page, on the page and in CSV."""
import csv
import io

from tests.plugins.campaigns.conftest import set_mode
from tests.plugins.campaigns.test_effect import measured  # noqa: F401  (the fixture: 10 members, cost 2000)
from tests.plugins.reports.html import amount, parse, report_table

FIGURES = {"Response rate": "response_rate", "ROI": "roi", "Won revenue": "won_revenue",
           "Cost per lead": "cost_per_lead", "Members": "members", "Leads generated": "leads"}


def effect_page_figures(client, campaign):
    html = client.get(f"/campaigns/{campaign.id}/effect").get_data(as_text=True)
    table = next(t for t in parse(html).tables if any("data-figure" in r["attrs"] for r in t["body"]))
    return {r["attrs"]["data-figure"]: amount(r["cells"][1]) for r in table["body"]}


def test_campaign_effect_report_page_and_csv_show_the_rates_of_the_campaign_page(
        app, school, clients, measured):  # noqa: F811
    set_mode("read", family="lead")
    client = clients["owner"]
    page = effect_page_figures(client, measured)
    assert page["response_rate"] and page["roi"]           # the figures exist (50.0 % and 275.0 %)

    headers, rows, _totals = report_table(client.get("/reports/run/campaigns.effect").get_data(as_text=True))
    shown = dict(zip(headers, next(r for r in rows if r[0] == measured.name)))
    expected = {key: page[key] for key in FIGURES.values()}
    assert {key: amount(shown[label]) for label, key in FIGURES.items()} == expected

    text = client.get("/reports/run/campaigns.effect?format=csv").get_data(as_text=True)
    table = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    in_csv = dict(zip(table[0], next(r for r in table if r[0] == measured.name)))
    assert {key: amount(in_csv[label]) for label, key in FIGURES.items()} == expected
