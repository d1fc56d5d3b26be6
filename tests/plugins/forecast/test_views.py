"""The forecast pages through HTTP: who sees whose figures, quotas, commits, CSV, and switched off."""
import datetime as dt
import re
from decimal import Decimal

import pytest

from core import fiscal
from core.models import AuditEntry, Opportunity
from plugins.forecast import services
from plugins.forecast.models import Commit, Quota
from tests.plugins.forecast.conftest import stage

Q2 = fiscal.Quarter(2026, 2, 1)
KEY = Q2.key


@pytest.fixture
def as_user(fc_client, login):
    def do(user):
        login(fc_client, user)
        return fc_client
    return do


def test_my_forecast_shows_figures_and_definitions(school, opp, as_user, frozen_clock):
    alice = school["alice"]
    opp(alice, "1000", "Closed Won", name="Won deal")
    services.set_quota(school["teacher"], alice, Q2, Decimal("4000"))
    html = as_user(alice).get("/forecast/my").get_data(as_text=True)
    assert "25.0%" in html and "FY2026 Q2" in html
    assert "How the figures are made" in html and "<svg" in html


def test_figure_page_shows_arithmetic_and_the_opportunities(school, opp, as_user, frozen_clock):
    alice = school["alice"]
    opp(alice, "1000", "Closed Won", name="Won deal")
    opp(alice, "2000", "Proposal", probability=60, name="Open deal")
    opp(alice, "50", "Closed Lost", name="Lost deal")
    client = as_user(alice)
    html = client.get(f"/forecast/figure?figure=expected&scope=user&id={alice.id}&quarter={KEY}").get_data(
        as_text=True).replace("CN¥", "¥")
    formula = html.replace("<span data-weighted>", "").replace("</span>", "")
    assert "¥1,000.00 + ¥1,200.00 = ¥2,200.00" in formula
    assert "Won deal" in html and "Open deal" in html and "Lost deal" not in html
    html = client.get(f"/forecast/figure?figure=attainment&scope=user&id={alice.id}&quarter={KEY}").get_data(
        as_text=True)
    assert "no quota set" in html
    csv = client.get(f"/forecast/figure?figure=best&scope=user&id={alice.id}&quarter={KEY}&format=csv")
    assert csv.mimetype == "text/csv" and "Open deal" in csv.get_data(as_text=True)


def test_viewer_never_sees_figures_outside_their_subtree(school, opp, as_user, frozen_clock):
    p = school["positions"]
    opp(school["carol"], "7770777.77", "Closed Won", name="Carol secret")
    opp(school["alice"], "111", "Closed Won", name="Alice deal")
    client = as_user(school["manager_a"])
    # carol is in class B: not below manager A
    assert client.get(f"/forecast/my?user={school['carol'].id}").status_code == 404
    assert client.get(f"/forecast/figure?figure=closed&scope=user&id={school['carol'].id}").status_code == 404
    assert client.get(f"/forecast/figure?figure=closed&scope=position&id={p['sales_b'].id}").status_code == 404
    assert client.get(f"/forecast/team?position={p['class_a'].id}").status_code == 404   # above manager A
    team_html = client.get(f"/forecast/team?quarter={KEY}").get_data(as_text=True)
    assert "Carol" not in team_html and "7,770,777" not in team_html and "7770777" not in team_html
    assert ">111.00<" in team_html and "Amounts in CN¥" in team_html
    total = client.get(f"/forecast/figure?figure=closed&scope=team&quarter={KEY}").get_data(as_text=True)
    assert "Alice deal" in total and "Carol secret" not in total
    # a peer in the same position sees neither the other's page nor their figures
    bob = as_user(school["bob"])
    assert bob.get(f"/forecast/my?user={school['alice'].id}").status_code == 404
    assert bob.get(f"/forecast/figure?figure=closed&scope=user&id={school['alice'].id}").status_code == 404
    # his own position as a scope means his own team: himself, never the peer beside him
    own = bob.get(f"/forecast/figure?figure=closed&scope=position&id={p['sales_a'].id}&quarter={KEY}")
    assert own.status_code == 200 and "Alice deal" not in own.get_data(as_text=True)
    # a subordinate cannot look up; an outsider sees nothing of the school
    alice = as_user(school["alice"])
    assert alice.get(f"/forecast/my?user={school['manager_a'].id}").status_code == 404
    outsider = as_user(school["outsider"])
    assert outsider.get(f"/forecast/my?user={school['alice'].id}").status_code == 404
    assert "Alice" not in outsider.get("/forecast/team").get_data(as_text=True)


