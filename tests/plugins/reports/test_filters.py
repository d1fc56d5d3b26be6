"""A report's owner and team filters offer only the people and positions the viewer reaches — the names of the
rest of the school are not on the page — and a team too large to list picks its owner by user name (core's
type-ahead), in both languages."""
import re

from core.db import db
from core.records.lookups import OWNER_SELECT_LIMIT

PAGE = "/reports/run/reports.pipeline_by_owner"


def options(page, name):
    select = re.search(rf'<select class="filter" name="{name}">(.*?)</select>', page, re.S)
    assert select, name
    return [text.strip("— ") for value, text in re.findall(r'<option value="(\d+)"[^>]*>([^<]*)</option>',
                                                             select.group(1))]


def test_a_salesperson_is_offered_only_themselves_and_their_own_position(client, login, world):
    login(client, world.ann)
    page = client.get(PAGE).get_data(as_text=True)
    assert options(page, "owner") == ["Ann (ann)"]
    assert options(page, "team") == ["Sales A"]
    for other in ("Bob", "Amy", "Class B", "Sales B", "Teacher"):  # a peer, the other class, those above
        assert other not in page


def test_a_manager_is_offered_their_team_and_the_admin_everyone(client, login, world):
    login(client, world.manager)
    page = client.get(PAGE).get_data(as_text=True)
    assert sorted(options(page, "owner")) == ["Amy (amy)", "Ann (ann)", "Manager (manager)"]
    assert options(page, "team") == ["Dept A", "Sales A"]
    assert "Bob" not in page and "Class B" not in page
    client.get("/logout")
    login(client, world.admin)
    teams = options(client.get(PAGE).get_data(as_text=True), "team")
    assert teams == ["Teacher", "Class A", "Dept A", "Sales A", "Class B", "Dept B", "Sales B"]


def test_a_large_team_picks_the_owner_by_user_name(app, client, login, world, make_user):
    with db.atomic():
        for i in range(OWNER_SELECT_LIMIT + 1):
            make_user(f"pupil{i:02d}", position=world.positions["sales_b"])
    login(client, world.teacher)
    page = client.get(PAGE).get_data(as_text=True)
    assert 'name="owner_name"' in page and "data-owner-search=" in page
    assert "pupil00" not in page and 'name="owner"' not in page  # nobody listed: the type-ahead asks
    everyone = client.get(PAGE + "?format=csv").get_data(as_text=True)
    bobs = client.get(PAGE + "?format=csv&owner_name=bob").get_data(as_text=True)
    assert "Bob" in everyone and "Ann" in everyone and "Bob" in bobs and "Ann" not in bobs
    shown = client.get(PAGE + f"?owner={world.bob.id}").get_data(as_text=True)
    assert 'value="bob"' in shown  # the filter shows whom it names
    unknown = client.get(PAGE + "?owner_name=nobody")
    assert unknown.status_code == 400 and "Nobody called nobody is in your team." in unknown.get_data(as_text=True)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN"
    assert "您的团队中没有名为 nobody 的人。" in client.get(PAGE + "?owner_name=nobody").get_data(as_text=True)
    login(client, world.manager)  # bob is not in the manager's team: his name is refused, not filtered on
    assert client.get(PAGE + "?owner_name=bob").status_code == 400


def test_a_report_chart_is_drawn_once_for_its_figures_and_again_when_they_change(client, login, world):
    from core import charts
    login(client, world.ann)
    charts.DRAWN.clear()
    first = client.get(PAGE).get_data(as_text=True)
    assert client.get(PAGE).get_data(as_text=True) == first and len(charts.DRAWN) == 1
    world.o4.amount = 123456
    world.o4.save()
    changed = client.get(PAGE).get_data(as_text=True)
    assert len(charts.DRAWN) == 2 and changed != first
    svg = lambda page: page[page.index('<div class="panel" data-chart>'):]  # noqa: E731
    assert svg(changed) != svg(first)  # the bars follow the figures, not the remembered drawing


def test_team_names_are_escaped_and_the_chosen_team_stays_selected(client, login, world):
    from core import positions
    positions.rename(world.positions["dept_b"], "<b>Dept & B</b>")
    login(client, world.admin)
    page = client.get(PAGE + f"?team={world.positions['dept_b'].id}").get_data(as_text=True)
    assert "&lt;b&gt;Dept &amp; B&lt;/b&gt;" in page and "<b>Dept" not in page
    assert f'<option value="{world.positions["dept_b"].id}" selected>' in page
    assert page.count(" selected>") == 1  # only the chosen team (no period, no owner chosen)


def test_an_owner_id_out_of_reach_is_not_named_in_the_type_ahead(client, login, world, make_user):
    with db.atomic():
        for i in range(OWNER_SELECT_LIMIT + 1):
            make_user(f"pupil{i:02d}", position=world.positions["sales_a"])
    login(client, world.manager)  # a large team: the owner filter is the type-ahead
    assert 'value="amy"' in client.get(PAGE + f"?owner={world.amy.id}").get_data(as_text=True)
    page = client.get(PAGE + f"?owner={world.bob.id}").get_data(as_text=True)  # bob: the other class
    assert 'name="owner_name"' in page and 'value="bob"' not in page and "Bob" not in page
