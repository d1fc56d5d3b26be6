"""`zhixin demo` for a newcomer: the password it prints logs in (and a second run prints none and changes
nothing), every login it prints has data in every module, won deals closed by the demo's today and open
ones close after it, the setup checklist is not done while the administrator has its demo credentials, and
the options the README's Quick start names exist, and every class's students have sales documents in each
status for customers of their own class. Logins go through the web login form."""
import re
import sys
import types

import pytest
from click.testing import CliRunner

from core import clock, hookimpl
from core.cli import demo as demo_command
from core.classroom.scope import class_of
from core.cli import main
from core.db import db
from core.demo import load_demo
from core.models import Opportunity, Position, SalesStage, User
from plugins.calendar.models import CalendarEvent, CalendarTask
from plugins.campaigns.models import CampaignTask
from plugins.forecast.models import Quota
from plugins.reports import service as reports
from plugins.sales.models import Invoice, Quote, SalesOrder
from plugins.service.models import ServiceCase
from tests.cli import lands_on, run_cli
from tests.conftest import BUNDLED

README = __file__.rsplit("/tests/", 1)[0] + "/README.md"
LOGIN_LINE = re.compile(r"^  (\S+)\s+(\S+)$", re.M)


@pytest.fixture
def zhixin(make_app, database_url, tmp_path):
    """``zhixin(args, plugins=…)`` runs the command line on the emptied test database; returns its output."""
    make_app(plugins=[])
    if not db.is_closed():
        db.close()

    def run(args, plugins=""):
        result = run_cli(args, database_url, tmp_path / "cli", ZHIXIN_PLUGINS=plugins)
        assert result.exit_code == 0, result.output
        return result.output
    return run


def logins(output):
    """The (username, position) rows printed under "Demo logins"."""
    listed = output.split("Demo logins", 1)[1].split("\n\n", 1)[0]
    return LOGIN_LINE.findall(listed)


def test_the_printed_demo_password_logs_in_and_a_second_run_prints_none_and_keeps_it(make_app, zhixin):
    first = zhixin(["demo", "--no-run"])
    password = re.search(r"Demo logins \(password for all: (\S+)\)", first).group(1)
    app = make_app(plugins=[])  # the same database, not emptied again in this test
    assert lands_on(app, "teacher", password) == "/"
    second = zhixin(["demo", "--no-run"])
    assert "Demo data exists already." in second and "password unchanged" in second
    assert "password for all" not in second
    assert logins(second) == logins(first)
    assert lands_on(app, "teacher", password) == "/"


def _has_data_in_every_module(user, today):
    """{module: whether ``user`` has its demo data there} for core and every bundled plugin."""
    won = (Opportunity.select().join(SalesStage)
           .where((Opportunity.owner == user) & SalesStage.is_won & (Opportunity.close_date <= today)))
    return {"core": won.exists(),
            "calendar": CalendarTask.select().where(CalendarTask.owner == user).exists()
            and CalendarEvent.select().where(CalendarEvent.owner == user).exists(),
            "campaigns": CampaignTask.select().where(CampaignTask.owner == user).exists(),
            "forecast": Quota.select().where(Quota.user == user).exists(),
            "reports": reports.readable(user).exists(),
            "service": ServiceCase.select().where(ServiceCase.owner == user).exists(),
            "sales": Quote.select().where(Quote.owner == user).exists()}


def test_every_printed_login_below_the_teacher_has_data_in_every_module(make_app, zhixin, frozen_clock):
    printed = logins(zhixin(["demo", "--no-run", "--demo-password", "Demo-Class-2026"], plugins=",".join(BUNDLED)))
    app = make_app()
    with app.test_request_context(), db.connection_context():
        today = clock.today()
        users = {u.username: u for u in User.select().where(~User.is_admin)}
        assert sorted(name for name, _role in printed) == sorted(users)  # every role, none left out
        missing = {}
        for name, user in users.items():
            if user.position and user.position.parent_id is None:
                continue  # the teacher: a few records of their own, the school's reports
            found = _has_data_in_every_module(user, today)
            assert set(found) == {"core", *BUNDLED}
            missing.update({(name, module): False for module, ok in found.items() if not ok})
    assert missing == {}
    assert lands_on(app, printed[-1][0], "Demo-Class-2026") == "/"


