"""Meta-test of the hook specs: every hook is documented, and an in-process plugin proves each one fires."""
import datetime as dt
import inspect

import pluggy
import pytest
from click.testing import CliRunner

from core import hookimpl, hookspecs
from tests.core import hook_plugin
from tests.core.english import fresh
from tests.core.hook_plugin import CALLS, HookThing

SPECS = sorted(name for name, fn in vars(hookspecs).items() if name.startswith("zhixin_") and callable(fn))


def called(hook):
    """What the test plugin recorded for ``hook`` (its full name, so tests/core/test_hook_docs.py finds it)."""
    hook = hook.removeprefix("zhixin_")
    return [detail for name, detail in CALLS if name == hook]


@pytest.fixture(scope="module", autouse=True)
def _no_hooktest_tables_after(database_url):
    """The test plugin's tables (and its migration history) go with this module: a later test that lists the
    schema's tables (class reset, backup and restore) would find them otherwise. Its apps are forgotten too,
    so that a later use builds and migrates them again."""
    yield
    from core.db import db
    from tests.conftest import _APPS
    for key in [key for key, (_app, _config, extra) in _APPS.items() if hook_plugin in extra]:
        del _APPS[key]
    with db.connection_context():
        for table in sorted((t for t in db.get_tables() if t.startswith("hooktest_")), key=len, reverse=True):
            db.execute_sql(f"DROP TABLE IF EXISTS {table}")  # longest first: the search table before its record's


@pytest.fixture
def hook_app(make_app, make_user):
    CALLS.clear()
    app = make_app(plugins=["hooktest"], extra_plugins=[hook_plugin], **fresh())
    with app.app_context():
        app.hook_admin = make_user("root", admin=True)
        app.hook_user = make_user("alice")
        yield app


def test_every_hookspec_has_a_docstring_and_the_test_plugin_implements_it():
    assert len(SPECS) >= 20
    for name in SPECS:
        doc = inspect.getdoc(getattr(hookspecs, name))
        assert doc and len(doc) > 40, f"{name} needs a docstring saying what it returns and when it is called"
        assert hasattr(hook_plugin, name), f"tests/core/hook_plugin.py must implement {name}"


def test_startup_migrations_defaults_models_record_types_and_blueprints_fire(hook_app):
    assert called("zhixin_startup") == ["core"]
    assert called("zhixin_migrations") and called("zhixin_record_types") and called("zhixin_blueprints")
    assert called("zhixin_defaults")
    from core.migrate import upgrade
    from core.db import db
    with db.connection_context():
        upgrade(hook_app)
        assert HookThing.select().where(HookThing.name == "default thing").exists()
        assert db.table_exists("hooktest_thing")
    models = hook_app.extensions["zhixin_plugins"].gather("zhixin_models")
    assert HookThing in models and called("zhixin_models")
    assert "hookthing" in hook_app.extensions["zhixin_record_types"]


def test_record_events_access_filter_and_permission_check_fire(hook_app):
    from core import access
    from core.records import service
    user = hook_app.hook_user
    thing = HookThing(name="first")
    service.save("hookthing", thing, user)
    assert called("zhixin_record_saving") == [("hookthing", True)]
    assert called("zhixin_record_saved") == [("hookthing", True, thing.id)]
    hidden = HookThing.create(name="hidden", owner=user)
    vetoed = HookThing.create(name="vetoed", owner=user)
    visible = {t.name for t in access.visible(HookThing.select(), user, "hookthing")}
    assert "first" in visible and "hidden" not in visible  # the access filter narrows the query
    assert ("hookthing", "read") in called("zhixin_access_filter")
    assert access.can(user, "read", thing) and not access.can(user, "read", vetoed)
    assert ("read", "hookthing") in called("zhixin_permission_check")
    assert access.can(hook_app.hook_admin, "read", hidden)
    service.delete("hookthing", thing, user)
    assert called("zhixin_record_deleted") == [("hookthing", thing.id)]
    assert not HookThing.select().where(HookThing.name == "first").exists()


def test_record_merging_fires_inside_the_merge_before_the_other_is_deleted(hook_app):
    from core.models import Account
    from core.records import merge
    user = hook_app.hook_user
    keep, drop = (Account.create(name=n, owner=user, created_by=user) for n in ("Keep Ltd", "Drop Ltd"))
    merge.merge("account", keep, drop, user)
    assert called("zhixin_record_merging") == [("account", keep.id, drop.id)]
    assert called("zhixin_record_deleted")[-1] == ("account", drop.id)
    assert not Account.select().where(Account.id == drop.id).exists()


