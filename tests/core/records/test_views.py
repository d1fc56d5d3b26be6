"""The generic record views through HTTP: list, sort, filter, search, detail, forms, delete, reassign."""
import json

import pytest

from core.models import Account, AuditEntry, Competitor, Contact, Document, Lead, Opportunity
from tests.core.records.conftest import make_account, make_opportunity, set_sharing, stage

EDITABLE = ("account", "contact", "lead", "opportunity", "document", "competitor")

VALID = {
    "account": {"name": "上海智远科技有限公司", "type": "customer", "industry": "technology",
                "phone": "021-5888 0000", "email": "info@zhiyuan.cn", "website": "https://zhiyuan.cn",
                "annual_revenue": "1200000.00", "employees": "80"},
    "contact": {"last_name": "王", "first_name": "芳", "email": "wangfang@example.cn", "mobile": "138 0013 8000",
                "lead_source": "referral"},
    "lead": {"last_name": "李", "first_name": "娜", "company": "杭州新雅贸易", "source": "web", "status": "new",
             "rating": "hot", "email": "lina@xinya.cn"},
    "opportunity": {"name": "年度采购项目", "amount": "50000.00", "close_date": "2026-06-30", "type": "new_business"},
    "competitor": {"name": "竞品软件公司", "website": "https://jingpin.cn", "strengths": "价格低"},
}


def _record(model, **where):
    return model.select().where(*[getattr(model, k) == v for k, v in where.items()]).first()


def test_every_editable_type_lists_creates_and_shows_a_record(school, as_user):
    client = as_user(school["owner"])
    for name, data in VALID.items():
        data = dict(data)
        if name == "opportunity":
            data["stage"] = str(stage("Proposal").id)
        r = client.post(f"/records/{name}/new", data=data)
        assert r.status_code == 302, (name, r.get_data(as_text=True)[-2000:])
        detail = client.get(r.headers["Location"])
        assert detail.status_code == 200
        html = detail.get_data(as_text=True)
        first = data.get("name") or data.get("last_name")
        assert first in html
        listing = client.get(f"/records/{name}/").get_data(as_text=True)
        assert first in listing


def test_empty_list_offers_to_create(school, as_user):
    html = as_user(school["owner"]).get("/records/lead/").get_data(as_text=True)
    assert "empty-state" in html and "/records/lead/new" in html


def test_choice_labels_are_translated_in_chinese(school, as_user):
    make_account(school["owner"], type="partner", industry="finance")
    client = as_user(school["owner"], language="zh-CN")
    html = client.get("/records/account/").get_data(as_text=True)
    assert "合作伙伴" in html and "金融" in html


def test_list_sorts_by_each_shown_column_and_ignores_unknown_sort_keys(school, as_user):
    for i, name in enumerate(["乙公司", "甲公司", "丙公司"]):
        make_account(school["owner"], name=name, phone=f"021-000{i}")
    client = as_user(school["owner"])
    asc = client.get("/records/account/?sort=phone").get_data(as_text=True)
    assert asc.index("乙公司") < asc.index("甲公司") < asc.index("丙公司")
    desc = client.get("/records/account/?sort=-phone").get_data(as_text=True)
    assert desc.index("丙公司") < desc.index("甲公司") < desc.index("乙公司")
    for column in ("name", "type", "industry", "owner", "modified_at"):
        assert client.get(f"/records/account/?sort={column}").status_code == 200
    assert client.get("/records/account/?sort=password_hash;drop").status_code == 200


def test_opportunity_list_sorts_by_amount_but_not_by_the_stage_lookup(school, as_user):
    make_opportunity(school["owner"], name="A-late", stage=stage("Negotiation"), amount=5)
    make_opportunity(school["owner"], name="B-early", stage=stage("Prospecting"), amount=50)
    client = as_user(school["owner"])
    html = client.get("/records/opportunity/?sort=-amount").get_data(as_text=True)
    assert html.index("B-early") < html.index("A-late")
    html = client.get("/records/opportunity/?sort=amount").get_data(as_text=True)
    assert html.index("A-late") < html.index("B-early")
    # a lookup's name is in no index of the listed table (core.records.listing): no sort link, default order
    assert "sort=stage" not in client.get("/records/opportunity/?sort=stage").get_data(as_text=True)