def test_teacher_sees_whole_school_by_class_and_department(school, opp, as_user, frozen_clock):
    p = school["positions"]
    opp(school["alice"], "100", "Closed Won")
    opp(school["carol"], "200", "Closed Won")
    client = as_user(school["teacher"])
    html = client.get(f"/forecast/team?quarter={KEY}").get_data(as_text=True)
    for name in ("Class A", "Class B", "Dept A", "Dept B"):
        assert name in html
    assert f'data-row="position-{p["class_a"].id}"' in html
    drill = client.get(f"/forecast/team?position={p['sales_a'].id}&quarter={KEY}").get_data(as_text=True)
    assert "Alice" in drill and "Bob" in drill and "Carol" not in drill
    csv = client.get(f"/forecast/team?quarter={KEY}&format=csv").get_data(as_text=True)
    assert "Class A" in csv and "300.00" in csv.splitlines()[-1]


def test_admin_sees_any_team(school, opp, as_user, frozen_clock):
    p = school["positions"]
    opp(school["carol"], "200", "Closed Won")
    client = as_user(school["admin"])
    assert client.get(f"/forecast/team?position={p['sales_b'].id}&quarter={KEY}").status_code == 200
    assert client.get(f"/forecast/my?user={school['carol'].id}").status_code == 200


def _post_quota(client, user, value, quarter=KEY):
    return client.post(f"/forecast/quotas?quarter={quarter}", data={f"quota-{user.id}": value})


def test_quota_permissions_self_peer_superior(school, as_user, frozen_clock):
    alice, bob = school["alice"], school["bob"]
    # self: the own row is not in the grid, and a forged field changes nothing
    client = as_user(alice)
    _post_quota(client, alice, "999")
    assert not Quota.select().exists()
    assert "cannot change it" in client.get("/forecast/quotas").get_data(as_text=True)
    # peer in the same position cannot
    _post_quota(client, bob, "999")
    assert not Quota.select().exists()
    # subordinate cannot set the superior's
    _post_quota(client, school["manager_a"], "999")
    assert not Quota.select().exists()
    # another class's manager cannot
    _post_quota(as_user(school["manager_b"]), alice, "999")
    assert not Quota.select().exists()
    # the superior can, and it is audited
    _post_quota(as_user(school["manager_a"]), alice, "5000")
    assert Quota.get().amount == Decimal("5000.00")
    entry = AuditEntry.get(AuditEntry.record_type == "forecast_quota")
    assert entry.user_id == school["manager_a"].id and '"5000.00"' in entry.changes
    # the admin can, even from outside the tree
    _post_quota(as_user(school["admin"]), alice, "6000")
    assert Quota.get().amount == Decimal("6000.00")
    with pytest.raises(PermissionError):
        services.set_quota(alice, alice, Q2, Decimal(1))


def test_quota_validation_saves_nothing_on_error(school, as_user, frozen_clock):
    client = as_user(school["teacher"])
    resp = client.post(f"/forecast/quotas?quarter={KEY}", data={f"quota-{school['alice'].id}": "100",
                                                                f"quota-{school['bob'].id}": "-5"})
    assert resp.status_code == 200 and "at most two decimals" in resp.get_data(as_text=True)
    assert not Quota.select().exists()
    for bad in ("abc", "1.234", "1e30", "NaN"):
        _post_quota(client, school["bob"], bad)
    assert not Quota.select().exists()
    _post_quota(client, school["bob"], "1,200.50")
    assert Quota.get().amount == Decimal("1200.50")
    _post_quota(client, school["bob"], "")      # blank removes
    assert not Quota.select().exists()


def test_copy_last_quarter_fills_only_missing(school, as_user, frozen_clock):
    teacher = school["teacher"]
    services.set_quota(teacher, school["alice"], Q2.previous(), Decimal("100"))
    services.set_quota(teacher, school["bob"], Q2.previous(), Decimal("200"))
    services.set_quota(teacher, school["bob"], Q2, Decimal("999"))
    as_user(teacher).post(f"/forecast/quotas/copy?quarter={KEY}")
    now = services.quotas_for(None, Q2)
    assert now[school["alice"].id] == Decimal("100") and now[school["bob"].id] == Decimal("999")
    # a salesperson copying changes nothing (nobody below them)
    services.set_quota(teacher, school["carol"], Q2.previous(), Decimal("300"))
    as_user(school["alice"]).post(f"/forecast/quotas/copy?quarter={KEY}")
    assert school["carol"].id not in services.quotas_for(None, Q2)