def test_permission_check_is_a_veto_and_a_true_answer_grants_nothing(hook_app):
    from core import access
    user, admin = hook_app.hook_user, hook_app.hook_admin
    others = HookThing.create(name="granted elsewhere", owner=admin)
    own = HookThing.create(name="granted mine", owner=user)
    for action in ("read", "write", "delete"):
        assert not access.can(user, action, others), action  # True does not open what the rule keeps shut
        assert access.can(user, action, own), action         # nor does it change what the rule allows
    listed = {t.name for t in access.visible(HookThing.select(), user, "hookthing")}
    assert "granted elsewhere" not in listed and "granted mine" in listed


def test_menu_widgets_template_slots_and_blueprint_fire_on_pages(hook_app, login):
    client = login(hook_app.test_client(), hook_app.hook_user)
    html = client.get("/").get_data(as_text=True)
    assert 'data-menu="hooktest"' in html
    assert "data-hook-widget" in html and "widget for alice" in html
    assert 'data-hook-slot="footer"' in html and "&lt;b&gt;escaped&lt;/b&gt;" in html
    assert {"head", "top_bar", "before_content", "after_content", "footer"} <= set(called("zhixin_template_slot"))
    assert called("zhixin_menu_items") and called("zhixin_dashboard_widgets")
    assert client.get("/hooktest/").get_data(as_text=True) == "hooktest page"


def test_user_credentials_changed_fires_on_reset_deactivation_reactivation_and_own_change(hook_app, login):
    from core.models import User
    from tests.conftest import TEST_PASSWORD, TEST_PASSWORD_HASH
    alice = hook_app.hook_user
    admin = login(hook_app.test_client(), hook_app.hook_admin)
    admin.post(f"/admin/users/{alice.id}/reset-password")
    admin.post(f"/admin/users/{alice.id}/active", data={"active": "0"})
    admin.post(f"/admin/users/{alice.id}/active", data={"active": "0"})  # already off: nothing changes
    admin.post(f"/admin/users/{alice.id}/active", data={"active": "1"})
    User.update(must_change_password=False, password_hash=TEST_PASSWORD_HASH).where(User.id == alice.id).execute()
    own = login(hook_app.test_client(), alice)
    own.post("/account", data={"pw-current_password": TEST_PASSWORD, "pw-password": "violet-harbour-lantern-8",
                               "pw-confirm": "violet-harbour-lantern-8"})
    assert called("zhixin_user_credentials_changed") == [
        ("alice", "password_reset"), ("alice", "deactivated"), ("alice", "reactivated"),
        ("alice", "password_changed")]


def test_jobs_are_gathered_and_run_once(hook_app):
    from core.scheduler import all_jobs, run_once
    assert "hooktest.job" in [j.id for j in all_jobs(hook_app)]
    results = run_once(hook_app)
    assert results["hooktest.job"] == "done" and called("job_ran")
    assert called("zhixin_jobs")


def test_cli_commands_of_plugins_join_zhixin(hook_app, monkeypatch):
    from core import cli
    monkeypatch.setattr(cli, "make_app", lambda **kw: hook_app)
    result = CliRunner().invoke(cli.main, ["hooktest-hello", "--name", "zhixin"])
    assert result.exit_code == 0, result.output
    assert "hello zhixin from hooktest" in result.output
    assert "hooktest-hello" in CliRunner().invoke(cli.main, ["--help"]).output
    assert called("zhixin_cli_commands")


def test_demo_data_hook_fires_with_demo_users(hook_app):
    from core.demo import load_demo
    load_demo(hook_app, "demo-pass-123", "admin-pass-123", progress=lambda *a: None)
    assert called("zhixin_demo_data") and called("zhixin_demo_data")[0] > 0
    assert HookThing.select().where(HookThing.name.startswith("demo ")).exists()


def test_class_rows_hook_says_what_a_class_reset_counts_and_removes(hook_app, positions, make_user):
    from core.classroom import sandbox
    from tests.core.hook_plugin import HookThing
    student = make_user("student", position=positions["sales_a"])
    HookThing.create(name="mine", owner=student)
    HookThing.create(name="default thing", owner=student)  # the plugin's where keeps it
    HookThing.create(name="other class", owner=make_user("other", position=positions["sales_b"]))
    with hook_app.test_request_context():
        assert ("Things", 1) in [(str(label), n) for label, n in sandbox.preview(positions["class_a"])]
        removed = sandbox.reset(positions["class_a"], hook_app.hook_admin, reload_demo=False)
    assert called("zhixin_class_rows")[-1] == [student.id] and removed["hooktest_thing"] == 1
    assert sorted(t.name for t in HookThing.select()) == ["default thing", "other class"]


