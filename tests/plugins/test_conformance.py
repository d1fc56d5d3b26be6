"""Every installed plugin — the five bundled ones and the example exercise plugin — keeps the platform's
contract: it registers, its migrations have run (its tables exist), its record types get list, detail and CSV
and refuse an outsider, and switching it off (globally, or for one class through modules per class) makes
every one of its URLs answer 404 and removes every link to it from what that class sees. Runs on whichever
database ZHIXIN_TEST_DATABASE_URL names (SQLite by default)."""
import os
import random
import re
import sys

import pytest
from werkzeug.routing import AnyConverter, IntegerConverter

from core import access
from core.classroom import exercises as ex, modules
from core.db import db
from core.plugins import call_impl, plugin_of_endpoint, plugin_of_path
from tests.conftest import BUNDLED

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "examples", "exercise-plugin"))
import zhixin_lab_exercises  # noqa: E402  (the example plugin, loaded in-process from its folder)

EXAMPLE = "lab_exercises"
INSTALLED = BUNDLED + [EXAMPLE]
CRAWL_LIMIT = 80  # pages a crawl visits at most
HREF = re.compile(r'(?:href|action|src)="(/[^"#]*)"')


def full_app(make_app):
    return make_app(plugins=INSTALLED, extra_plugins=[zhixin_lab_exercises])


def school(request, make_user):
    """Alice in class A, Bob in class B, Carol in class B's department (Bob's superior), reading English.
    Asked for after the apps are built (building an app the first time in a test empties the database)."""
    positions = request.getfixturevalue("positions")

    def user(name, position):
        return make_user(name, position=positions[position], language="en")
    return {"alice": user("alice", "sales_a"), "bob": user("bob", "sales_b"),
            "carol": user("carol", "dept_b"), "positions": positions}


def load_demo_data(app, users):
    """Every enabled plugin's demo data (core first, dependencies first), as ``zhixin demo`` loads it."""
    plugins = app.extensions["zhixin_plugins"]
    with app.test_request_context():
        for _plugin, impl in plugins.implementations("zhixin_demo_data", registration_order=True):
            with db.atomic():
                call_impl(impl, app=app, users=users, rng=random.Random(7))


def record_types_of(app, plugin):
    owners = app.extensions["zhixin_record_type_plugins"]
    return [rt for name, rt in app.extensions["zhixin_record_types"].items() if owners[name] == plugin]


def _sample_value(converter):
    if isinstance(converter, IntegerConverter):
        return 1
    if isinstance(converter, AnyConverter):
        return next(iter(re.findall(r"\w+", converter.regex)), "x")
    return "x"


def urls_of(app, plugin):
    """``[(method, path)]``: every rule of the URL map that belongs to ``plugin`` (its blueprints), built with
    sample arguments, plus the generic record pages of its record types."""
    out = []
    for rule in app.url_map.iter_rules():
        if plugin_of_endpoint(app, rule.endpoint) != plugin:
            continue
        path = "".join(str(_sample_value(rule._converters[part])) if dynamic else part
                       for dynamic, part in rule._trace)
        path = path.split("|", 1)[1] if "|" in path else path  # the trace starts with the (empty) host
        out.append(("GET" if "GET" in rule.methods else sorted(rule.methods - {"OPTIONS", "HEAD"})[0], path))
    for rt in record_types_of(app, plugin):
        base = f"/records/{rt.name}"
        out += [("GET", f"{base}/"), ("GET", f"{base}/export.csv"), ("GET", f"{base}/1"), ("GET", f"{base}/new"),
                ("POST", f"{base}/new"), ("GET", f"{base}/1/edit"), ("GET", f"{base}/1/delete"),
                ("GET", f"{base}/import"), ("POST", f"{base}/reassign")]
    return out


def crawl(client, limit=CRAWL_LIMIT):
    """GET the dashboard and every page linked from what the user sees (menus included), breadth first;
    returns ``{page: [links on it]}``. Query strings are dropped, logging out and deleting are not followed."""
    seen, queue, links = set(), ["/"], {}
    while queue and len(seen) < limit:
        page = queue.pop(0)
        if page in seen:
            continue
        seen.add(page)
        response = client.get(page)
        if response.status_code != 200 or "html" not in response.content_type:
            continue
        found = HREF.findall(response.get_data(as_text=True))
        links[page] = found
        for link in found:
            path = link.split("?", 1)[0]
            if path not in seen and not re.search(r"logout|delete|/static/|\.csv$|\.ics$", path):
                queue.append(path)
    return links


def links_to(app, plugin, links):
    return sorted({(page, link) for page, found in links.items() for link in found
                   if plugin_of_path(app, link.split("?", 1)[0]) == plugin})


