"""Wide tables at a 1366 px screen: the team forecast's nine columns show whole, without scrolling, with every
module's menu beside them and figures in the millions (as the demo school has)."""
import datetime as dt
from decimal import Decimal

import pytest

from tests.browser.test_forecast import _log_in_as, _school

# each header's right edge inside the table's box and the window; neither the box nor the page scrolls
COLUMNS_SHOWN = """() => {
  const table = document.querySelector('table[data-team-table]');
  const box = table.closest('.table-wrap') || table;
  const right = Math.min(window.innerWidth, box.getBoundingClientRect().right) + 1;
  return {pageScrolls: document.documentElement.scrollWidth > window.innerWidth,
          boxScrolls: box.scrollWidth > box.clientWidth + 1,
          hidden: [...table.querySelectorAll('thead th')].filter(th => th.getBoundingClientRect().right > right)
                                                          .map(th => th.textContent.trim())};
}"""


def _millions(server, student_id):
    """A quota, a won deal, an open deal and a submitted forecast in the millions, for the student."""
    from core import clock, fiscal
    from core.models import Opportunity, SalesStage
    from plugins.forecast.models import Commit, Quota
    with server.app.app_context():
        quarter = fiscal.quarter_of(clock.today())
        won = SalesStage.get(SalesStage.is_won == True)  # noqa: E712
        Opportunity.create(name="Fleet", owner=student_id, amount=Decimal("1308004.00"), stage=won.id,
                           probability=100, close_date=clock.today())
        Opportunity.update(amount=Decimal("2098564.55")).execute()
        Quota.create(user=student_id, quarter_start=quarter.start, amount=Decimal("1050000.00"))
        Commit.create(owner=student_id, quarter_start=quarter.start, likely=Decimal("1605952.00"),
                      best=Decimal("2098564.00"), created_at=dt.datetime(2026, 5, 1))


@pytest.mark.browser
@pytest.mark.parametrize("language", ["en", "zh"])
def test_team_forecast_table_shows_every_column_at_1366_px(live_server, page, make_user, language):
    server = live_server()  # every bundled plugin: the whole menu beside the table
    student_id = _school(server, make_user)[0]
    _millions(server, student_id)
    page.set_viewport_size({"width": 1366, "height": 768})
    _log_in_as(page, server, "teacher")
    if language == "zh":
        page.click(".lang-switch[data-lang=zh]")
    page.goto(server.url + "/forecast/team")
    page.wait_for_selector("table[data-team-table] tfoot")
    assert page.evaluate(COLUMNS_SHOWN) == {"pageScrolls": False, "boxScrolls": False, "hidden": []}
