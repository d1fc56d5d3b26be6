"""The opportunity detail page's SQL: a fixed number of statements however many lines, competitors, documents
and history rows it shows (no query per row, no picker read on every view), and the rights it shows (edit and
delete for the owner, none for a read-only viewer, 404 for an outsider) answered by the record's own read."""
from decimal import Decimal

import pytest

from bench.querylog import page_statements
from core.db import db
from core.models import Competitor, Document, OpportunityCompetitor, OpportunityLine
from tests.core.records.conftest import make_account, make_opportunity, set_sharing

# the stamp, the session; the opportunity (with its write and delete rights); lines; competitors; stage
# history; documents; the campaign source; the audit; the sales panel (one query for quotes, orders and
# invoices); calendar events; tasks (before issue 17: 21; each linked record one more, core.records.display)
DETAIL_STATEMENTS = 12


@pytest.fixture
def busy_opportunity(school, products):
    opp = make_opportunity(school["owner"])
    for i in range(3):  # several rows: a per-row query would show as more statements
        OpportunityLine.create(opportunity=opp, product=products[i % 2], quantity=1, unit_price=Decimal("10"))
        competitor = Competitor.create(name=f"友商{i}", owner=school["owner"])
        OpportunityCompetitor.create(opportunity=opp, competitor=competitor)
        Document.create(title=f"文档{i}", owner=school["owner"], related_type="opportunity", related_id=opp.id)
    return opp


def _statements(client, url):
    executed, html = page_statements(client, url, db)
    return [sql for sql, _params in executed], html


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_the_owner_sees_the_page_in_a_fixed_number_of_statements(school, as_user, busy_opportunity, language):
    executed, html = _statements(as_user(school["owner"], language), f"/records/opportunity/{busy_opportunity.id}")
    assert len(executed) <= DETAIL_STATEMENTS, "\n".join(executed)
    joined = "\n".join(executed)
    assert not [s for s in executed if s.lstrip().upper().startswith("SELECT EXISTS")], joined  # rights: one read
    assert not [s for s in executed if 'FROM "sales_stage"' in s or "FROM `sales_stage`" in s], joined  # cached
    assert not [s for s in executed if s.startswith('SELECT "t1"."id", "t1"."name", "t1"."code"')
                or s.startswith("SELECT `t1`.`id`, `t1`.`name`, `t1`.`code`")], joined  # no product picker
    assert not [s for s in executed if s.upper().startswith("SELECT COUNT(")], joined  # fewer rows than a page: no count
    assert 'data-action="edit"' in html and 'data-action="delete"' in html
    assert 'data-action="add-line"' in html and 'data-action="link-competitor"' in html
    assert "友商2" in html and "文档2" in html


def test_a_read_only_viewer_sees_no_edit_controls_and_an_outsider_gets_404(school, as_user, busy_opportunity):
    set_sharing("opportunity", "read")
    url = f"/records/opportunity/{busy_opportunity.id}"
    executed, html = _statements(as_user(school["outsider"]), url)
    assert len(executed) <= DETAIL_STATEMENTS + 1, "\n".join(executed)  # + the owner's row (the viewer's is the session's)
    for control in ('data-action="edit"', 'data-action="delete"', 'data-action="add-line"',
                    'data-action="link-competitor"', 'data-action="create-quote"', ">Remove<", ">Unlink<"):
        assert control not in html, control
    set_sharing("opportunity", "private")
    assert as_user(school["outsider"]).get(url).status_code == 404
    assert as_user(school["outsider"]).get(f"{url}/lines").status_code == 404


def test_each_linked_record_costs_one_statement_that_also_says_whether_the_viewer_may_name_it(
        school, as_user, busy_opportunity):
    """The account and contact of an opportunity: read once each through the access door (the row and its
    readability in one statement), named and linked for who may read them, "(private record)" for the others."""
    from core.models import Contact, Opportunity
    set_sharing("opportunity", "read")
    set_sharing("account", "private")
    account = make_account(school["owner"], name="秘密客户")
    contact = Contact.create(first_name="Zoe", last_name="秘密联系人", account=account, owner=school["owner"],
                             created_by=school["owner"])
    url = f"/records/opportunity/{busy_opportunity.id}"
    bare, _html = _statements(as_user(school["owner"]), url)
    Opportunity.update(account=account.id, contact=contact.id).where(
        Opportunity.id == busy_opportunity.id).execute()
    for side, reads in (("owner", True), ("boss", True), ("peer", False)):
        executed, html = _statements(as_user(school[side]), url)
        linked = [s for s in executed if 'FROM "account"' in s or "FROM `account`" in s
                  or 'FROM "contact"' in s or "FROM `contact`" in s]
        assert len(linked) == 2, (side, "\n".join(executed))
        if side == "owner":
            assert len(executed) == len(bare) + 2, "\n".join(executed)
        assert ("秘密客户" in html) == reads and ("秘密联系人" in html) == reads, side
        assert (f"/records/account/{account.id}" in html) == reads, side
        assert ("(private record)" in html) != reads, side


def test_a_private_linked_record_is_a_stand_in_holding_its_id_only_and_is_not_kept_as_the_link(school, app):
    """What core.records.display.related_object gives a viewer who may not read the linked account: a row
    with its id and nothing else (no default values posing as its data), not kept as the opportunity's
    account; for a viewer who may read it, the row itself, kept (no second read)."""
    from flask_login import login_user
    from core.models import Opportunity
    from core.records import display
    set_sharing("opportunity", "read")
    set_sharing("account", "private")
    account = make_account(school["owner"], name="秘密客户")
    opp = make_opportunity(school["owner"])
    Opportunity.update(account=account.id).where(Opportunity.id == opp.id).execute()
    for side, reads in (("peer", False), ("owner", True)):
        with app.test_request_context("/"):
            login_user(school[side])
            record = Opportunity.get_by_id(opp.id)
            linked = display.related_object(record, "account")
            assert linked.id == account.id
            assert (linked.name == "秘密客户") == reads and (set(linked.__data__) == {"id"}) != reads, side
            assert ("account" in record.__rel__) == reads, side