def test_cooperation_hooks_can_be_gathered(hook_app):
    plugins = hook_app.extensions["zhixin_plugins"]
    start, end = dt.datetime(2026, 5, 1), dt.datetime(2026, 6, 1)
    fields = plugins.gather("zhixin_record_fields", record_type="hookthing")
    assert [f.name for f in fields if f.name == "colour"] == ["colour"]
    assert "hooktest.report" in [r.id for r in plugins.gather("zhixin_reports")]
    items = plugins.gather("zhixin_calendar_items", user=hook_app.hook_user, start=start, end=end,
                           owners=None)
    assert any(i.title == "Hook event" and i.start == start for i in items)
    overdue = plugins.gather("zhixin_overdue_items", user=hook_app.hook_user, before=end)
    assert [i.title for i in overdue if i.start < end] == ["Hook overdue"]
    assert "hooktest.exercise" in [e.id for e in plugins.gather("zhixin_exercises")]
    assert called("zhixin_record_fields") and called("zhixin_reports")
    assert called("zhixin_calendar_items") and called("zhixin_overdue_items") and called("zhixin_exercises")


def test_disabled_plugin_hooks_do_not_fire(make_app, make_user, login):
    CALLS.clear()
    app = make_app(plugins=[], extra_plugins=[hook_plugin], **fresh())  # installed in-process, but not enabled
    assert not app.extensions["zhixin_plugins"].is_enabled("hooktest")
    with app.app_context():
        client = login(app.test_client(), make_user("alice"))
        assert 'data-menu="hooktest"' not in client.get("/").get_data(as_text=True)
    assert CALLS == []


class Misspelled:
    @hookimpl
    def zhixin_menu_item(user):  # noqa: N805  (the typo under test: the hook is zhixin_menu_items)
        return []


def test_a_hookimpl_with_a_misspelled_name_is_refused():
    from core.plugins import Plugins
    plugins = Plugins({}, [])
    plugins.pm.register(Misspelled, name="typo")
    with pytest.raises(pluggy.PluginValidationError, match="zhixin_menu_item"):
        plugins.pm.check_pending()


def test_a_misspelled_plugin_module_is_reported_not_fatal(make_app, tmp_path, monkeypatch):
    module = tmp_path / "typo_plugin.py"
    module.write_text("from core import hookimpl\nNAME = 'typo'\nHOOKS = __name__\n"
                      "@hookimpl\ndef zhixin_menu_item(user):\n    return []\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    app = make_app(plugins=["typo"], extra_plugins=["typo_plugin"], **fresh())
    plugins = app.extensions["zhixin_plugins"]
    assert not plugins.is_enabled("typo")
    assert "zhixin_menu_item" in plugins.errors["typo"]


def test_a_plugins_timeline_items_join_the_accounts_timeline(hook_app, login):
    from core.models import Account
    user = hook_app.hook_user
    account = Account.create(name="Hook customer", owner=user.id, created_by=user.id)
    page = login(hook_app.test_client(), user).get(f"/records/account/{account.id}/timeline").get_data(as_text=True)
    assert f'data-timeline-item="hooktest_mail:{account.id}" data-plugin="hooktest"' in page
    assert "Hook e-mail" in page and f'data-timeline-item="account_created:{account.id}"' in page
    assert called("zhixin_timeline_items") == [(None, 21)]  # the page size and one more: is there an older page?


def test_a_plugin_takes_an_unmatched_reply_and_a_failing_one_leaves_it_unfiled(hook_app):
    from core.mail import inbound
    from core.mail.models import InboundMail

    def raw(subject, n):
        return (f"From: someone@unknown.example\r\nTo: replies@school.example\r\nSubject: {subject}\r\n"
                f"Message-ID: <hook{n}@x>\r\n\r\ntext\r\n").encode()
    assert inbound.store(hook_app, raw("take me", 1)) == "taken"
    assert inbound.store(hook_app, raw("leave me", 2)) == "unfiled"
    assert inbound.store(hook_app, raw("boom", 3)) == "unfiled"
    assert inbound.store(hook_app, raw("take me", 1)) == "duplicate"       # the same Message-ID: asked no more
    assert called("zhixin_mail_unmatched") == ["take me", "leave me", "boom"]
    assert [(m.message_id, m.taken_by) for m in InboundMail.select().order_by(InboundMail.id)] == [
        ("<hook1@x>", "hooktest"), ("<hook2@x>", ""), ("<hook3@x>", "")]
    assert [m.message_id for m in inbound.unfiled()] == ["<hook3@x>", "<hook2@x>"]
    assert HookThing.select().count() == 0          # the failing hook's write was rolled back
