"""How many SQL statements a salesperson's pages run, counted as they execute (bench.querylog), once the
process's settings cache (core.stamp) is warm: the fixed cost of a page — the stamp, the session, the unread
count, read together — plus the page's own queries. A regression that puts a query back into every request (a menu hook,
the organisation, the sharing modes, a per-row lookup) breaks these numbers."""
import pytest

from bench.querylog import capture
from core.db import db
from tests.core.access.helpers import make_record

# measured when written (before this issue: list 16, calendar 23, campaigns 13, service 23 on the bench data);
# each is the page's own queries plus 2 per request (the stamp; the session with its user and unread count)
MOST = {
    "/healthz": 2,  # the stamp and the session (an anonymous request: the stamp only)
    "/records/opportunity/": 4,  # the capped count, the page, the linked accounts' readability
    "/records/opportunity/{id}": 12,  # lines, competitors, stage history, documents, events, tasks, audit, the
    # sales panel (one query for quotes, orders and invoices), the campaign source (was 21 before the detail work)
    "/forecast/my": 8,
    "/calendar/": 14,  # every plugin's calendar items
    "/campaigns/": 4,
    "/service/": 7,  # the page and one count per kind for the three tabs
}


@pytest.fixture
def salesperson(app, school, login):
    for i in range(3):  # several rows: a per-row query would show as more statements
        record = make_record("opportunity", school["alice"], f"mine-{i}")
        make_record("account", school["alice"], f"mine-{i}")
    return login(app.test_client(), school["alice"]), record


def statements(client, url):
    client.get(url)  # warm: templates compiled, the settings cache filled
    with capture(db) as executed:
        response = client.get(url)
    assert response.status_code == 200, url
    return executed


@pytest.mark.parametrize("url", list(MOST))
def test_a_salesperson_page_runs_at_most_its_measured_statements(salesperson, url):
    client, record = salesperson
    executed = statements(client, url.format(id=record.id))
    assert len(executed) <= MOST[url], "\n".join(sql for sql, _params in executed)


def test_no_menu_or_header_queries_the_positions_or_the_settings_on_a_warm_page(salesperson):
    client, _record = salesperson
    executed = [sql for sql, _params in statements(client, "/campaigns/")]
    for table in ("position", "organisation", "sharing_mode", "sales_stage", "classroom_class_module"):
        assert not [sql for sql in executed if f'FROM "{table}"' in sql or f"FROM `{table}`" in sql], table
