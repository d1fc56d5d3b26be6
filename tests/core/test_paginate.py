"""Plugin and admin lists (core.web.paginate) count as the record lists do: exact up to LIST_COUNT_CAP, then
"more than N" with a link to count exactly; the pages still walk to the end, a page past it is a 404, and
both languages say so — shown on the administrator's user list."""
import re

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from core.db import db
from tests.core.english import make_app  # noqa: F401  (English default language)

CAP, PAGE_SIZE = 5, 2


@pytest.fixture
def app(make_app):
    app = make_app(plugins=[], LIST_COUNT_CAP=CAP, PAGE_SIZE=PAGE_SIZE)
    with app.app_context():
        yield app


@pytest.fixture
def admin(client, make_user, login):
    login(client, make_user("root", admin=True))
    return client


def names(html):
    return re.findall(r">(pupil\d\d)<", html)


def test_a_list_over_the_cap_says_more_than_and_still_pages_to_its_end(app, admin, make_user):
    with db.atomic():
        for i in range(8):
            make_user(f"pupil{i:02d}")
    first = admin.get("/admin/users?q=pupil").get_data(as_text=True)
    assert "More than 5 in all" in first and "data-action=\"count-exactly\"" in first
    assert names(first) == ["pupil00", "pupil01"]
    seen = []
    for page in range(1, 5):
        html = admin.get(f"/admin/users?q=pupil&page={page}").get_data(as_text=True)
        seen += names(html)
        assert ('rel="next"' in html) == (page < 4), page
    assert seen == [f"pupil{i:02d}" for i in range(8)]
    assert admin.get("/admin/users?q=pupil&page=5").status_code == 404
    exact = admin.get("/admin/users?q=pupil&count=exact").get_data(as_text=True)
    assert "8 in all" in exact and "More than" not in exact
    admin.post("/language/zh")
    assert "超过 5 条" in admin.get("/admin/users?q=pupil").get_data(as_text=True)


def test_a_list_under_the_cap_is_counted_exactly(app, admin, make_user):
    with db.atomic():
        for i in range(CAP - 1):
            make_user(f"pupil{i:02d}")
    html = admin.get("/admin/users?q=pupil").get_data(as_text=True)
    assert f"{CAP - 1} in all" in html and "More than" not in html and "count-exactly" not in html


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=st.dictionaries(st.sampled_from(["figure", "scope", "id", "quarter", "q", "é"]),
                             st.one_of(st.none(), st.integers(-10**6, 10**12), st.text(max_size=12))))
def test_a_query_link_is_the_address_url_for_builds(make_app, query):
    """core.web.query_link (one url_for per endpoint and request, the query encoded as Werkzeug does) gives the
    address Flask's url_for gives, for any values: text with &, =, #, spaces, Chinese, numbers, None."""
    from flask import url_for

    from core.web import query_link
    app = make_app(plugins=["forecast"])
    with app.test_request_context("/"):
        assert query_link("forecast.figure", **query) == url_for("forecast.figure", **query)
        assert query_link("main.notifications") == url_for("main.notifications")