def test_list_filters_and_quick_search(school, as_user):
    make_account(school["owner"], name="红星制造", industry="manufacturing", email="a@hongxing.cn")
    make_account(school["owner"], name="蓝天银行", industry="finance")
    client = as_user(school["owner"])
    html = client.get("/records/account/?filter_industry=finance").get_data(as_text=True)
    assert "蓝天银行" in html and "红星制造" not in html
    html = client.get("/records/account/?q=hongxing").get_data(as_text=True)
    assert "红星制造" in html and "蓝天银行" not in html
    html = client.get("/records/account/?q=%25'%20OR%201=1--").get_data(as_text=True)
    assert "红星制造" not in html and "empty-state" in html
    # an unknown filter value is ignored, not an error
    assert client.get("/records/account/?filter_industry=nonsense").status_code == 200


def test_list_paginates(school, as_user, app):
    for i in range(app.config["PAGE_SIZE"] + 3):
        make_account(school["owner"], name=f"客户{i:02d}")
    client = as_user(school["owner"])
    first = client.get("/records/account/?sort=name").get_data(as_text=True)
    second = client.get("/records/account/?sort=name&page=2").get_data(as_text=True)
    assert "客户00" in first and "客户22" not in first
    assert "客户22" in second and "客户00" not in second


def test_required_email_phone_money_and_date_are_validated(school, as_user):
    client = as_user(school["owner"])
    r = client.post("/records/account/new", data={"name": "", "type": "customer", "email": "not-an-email",
                                                  "phone": "call me", "annual_revenue": "-5", "employees": "x"})
    html = r.get_data(as_text=True)
    assert r.status_code == 400
    assert "This field is required." in html
    assert "name@example.com" in html
    assert "021-5888 0000" in html
    assert "Enter an amount of 0 or more." in html
    assert Account.select().count() == 0
    r = client.post("/records/opportunity/new", data={"name": "x", "close_date": "31/31/2026",
                                                      "stage": str(stage("Proposal").id)})
    assert r.status_code == 400 and Opportunity.select().count() == 0
    r = client.post("/records/lead/new", data={"last_name": "张", "status": "sleeping"})
    assert r.status_code == 400 and "Choose one of the offered values." in r.get_data(as_text=True)


def test_edit_changes_record_and_writes_audit_entry(school, as_user):
    acc = make_account(school["owner"], phone="021-1111 1111")
    client = as_user(school["owner"])
    form = client.get(f"/records/account/{acc.id}/edit").get_data(as_text=True)
    assert "021-1111 1111" in form
    r = client.post(f"/records/account/{acc.id}/edit", data={"name": acc.name, "type": "partner",
                                                             "phone": "021-2222 2222"})
    assert r.status_code == 302
    assert Account.get_by_id(acc.id).phone == "021-2222 2222"
    entry = AuditEntry.get((AuditEntry.record_type == "account") & (AuditEntry.record_id == acc.id))
    changes = json.loads(entry.changes)
    assert changes["phone"] == ["021-1111 1111", "021-2222 2222"]
    assert entry.user_id == school["owner"].id and entry.action == "update"
    html = client.get(f"/records/account/{acc.id}").get_data(as_text=True)
    assert 'data-audit="update"' in html and "021-2222 2222" in html


def test_create_is_audited_and_stamped(school, as_user):
    client = as_user(school["owner"])
    client.post("/records/competitor/new", data={"name": "对手甲"})
    comp = Competitor.get(Competitor.name == "对手甲")
    assert comp.owner_id == school["owner"].id and comp.created_by_id == school["owner"].id
    assert AuditEntry.select().where((AuditEntry.record_type == "competitor") & (AuditEntry.action == "create")
                                     & (AuditEntry.record_id == comp.id)).exists()


def test_detail_shows_related_lists_of_an_account(school, as_user):
    acc = make_account(school["owner"])
    Contact.create(last_name="赵", first_name="敏", account=acc, owner=school["owner"])
    make_opportunity(school["owner"], name="设备更新", account=acc)
    make_opportunity(school["outsider"], name="别人的机会", account=acc)
    html = as_user(school["owner"]).get(f"/records/account/{acc.id}").get_data(as_text=True)
    assert 'data-related="contacts"' in html and "赵敏" in html
    assert 'data-related="opportunities"' in html and "设备更新" in html
    assert "别人的机会" not in html  # related lists go through access.visible