def _sales_of_each_class(today):
    """{class name: what its students' (salespeople, the deepest positions) documents show}, and the documents
    whose customer belongs to another class than their owner."""
    out, crossed = {}, []
    for cls in Position.select().where(Position.depth == 1):
        students = [u for u in User.select().join(Position).where(Position.path.startswith(cls.path)
                                                                  & (Position.depth == 3))]
        ids = [u.id for u in students]
        invoices = list(Invoice.select().where(Invoice.owner.in_(ids)))
        out[cls.name] = {
            "students": len(students),
            "students with a quote": len({q.owner_id for q in Quote.select().where(Quote.owner.in_(ids))}),
            "quote statuses": {q.status for q in Quote.select().where(Quote.owner.in_(ids))},
            "open orders": SalesOrder.select().where(SalesOrder.owner.in_(ids) & (SalesOrder.status == "open"))
            .count() > 0,
            "part paid": any(i.status == "partly_paid" and 0 < i.paid < i.total for i in invoices),
            "overdue": any(i.is_overdue(today) and i.paid == 0 for i in invoices)}
    for model in (Quote, SalesOrder, Invoice):
        for doc in model.select().where(model.account.is_null(False)):
            if class_of(doc.owner) != class_of(doc.account.owner):
                crossed.append(str(doc))
    return out, crossed


def test_every_class_has_its_students_sales_documents_in_every_status(make_app, zhixin, frozen_clock):
    zhixin(["demo", "--no-run"], plugins="sales")
    with make_app(plugins=["sales"]).test_request_context(), db.connection_context():
        classes, crossed = _sales_of_each_class(clock.today())
    assert len(classes) == 2 and crossed == []
    for name, found in classes.items():
        assert found == {"students": 4, "students with a quote": 4,
                         "quote statuses": {"draft", "sent", "accepted", "rejected"},
                         "open orders": True, "part paid": True, "overdue": True}, name


def test_won_deals_of_the_demo_closed_by_its_today_and_open_ones_close_after(make_app, zhixin, frozen_clock):
    zhixin(["demo", "--no-run"])
    with make_app(plugins=[]).app_context(), db.connection_context():
        today = clock.today()
        deals = [(o.stage.is_won or o.stage.is_lost, o.close_date) for o in Opportunity.select().join(SalesStage)]
    assert any(closed for closed, _day in deals) and any(not closed for closed, _day in deals)
    assert [day for closed, day in deals if closed and day > today] == []
    assert [day for closed, day in deals if not closed and day < today] == []


def test_the_checklist_leaves_the_credentials_to_do_while_the_demo_administrator_has_its_demo_ones(make_app,
                                                                                                   zhixin):
    output = zhixin(["demo", "--no-run", "--demo-password", "Demo-Class-2026"])
    password = re.search(r"Password \(shown once\): (\S+)", output).group(1)
    app = make_app(plugins=[])
    with app.app_context():
        client = app.test_client()
        assert client.post("/login", data={"username": "admin", "password": password},
                           follow_redirects=True).request.path == "/account/credentials"
        with db.connection_context():
            assert User.get(User.is_admin).must_change_password  # still the printed one
        page = client.get("/admin/", follow_redirects=True).get_data(as_text=True)
        assert 'data-step="credentials" data-done="yes"' not in page
        changed = client.post("/account/credentials", data={"current_password": password, "username": "principal",
                                                            "password": "Own-Chief-7731", "confirm": "Own-Chief-7731"},
                              follow_redirects=True)
        assert changed.request.path == "/", changed.get_data(as_text=True)[-3000:]
        page = client.get("/admin/", follow_redirects=True)
        assert page.request.path == "/admin/"
        page = page.get_data(as_text=True)
    assert 'data-step="credentials" data-done="yes"' in page


def _slow_plugin(seen):
    """A plugin whose demo data notes what the progress said before its work started."""
    mod = types.ModuleType("zhixin_test_slow_demo")
    mod.NAME, mod.VERSION, mod.REQUIRES, mod.HOOKS = "slow_demo", "1", (), "zhixin_test_slow_demo"

    @hookimpl
    def zhixin_demo_data(app, users, rng):
        seen.append(list(PROGRESS))
    mod.zhixin_demo_data = zhixin_demo_data
    sys.modules[mod.__name__] = mod
    return mod


PROGRESS, SEEN = [], []
SLOW = _slow_plugin(SEEN)


def test_the_demo_names_each_module_before_loading_its_data(make_app):
    app = make_app(plugins=["slow_demo"], extra_plugins=[SLOW])
    PROGRESS.clear(), SEEN.clear()
    load_demo(app, "Demo-Class-2026", progress=PROGRESS.append)
    assert SEEN[0][-1] == "Demo data: slow_demo …"  # said while it ran, not only after
    assert [line for line in PROGRESS if line.startswith("Demo data:")] == [
        "Demo data: core …", "Demo data: slow_demo …"]


def test_the_quick_starts_demo_options_exist():
    quick_start = open(README, encoding="utf-8").read().split("## Quick start", 1)[1].split("\n## ", 1)[0]
    named = set(re.findall(r"`(?:zhixin demo )?(--[a-z-]+)", quick_start))
    assert {"--port", "--host"} <= named
    options = {opt for param in demo_command.params for opt in param.opts}
    assert named - {"--help"} <= options
    help_text = CliRunner().invoke(main, ["demo", "--help"]).output
    assert all(option in help_text for option in named)