def test_commit_history_and_manager_adjustment(school, opp, as_user, frozen_clock):
    alice = school["alice"]
    client = as_user(alice)
    client.post("/forecast/commit", data={"quarter": KEY, "kind": "own", "likely": "1000", "best": "1500",
                                          "comment": "first"})
    client.post("/forecast/commit", data={"quarter": KEY, "kind": "own", "likely": "1200", "best": "1600"})
    assert Commit.select().count() == 2
    # best below likely is refused; a salesperson cannot submit a team figure
    client.post("/forecast/commit", data={"quarter": KEY, "kind": "own", "likely": "900", "best": "100"})
    client.post("/forecast/commit", data={"quarter": KEY, "kind": "team", "likely": "1", "best": "2"})
    assert Commit.select().count() == 2
    html = client.get(f"/forecast/my?quarter={KEY}").get_data(as_text=True)
    assert "first" in html and "1,200.00" in html
    manager = as_user(school["manager_a"])
    team = manager.get(f"/forecast/team?position={school['positions']['sales_a'].id}&quarter={KEY}")
    assert "1,200.00 / 1,600.00" in team.get_data(as_text=True)
    manager.post("/forecast/commit", data={"quarter": KEY, "kind": "team", "likely": "5000", "best": "8000"})
    assert Commit.get(Commit.kind == "team").owner_id == school["manager_a"].id
    teacher_view = as_user(school["teacher"]).get(f"/forecast/team?position={school['positions']['class_a'].id}"
                                                  f"&quarter={KEY}").get_data(as_text=True)
    assert "5,000.00 / 8,000.00" in teacher_view
    # a peer does not see alice's history
    assert "first" not in as_user(school["bob"]).get(f"/forecast/my?quarter={KEY}").get_data(as_text=True)


def test_widget_and_menu(school, opp, as_user, frozen_clock):
    services.set_quota(school["teacher"], school["alice"], Q2, Decimal("1000"))
    opp(school["alice"], "500", "Closed Won")
    html = as_user(school["alice"]).get("/").get_data(as_text=True)
    assert 'data-widget="forecast"' in html and "50.0%" in html
    assert "data-forecast-widget>" in html and "&lt;table" not in html  # the widget is HTML, not escaped text
    assert 'data-menu="forecast-team"' not in html
    assert 'data-menu="forecast-team"' in as_user(school["teacher"]).get("/").get_data(as_text=True)


def test_quarter_picker_and_bad_values(school, as_user, frozen_clock):
    client = as_user(school["alice"])
    assert client.get("/forecast/my?quarter=FY2025-Q4").status_code == 200
    assert client.get("/forecast/my?quarter=nonsense").status_code == 200       # falls back to current
    assert client.get("/forecast/figure?figure=nope").status_code == 404
    assert client.get("/forecast/figure?figure=closed&scope=user&id=abc").status_code == 404
    assert client.get("/forecast/team").status_code == 200                      # empty state, no team
    assert client.get("/forecast/my?format=csv").mimetype == "text/csv"
    assert client.get("/forecast/quotas?format=csv").mimetype == "text/csv"


def test_plugin_switched_off_cleanly(make_app, make_user, login):
    app = make_app(plugins=[])
    with app.app_context():
        user = make_user("dora")
        client = app.test_client()
        login(client, user)
        home = client.get("/")
        assert home.status_code == 200 and "forecast" not in home.get_data(as_text=True)
        assert client.get("/forecast/my").status_code == 404
        assert client.get("/forecast/team").status_code == 404
        assert not any(j.id.startswith("forecast") for j in app.extensions["zhixin_plugins"].gather("zhixin_jobs"))
        assert not app.extensions["zhixin_plugins"].gather("zhixin_reports")


def test_chart_labels_are_escaped(school, as_user, frozen_clock):
    from core.models import Position
    Position.update(name="<script>alert(1)</script>").where(Position.id == school["positions"]["class_a"].id).execute()
    html = as_user(school["teacher"]).get("/forecast/team").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


def test_closing_an_opportunity_changes_attainment(school, opp, frozen_clock):
    alice = school["alice"]
    services.set_quota(school["teacher"], alice, Q2, Decimal("1000"))
    o = opp(alice, "250", "Negotiation", probability=80)
    assert services.user_figures(alice, alice, Q2).attainment == 0
    Opportunity.update(stage=stage("Closed Won").id, probability=100).where(Opportunity.id == o.id).execute()
    assert services.user_figures(alice, alice, Q2).attainment == Decimal("25.0")
    assert services.team(school["teacher"], Q2).total.closed == Decimal("250")


