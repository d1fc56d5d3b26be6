"""No 500 from numbers (issue 15, item 14): every route with an integer in its path and every page that reads
?page=, ?year= or ?fy= answers a huge, negative or non-numeric value with 404 or 400 and a reason, on
every database (PostgreSQL and MariaDB refuse ids beyond 64 bits with an error of their own)."""
import re

import pytest
from werkzeug.routing import IntegerConverter

HUGE = str(2 ** 70)
BIGINT = str(2 ** 63)          # one past the largest BIGINT
INT32 = str(2 ** 31)           # one past the largest INTEGER (PostgreSQL's serial ids)
NUMBER_PARAMS = ("page", "year", "fy", "month", "week", "quarter")


@pytest.fixture
def app(make_app):
    """The error pages as a visitor gets them (a 500 is answered, not raised into the test)."""
    app = make_app(PROPAGATE_EXCEPTIONS=False)
    with app.app_context():
        yield app


@pytest.fixture
def zh_school(make_school):
    return make_school(language="zh")


def _id_routes(app):
    """(rule, methods) for every rule with an int converter; each int argument gets the probed value."""
    for rule in app.url_map.iter_rules():
        ints = [name for name, conv in rule._converters.items() if isinstance(conv, IntegerConverter)]
        if ints:
            yield rule, ints


def _url(rule, ints, value):
    url = rule.rule
    for name, conv in rule._converters.items():
        replacement = value if name in ints else "x"
        url = re.sub(r"<[^>]*\b%s>" % re.escape(name), replacement, url)
    return url


@pytest.mark.parametrize("value", [HUGE, BIGINT, INT32])
def test_huge_ids_in_paths_answer_404_not_500(app, client, login, zh_school, value):
    login(client, zh_school["admin"])
    seen = 0
    for rule, ints in _id_routes(app):
        for method in sorted(rule.methods & {"GET", "POST"}):
            resp = client.open(_url(rule, ints, value), method=method)
            assert resp.status_code in (400, 403, 404, 405, 409), (rule.rule, method, resp.status_code)
            seen += 1
    assert seen > 30


def _pages(app):
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and not rule.arguments and "static" not in rule.endpoint:
            yield rule.rule


@pytest.mark.parametrize("value", [HUGE, BIGINT, "-3", "abc"])
def test_out_of_range_page_and_year_parameters_never_answer_500(app, client, login, zh_school, value):
    login(client, zh_school["admin"])
    failures = []
    for url in _pages(app):
        for name in NUMBER_PARAMS:
            resp = client.get(url, query_string={name: value})
            if resp.status_code >= 500:
                failures.append((url, name, resp.status_code))
    assert failures == []


def test_a_page_number_beyond_any_list_is_a_404_with_the_reason_in_chinese(client, login, zh_school):
    login(client, zh_school["alice"])
    resp = client.get("/records/account/", query_string={"page": HUGE})
    assert resp.status_code == 404
    assert f"这个列表没有第 {HUGE} 页。" in resp.get_data(as_text=True)
    assert client.get("/records/account/", query_string={"page": "-3"}).status_code == 200  # the first page