def exercises_of(app, plugin):
    with app.app_context():
        return [e for e in ex.all_exercises(app) if e.plugin == plugin or plugin in e.modules]


@pytest.mark.parametrize("plugin", INSTALLED)
def test_the_plugin_registers_and_its_migrations_have_run(make_app, plugin):
    app = full_app(make_app)
    plugins = app.extensions["zhixin_plugins"]
    assert plugins.is_enabled(plugin) and plugins.available[plugin].enabled
    assert plugin not in plugins.errors
    tables = set(db.get_tables())
    for name, migrations in plugins.results("zhixin_migrations"):
        if name == plugin:
            assert f"{migrations.namespace}_migration" in tables
    for name, model in plugins.results("zhixin_models"):
        if name == plugin:
            assert model._meta.table_name in tables, model
    for rt in record_types_of(app, plugin):
        assert rt.model._meta.table_name in tables
        rt.model.select().count()  # the table has the model's columns


@pytest.mark.parametrize("plugin", INSTALLED)
def test_the_plugins_record_types_get_list_detail_and_csv_and_refuse_an_outsider(make_app, make_user, request,
                                                                                  login, plugin):
    app = full_app(make_app)
    people = school(request, make_user)
    load_demo_data(app, [people["alice"], people["bob"]])
    for rt in record_types_of(app, plugin):
        record = rt.model.select().order_by(rt.model.id).first()
        owner = record.owner if record is not None and rt.owned else people["alice"]
        client = login(app.test_client(), owner)
        assert client.get(f"/records/{rt.name}/").status_code == 200
        export = client.get(f"/records/{rt.name}/export.csv")
        export.get_data()  # a streamed body: read it within the request
        export.close()
        assert export.status_code == 200 and "csv" in export.content_type
        anonymous = app.test_client()
        for path in (f"/records/{rt.name}/", f"/records/{rt.name}/export.csv", f"/records/{rt.name}/1"):
            assert anonymous.get(path).status_code in (302, 401)
        if record is None:  # its demo data makes none for two students (forecast commits need a quota)
            continue
        assert client.get(f"/records/{rt.name}/{record.id}").status_code == 200
        outsider = people["bob"] if owner.id == people["alice"].id else people["alice"]
        with app.test_request_context():
            readable = access.can(outsider, "read", record, rt)
        status = login(app.test_client(), outsider).get(f"/records/{rt.name}/{record.id}").status_code
        assert status == (200 if readable else 404), (rt.name, readable)


@pytest.mark.parametrize("plugin", INSTALLED)
def test_a_plugin_off_for_one_class_answers_404_and_leaves_no_link_for_that_class(make_app, make_user, request,
                                                                                   login, plugin):
    app = full_app(make_app)
    people = school(request, make_user)
    load_demo_data(app, [people["alice"], people["bob"]])
    with app.test_request_context():
        modules.set_classes(plugin, [people["positions"]["class_b"].id])
    alice = login(app.test_client(), people["alice"])
    answers = {(method, path): alice.open(path, method=method).status_code for method, path in urls_of(app, plugin)}
    assert {url: status for url, status in answers.items() if status != 404} == {}
    assert links_to(app, plugin, crawl(alice)) == []
    with app.test_request_context():
        theirs = {e.id for e in exercises_of(app, plugin)}
        assert not theirs & {e.id for e in ex.available_for(people["alice"], app)}
        if theirs:
            assert theirs <= {e.id for e in ex.available_for(people["bob"], app)}
    bob = login(app.test_client(), people["bob"])
    pages = [path for method, path in urls_of(app, plugin) if method == "GET" and path.endswith("/")]
    if pages:  # the class it stays on for still has it, and the same crawl finds links to it there
        assert any(bob.get(path).status_code == 200 for path in pages)
        assert links_to(app, plugin, crawl(bob, limit=20))


@pytest.mark.parametrize("plugin", INSTALLED)
def test_a_plugin_switched_off_globally_answers_404_and_leaves_no_link(make_app, make_user, request, login,
                                                                        plugin):
    app = full_app(make_app)
    theirs = urls_of(app, plugin)
    without = make_app(plugins=[p for p in INSTALLED if p != plugin], extra_plugins=[zhixin_lab_exercises])
    assert not without.extensions["zhixin_plugins"].is_enabled(plugin)
    people = school(request, make_user)
    load_demo_data(without, [people["alice"], people["bob"]])
    alice = login(without.test_client(), people["alice"])
    answers = {(method, path): alice.open(path, method=method).status_code for method, path in theirs}
    assert {url: status for url, status in answers.items() if status != 404} == {}
    assert links_to(app, plugin, crawl(alice)) == []
    with without.test_request_context():
        assert not {e.id for e in exercises_of(app, plugin)} & {e.id for e in ex.available_for(people["alice"],
                                                                                                without)}
