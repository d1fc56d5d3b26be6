"""Wide tables at a 1366 px screen: every column is inside the window, or its box scrolls to show it."""
import pytest

from tests.browser.test_forecast import _log_in_as, _school

# each column's right edge inside the viewport, or the table's own box scrolls sideways to reach it
COLUMNS_REACHABLE = """() => {
  const table = document.querySelector('table[data-team-table]');
  const box = table.closest('.table-wrap') || table;
  const scrolls = box.scrollWidth > box.clientWidth && getComputedStyle(box).overflowX !== 'visible';
  const boxRight = box.getBoundingClientRect().right;
  const cells = [...table.querySelectorAll('thead th')];
  return {pageScrolls: document.documentElement.scrollWidth > window.innerWidth,
          hidden: cells.filter(th => th.getBoundingClientRect().right > Math.min(window.innerWidth, boxRight) + 1
                                     && !scrolls).map(th => th.textContent.trim())};
}"""


@pytest.mark.browser
@pytest.mark.parametrize("language", ["en", "zh"])
def test_team_forecast_table_keeps_every_column_reachable_at_1366_px(live_server, page, make_user, language):
    server = live_server(plugins=["forecast"])
    _school(server, make_user)
    page.set_viewport_size({"width": 1366, "height": 768})
    _log_in_as(page, server, "teacher")
    page.goto(server.url + f"/forecast/team?lang={language}")
    if language == "zh":
        page.click(".lang-switch[data-lang=zh]")
    page.wait_for_selector("table[data-team-table]")
    found = page.evaluate(COLUMNS_REACHABLE)
    assert found == {"pageScrolls": False, "hidden": []}