def test_outsider_gets_404_everywhere_and_sees_no_row(school, as_user):
    acc = make_account(school["owner"], name="私有客户")
    client = as_user(school["outsider"])
    for url in (f"/records/account/{acc.id}", f"/records/account/{acc.id}/edit",
                f"/records/account/{acc.id}/delete"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/records/account/{acc.id}/edit", data={"name": "hacked"}).status_code == 404
    assert client.post(f"/records/account/{acc.id}/delete").status_code == 404
    assert "私有客户" not in client.get("/records/account/").get_data(as_text=True)
    assert "私有客户" not in client.get("/records/account/?q=私有").get_data(as_text=True)
    assert "私有客户" not in client.get("/records/account/export.csv").get_data(as_text=True)
    assert Account.get_by_id(acc.id).name == "私有客户"


def test_superior_may_open_and_edit_subordinates_records(school, as_user):
    acc = make_account(school["owner"], name="下属的客户")
    client = as_user(school["boss"])
    assert client.get(f"/records/account/{acc.id}").status_code == 200
    assert client.post(f"/records/account/{acc.id}/edit", data={"name": "改名", "type": "customer"}).status_code == 302
    assert Account.get_by_id(acc.id).name == "改名"


def test_readable_but_not_writable_answers_403(school, as_user, app):
    set_sharing("account", "read")
    acc = make_account(school["owner"], name="公开只读")
    client = as_user(school["peer"])
    assert client.get(f"/records/account/{acc.id}").status_code == 200
    assert client.get(f"/records/account/{acc.id}/edit").status_code == 403
    assert client.post(f"/records/account/{acc.id}/delete").status_code == 403


def test_delete_asks_for_confirmation_then_deletes(school, as_user):
    acc = make_account(school["owner"], name="将删除")
    Contact.create(last_name="钱", account=acc, owner=school["owner"])
    client = as_user(school["owner"])
    page = client.get(f"/records/account/{acc.id}/delete")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "将删除" in html and 'data-effect="unlink"' in html
    assert Account.select().where(Account.id == acc.id).exists()
    r = client.post(f"/records/account/{acc.id}/delete")
    assert r.status_code == 302
    assert not Account.select().where(Account.id == acc.id).exists()
    assert Contact.get(Contact.last_name == "钱").account_id is None
    assert AuditEntry.select().where((AuditEntry.action == "delete") & (AuditEntry.record_id == acc.id)).exists()


def test_rows_that_restrict_deletion_are_found_as_blocking(school, products):
    from core.models import OpportunityLine
    from core.records.views import dependents
    opp = make_opportunity(school["owner"])
    OpportunityLine.create(opportunity=opp, product=products[0], quantity=1, unit_price=1)
    assert [effect for *_rest, effect in dependents(products[0])] == ["block"]
    assert [effect for *_rest, effect in dependents(opp)] == ["cascade"]


def test_delete_with_blocking_rows_is_refused_with_409(school, as_user, app, monkeypatch):
    from core.records import views
    acc = make_account(school["owner"], name="有依赖")
    monkeypatch.setattr(views, "dependents", lambda record: [("Invoices", "account", 2, "block")])
    client = as_user(school["owner"])
    page = client.get(f"/records/account/{acc.id}/delete")
    assert page.status_code == 409 and "Invoices" in page.get_data(as_text=True)
    r = client.post(f"/records/account/{acc.id}/delete")
    assert r.status_code == 409 and "Invoices" in r.get_data(as_text=True)
    assert Account.select().where(Account.id == acc.id).exists()


def test_opportunity_delete_cascades_lines_and_history(school, as_user, products):
    client = as_user(school["owner"])
    client.post("/records/opportunity/new", data={"name": "待删", "close_date": "2026-06-30",
                                                  "stage": str(stage("Proposal").id), "type": "new_business"})
    opp = Opportunity.get(Opportunity.name == "待删")
    client.post(f"/records/opportunity/{opp.id}/lines", data={"product": products[0].id, "quantity": "1"})
    html = client.get(f"/records/opportunity/{opp.id}/delete").get_data(as_text=True)
    assert 'data-effect="cascade"' in html
    assert client.post(f"/records/opportunity/{opp.id}/delete").status_code == 302
    assert not Opportunity.select().where(Opportunity.id == opp.id).exists()


def test_mass_reassign_changes_only_rows_the_user_may_write(school, as_user):
    mine = [make_account(school["owner"], name=f"我的{i}") for i in range(2)]
    foreign = make_account(school["outsider"], name="别人的")
    client = as_user(school["owner"])
    html = client.get("/records/account/").get_data(as_text=True)
    assert 'name="ids"' in html and 'name="owner"' in html
    # the owner may not hand records to a peer (not below them)
    r = client.post("/records/account/reassign", data={"ids": [a.id for a in mine], "owner": school["peer"].id})
    assert all(Account.get_by_id(a.id).owner_id == school["owner"].id for a in mine)
    boss = as_user(school["boss"])
    r = boss.post("/records/account/reassign",
                  data={"ids": [a.id for a in mine] + [foreign.id], "owner": school["peer"].id})
    assert r.status_code == 302
    assert all(Account.get_by_id(a.id).owner_id == school["peer"].id for a in mine)
    assert Account.get_by_id(foreign.id).owner_id == school["outsider"].id
    entry = (AuditEntry.select().where((AuditEntry.record_type == "account") & (AuditEntry.record_id == mine[0].id))
             .order_by(AuditEntry.id.desc()).first())
    assert json.loads(entry.changes)["owner"] == [school["owner"].id, school["peer"].id]
    assert entry.user_id == school["boss"].id


def test_products_are_listed_and_shown_but_not_edited_here(school, as_user, products):
    client = as_user(school["owner"])
    html = client.get("/records/product/").get_data(as_text=True)
    assert "CRM-STD" in html and "/records/product/new" not in html
    assert client.get(f"/records/product/{products[0].id}").status_code == 200
    assert client.get(f"/records/product/{products[0].id}/edit").status_code == 404
    assert client.get("/records/product/new").status_code == 404
    html = client.get("/records/product/?filter_category=%d" % products[0].category_id).get_data(as_text=True)
    assert "CRM-STD" in html


def test_unknown_record_type_is_404(school, as_user):
    assert as_user(school["owner"]).get("/records/spaceship/").status_code == 404


@pytest.mark.parametrize("name", EDITABLE)
def test_anonymous_users_are_sent_to_login(client, name):
    r = client.get(f"/records/{name}/")
    assert r.status_code == 302 and "/login" in r.headers["Location"]


def test_documents_and_leads_absent_from_models_after_failed_create(school, as_user):
    client = as_user(school["owner"])
    client.post("/records/lead/new", data={"last_name": ""})
    assert Lead.select().count() == 0 and Document.select().count() == 0


def test_quick_search_finds_chinese_and_western_full_names(school, as_user):
    Contact.create(last_name="欧阳", first_name="娜娜", owner=school["owner"])
    Contact.create(last_name="王", first_name="芳", owner=school["owner"])
    Lead.create(last_name="Chen", first_name="Jing", owner=school["owner"])
    client = as_user(school["owner"])
    assert "芳" in client.get("/records/contact/?q=王芳").get_data(as_text=True)
    html = client.get("/records/contact/?q=欧阳娜").get_data(as_text=True)
    assert "娜娜" in html and ">芳<" not in html
    assert "Chen" in client.get("/records/lead/?q=Jing%20Chen").get_data(as_text=True)


def test_converted_status_is_not_offered_by_hand(school, as_user):
    client = as_user(school["owner"])
    assert 'value="converted"' not in client.get("/records/lead/new").get_data(as_text=True)
    r = client.post("/records/lead/new", data={"last_name": "吴", "status": "converted"})
    assert r.status_code == 400 and Lead.select().count() == 0


def test_a_type_ahead_lookup_accepts_a_visible_id_and_refuses_a_hidden_one(school, as_user, monkeypatch):
    from core.records import lookups
    monkeypatch.setattr(lookups, "LOOKUP_SELECT_LIMIT", 1)
    make_account(school["owner"], name="Alpha")
    far = make_account(school["owner"], name="Bravo")
    hidden = make_account(school["outsider"], name="Charlie")
    client = as_user(school["owner"])
    assert "Bravo" not in client.get("/records/contact/new").get_data(as_text=True)  # no choices rendered
    assert client.post("/records/contact/new", data={"last_name": "韩", "account": str(far.id)}).status_code == 302
    assert client.post("/records/contact/new", data={"last_name": "韩", "account": str(hidden.id)}).status_code == 400


def test_a_records_link_is_the_address_of_its_detail_page(app):
    """``display.record_url`` builds one address per type and request and appends the id: the same address
    Flask's url_for builds, for every registered type and for short and long ids."""
    from flask import url_for

    from core.records import display, registry
    with app.test_request_context("/"):
        for rt in registry.registry().values():
            for record_id in (1, 10, 1234567890123):
                assert display.record_url(rt.model(id=record_id)) == url_for(
                    "records.detail", type_name=rt.name, record_id=record_id)