def test_opportunities_list_follows_access(school, opp, frozen_clock):
    """The list behind a figure goes through core.access.visible: an admin-less peer scope is empty."""
    opp(school["alice"], "1", "Closed Won")
    users_query = services.scope_users(school["alice"], "user", school["alice"].id)[0]
    assert services.opportunities(school["bob"], users_query, Q2, "closed").count() == 0
    assert services.opportunities(school["alice"], users_query, Q2, "closed").count() == 1


def test_frozen_date_is_in_q2(frozen_clock):
    assert frozen_clock(dt.datetime(2026, 5, 15, 2, 0)).month == 5


def test_team_amounts_are_core_money_text_without_the_currency_the_caption_names(school, fc_app):
    from core.templating import money
    from plugins.forecast.views import amount_formatter, currency_symbol
    for lang in ("en", "zh"):
        with fc_app.test_request_context("/", headers={"Accept-Language": lang}):
            from flask import g
            from core.models import Organisation
            g.org = Organisation.get_profile()
            fmt, symbol = amount_formatter(), currency_symbol()
            for value in (Decimal("0"), Decimal("-1234.5"), Decimal("12345678.91")):
                assert fmt(value) == money(value).replace(symbol, "")


def test_pages_in_chinese(school, opp, as_user, frozen_clock):
    from flask_babel import get_domain
    from core.models import User
    # Flask-Babel caches merged catalogs per locale on a domain all test apps share: an earlier test's app
    # (say, with this plugin off) would otherwise decide which catalogs this one sees.
    get_domain().cache.clear()
    User.update(language="zh").where(User.id == school["teacher"].id).execute()
    opp(school["alice"], "100", "Closed Won")
    client = as_user(school["teacher"])
    team = client.get("/forecast/team").get_data(as_text=True)
    for text in ("团队销售预期", "定额百分比", "已完成额", "预期总收入", "最佳总收入", "2026财年第2季度", "数字是怎样算出来的"):
        assert text in team
    figure = client.get("/forecast/figure?figure=best&scope=team").get_data(as_text=True)
    assert "计算过程" in figure and "背后的销售机会" in figure
    assert "个人配额" in client.get("/forecast/quotas").get_data(as_text=True)


def test_every_table_exports_csv(school, opp, as_user, frozen_clock):
    alice = school["alice"]
    services.set_quota(school["teacher"], alice, Q2, Decimal("1000"))
    client = as_user(alice)
    client.post("/forecast/commit", data={"quarter": KEY, "kind": "own", "likely": "10", "best": "20",
                                          "comment": "=HYPERLINK(\"x\")"})
    commits = client.get(f"/forecast/my?quarter={KEY}&format=csv&table=commits").get_data(as_text=True)
    assert "10.00" in commits and "'=HYPERLINK" in commits          # formula injection neutralised
    quota = as_user(school["teacher"]).get(f"/forecast/figure?figure=quota&scope=team&quarter={KEY}&format=csv")
    assert "Alice" in quota.get_data(as_text=True) and "1000.00" in quota.get_data(as_text=True)
    trend = client.get(f"/forecast/my?quarter={KEY}&format=csv").get_data(as_text=True)
    assert trend.startswith("\ufeff") and len(trend.strip().splitlines()) == 5


