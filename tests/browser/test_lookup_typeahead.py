"""A salesperson who may read more accounts than a select holds types part of a name into the opportunity's
account field, sees the one matching suggestion, takes it and saves: the opportunity is linked to that account."""
import datetime as dt

import pytest

from tests.browser.conftest import log_in
from tests.conftest import TEST_PASSWORD


@pytest.mark.browser
def test_salesperson_types_an_account_name_and_picks_a_suggestion(live_server, page, make_user):
    server = live_server(plugins=[])
    with server.app.app_context():
        from core import positions as P
        from core.db import db
        from core.models import Account
        from core.records.lookups import LOOKUP_SELECT_LIMIT
        sally = make_user("sally", position=P.create("Sales", P.create("Teacher")), full_name="Sally")
        with db.atomic():
            Account.insert_many([{"name": f"Firm {i:03d}", "owner": sally.id, "created_by": sally.id}
                                 for i in range(LOOKUP_SELECT_LIMIT + 10)]).execute()
        wanted = Account.create(name="Hengda Electronics", owner=sally.id, created_by=sally.id)
    log_in(page, server.url, "sally", TEST_PASSWORD)
    page.wait_for_selector('[data-menu="records:lead"]')

    page.goto(server.url + "/records/opportunity/new")
    field = page.locator("input[name=account][data-lookup-search]")
    field.click()
    field.press_sequentially("heng", delay=30)
    suggestion = page.locator("#account-suggestions option")
    # the first 20 on focus, then only what matches
    page.locator('#account-suggestions option[value^="Hengda"]').wait_for(state="attached")
    page.locator('#account-suggestions option:not([value^="Hengda"])').first.wait_for(state="detached")
    assert suggestion.count() == 1
    value = suggestion.first.get_attribute("value")
    assert value == f"Hengda Electronics · #{wanted.id}"
    field.fill(value)  # what picking it does (headless Chromium opens no datalist popup to click)
    page.fill("input[name=name]", "Hengda first order")
    page.fill("input[name=close_date]", (dt.date.today() + dt.timedelta(days=30)).isoformat())
    page.click('form[data-form="opportunity"] button[type=submit]')
    page.wait_for_selector("text=Opportunity saved.")
    assert "Hengda Electronics" in page.locator('[data-section="fields"]').inner_text()
    with server.app.app_context():
        from core.models import Opportunity
        assert Opportunity.get(Opportunity.name == "Hengda first order").account_id == wanted.id


@pytest.mark.browser
def test_a_teacher_types_part_of_a_name_into_the_reassign_field_and_gets_only_matching_users(live_server, page,
                                                                                             make_user):
    """The owner type-ahead, the same script's other kind: its suggestions are user names, labelled."""
    server = live_server(plugins=[])
    with server.app.app_context():
        from core import positions as P
        from core.models import Account
        from core.records.lookups import OWNER_SELECT_LIMIT
        top = P.create("Teacher")
        teacher = make_user("teacher", position=top, full_name="Teacher")
        sales = P.create("Sales", top)
        for i in range(OWNER_SELECT_LIMIT + 5):
            make_user(f"student{i:02d}", position=sales, full_name=f"Student {i:02d}")
        make_user("wanglei", position=sales, full_name="王磊")
        Account.create(name="Some Firm", owner=teacher.id, created_by=teacher.id)
    log_in(page, server.url, "teacher", TEST_PASSWORD)
    page.wait_for_selector('[data-menu="records:lead"]')
    page.goto(server.url + "/records/account/")
    field = page.locator("input[name=owner_name][data-owner-search]")
    field.click()
    field.press_sequentially("王", delay=30)
    page.locator('#reassign-owner-list option[value="wanglei"]').wait_for(state="attached")
    page.locator('#reassign-owner-list option:not([value="wanglei"])').first.wait_for(state="detached")
    options = page.locator("#reassign-owner-list option")
    assert options.count() == 1 and options.first.text_content() == "王磊 (wanglei)"