@pytest.mark.parametrize("mode", ["private", "read", "readwrite", "readwritedelete"])
def test_figures_stay_in_the_subtree_in_every_sharing_mode(school, opp, as_user, frozen_clock, mode):
    """A wider opportunity sharing mode lets peers open each other's opportunities, but a forecast is about
    the people below you: peers, other classes and outsiders never get each other's figures."""
    from core.models import SharingMode
    SharingMode.delete().where(SharingMode.family == "opportunity").execute()
    SharingMode.create(family="opportunity", mode=mode)
    p = school["positions"]
    opp(school["alice"], "4242.42", "Closed Won", name="Alice deal")
    opp(school["carol"], "9191.91", "Closed Won", name="Carol deal")
    deals = {"alice": ("Alice deal", "4,242.42"), "carol": ("Carol deal", "9,191.91")}
    for viewer, other, unseen in (("bob", "alice", ["alice"]), ("manager_a", "carol", ["carol"]),
                                  ("outsider", "alice", ["alice", "carol"]), ("alice", "bob", ["carol"])):
        client = as_user(school[viewer])
        assert client.get(f"/forecast/my?user={school[other].id}").status_code == 404
        assert client.get(f"/forecast/figure?figure=closed&scope=user&id={school[other].id}").status_code == 404
        for page in ("/forecast/my", "/forecast/team", f"/forecast/figure?figure=closed&scope=team&quarter={KEY}"):
            html = client.get(page).get_data(as_text=True)
            for owner in unseen:
                name, amount = deals[owner]
                assert name not in html and amount not in html, (viewer, page, owner)
    teacher = as_user(school["teacher"])
    assert teacher.get(f"/forecast/figure?figure=closed&scope=position&id={p['sales_b'].id}&quarter={KEY}") \
        .status_code == 200
    admin = as_user(school["admin"]).get(f"/forecast/figure?figure=closed&scope=team&quarter={KEY}")
    assert "Alice deal" in admin.get_data(as_text=True) and "Carol deal" in admin.get_data(as_text=True)


def test_quota_grid_narrows_to_a_team(school, as_user, frozen_clock):
    p = school["positions"]
    client = as_user(school["teacher"])
    html = client.get(f"/forecast/quotas?position={p['class_b'].id}").get_data(as_text=True)
    assert f'name="quota-{school["carol"].id}"' in html and f'name="quota-{school["alice"].id}"' not in html
    assert f'name="quota-{school["lead_b"].id}"' in html
    # saving the narrowed grid leaves the others alone
    client.post(f"/forecast/quotas?quarter={KEY}&position={p['class_b'].id}",
                data={f"quota-{school['carol'].id}": "10", f"quota-{school['alice'].id}": "20"})
    assert set(services.quotas_for(None, Q2)) == {school["carol"].id}
    # a manager cannot narrow to another class
    assert as_user(school["manager_a"]).get(f"/forecast/quotas?position={p['class_b'].id}").status_code == 404


def test_team_fiscal_year_by_quarter(school, opp, as_user, frozen_clock):
    p = school["positions"]
    opp(school["alice"], "100", "Closed Won", close_date=dt.date(2026, 2, 1))
    opp(school["carol"], "200", "Closed Won", close_date=dt.date(2026, 8, 1))
    services.set_quota(school["teacher"], school["alice"], Q2, Decimal("1000"))
    teacher = as_user(school["teacher"])
    csv = teacher.get(f"/forecast/team/year?quarter={KEY}&format=csv").get_data(as_text=True).splitlines()
    rows = [line.split(",") for line in csv[1:]]          # quarter, first day, last day, quota, closed, …
    assert [r[4] for r in rows] == ["100.00", "0.00", "200.00", "0.00"]
    assert [r[3] for r in rows] == ["", "1000.00", "", ""]
    narrowed = teacher.get(f"/forecast/team/year?quarter={KEY}&position={p['class_a'].id}&format=csv")
    assert [line.split(",")[4] for line in narrowed.get_data(as_text=True).splitlines()[1:]] == [
        "100.00", "0.00", "0.00", "0.00"]                 # carol (class B) is not in class A
    assert "<svg" in teacher.get("/forecast/team/year").get_data(as_text=True)
    manager = as_user(school["manager_a"])
    assert manager.get(f"/forecast/team/year?position={p['class_b'].id}").status_code == 404
    assert as_user(school["alice"]).get("/forecast/team/year").status_code == 404


BREADCRUMB = re.compile(r'<nav class="breadcrumb"[^>]*>(.*?)</nav>', re.S)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_forecast_breadcrumbs_carry_no_separator_of_their_own(school, opp, as_user, frozen_clock, lang):
    """The theme draws the separators between breadcrumb links; a page writing its own ("首页 › /") shows
    two."""
    frozen_clock(dt.datetime(2026, 5, 15, 2, 0))
    opp(school["alice"], "100", "Proposal")
    client = as_user(school["teacher"])
    pages = ["/forecast/team", "/forecast/quotas", "/forecast/team/year",
             f"/forecast/figure?figure=expected&scope=team&quarter={KEY}"]
    for url in pages:
        html = client.get(url, headers={"Accept-Language": lang}).get_data(as_text=True)
        (crumbs,) = BREADCRUMB.findall(html)  # each of these pages has one
        between = re.sub(r"<(a|span)\b[^>]*>.*?</\1>", "", crumbs, flags=re.S)
        assert between.strip() == "", (url, between)
