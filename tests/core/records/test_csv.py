"""CSV export (what the list shows, safe cells, visible rows only) and import (mapping, dry run, all or nothing)."""
import csv
import io
from decimal import Decimal

from core.models import Account, AuditEntry, Contact, Lead, Opportunity
from tests.core.records.conftest import make_account, make_opportunity, stage


def _rows(response):
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_export_has_the_list_columns_filters_search_and_sort(school, as_user):
    make_account(school["owner"], name="乙制造", industry="manufacturing", phone="021-0002")
    make_account(school["owner"], name="甲制造", industry="manufacturing", phone="021-0001")
    make_account(school["owner"], name="丙银行", industry="finance")
    client = as_user(school["owner"])
    r = client.get("/records/account/export.csv?filter_industry=manufacturing&sort=phone")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert "attachment" in r.headers["Content-Disposition"]
    rows = _rows(r)
    assert rows[0] == ["Account name", "Type", "Industry", "Phone", "Owner", "Modified"]
    assert [row[0] for row in rows[1:]] == ["甲制造", "乙制造"]
    assert rows[1][2] == "Manufacturing" and rows[1][4] == school["owner"].display_name
    rows = _rows(client.get("/records/account/export.csv?q=丙"))
    assert [row[0] for row in rows[1:]] == ["丙银行"]


def test_export_contains_only_visible_rows(school, as_user):
    make_account(school["owner"], name="自己的")
    make_account(school["outsider"], name="外人的")
    names = [row[0] for row in _rows(as_user(school["owner"]).get("/records/account/export.csv"))[1:]]
    assert names == ["自己的"]
    boss_names = [row[0] for row in _rows(as_user(school["boss"]).get("/records/account/export.csv"))[1:]]
    assert boss_names == ["自己的"]


def test_formula_looking_cells_are_exported_as_text(school, as_user):
    make_account(school["owner"], name="=cmd|' /C calc'!A0", phone="+86 21 1234")
    make_account(school["owner"], name="@SUM(A1)")
    rows = _rows(as_user(school["owner"]).get("/records/account/export.csv?sort=name"))
    values = {row[0] for row in rows[1:]} | {row[3] for row in rows[1:]}
    assert "'=cmd|' /C calc'!A0" in values and "'@SUM(A1)" in values and "'+86 21 1234" in values
    assert not any(v.startswith(("=", "@", "+")) for v in values)


def test_opportunity_export_uses_money_and_stage_labels(school, as_user):
    make_opportunity(school["owner"], name="大单", amount=Decimal("12345.60"), stage=stage("Negotiation"))
    rows = _rows(as_user(school["owner"]).get("/records/opportunity/export.csv"))
    assert rows[1][0] == "大单" and rows[1][2] == "12345.60" and rows[1][3] == "Negotiation"
    assert rows[1][4] == "10" and rows[1][5] == "2026-06-30"


def _upload(client, type_name, text, **form):
    data = {"file": (io.BytesIO(text.encode("utf-8")), "data.csv")}
    data.update(form)
    return client.post(f"/records/{type_name}/import", data=data, content_type="multipart/form-data")


def test_import_maps_columns_by_header_and_previews(school, as_user):
    client = as_user(school["owner"])
    r = _upload(client, "lead", "Last name,First name,Company,Lead source,Unknown\n王,伟,甲公司,Website,x\n")
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert '<option value="last_name" selected>' in html and '<option value="source" selected>' in html
    assert Lead.select().count() == 0


def test_dry_run_reports_every_bad_row_and_saves_nothing(school, as_user):
    client = as_user(school["owner"])
    text = ("姓,邮箱,状态,Annual revenue\n"
            "王,wang@example.cn,新建,100\n"
            ",nobody@example.cn,New,5\n"
            "李,not-an-email,New,-3\n"
            "赵,zhao@example.cn,sleeping,1\n")
    r = _upload(client, "lead", text, map_0="last_name", map_1="email", map_2="status", map_3="annual_revenue",
                action="dry_run")
    html = r.get_data(as_text=True)
    assert r.status_code == 400
    assert "data-import-errors" in html
    for line, column in ((3, "姓"), (4, "邮箱"), (4, "Annual revenue"), (5, "状态")):
        assert f"Line {line}, column {column}: " in html
    assert 'data-line="2"' not in html
    assert Lead.select().count() == 0


def test_import_is_all_or_nothing(school, as_user):
    client = as_user(school["owner"])
    text = "Last name,E-mail\n王,wang@example.cn\n李,bad-address\n"
    r = _upload(client, "lead", text, map_0="last_name", map_1="email", action="commit")
    assert r.status_code == 400 and Lead.select().count() == 0
    good = "Last name,E-mail,Status\n王,wang@example.cn,新建\n李,li@example.cn,Qualified\n"
    r = _upload(client, "lead", good, map_0="last_name", map_1="email", map_2="status", action="commit")
    assert r.status_code == 302
    assert sorted((l.last_name, l.status) for l in Lead.select()) == [("李", "qualified"), ("王", "new")]
    assert all(l.owner_id == school["owner"].id for l in Lead.select())
    assert AuditEntry.select().where(AuditEntry.record_type == "lead").count() == 2


def test_import_rolls_back_when_a_save_is_refused_half_way(make_app, make_user, login):
    from tests.core.records import sample_plugin
    app = make_app(plugins=["recordtest"], extra_plugins=[sample_plugin])
    sample_plugin.STATE["refuse"] = {"account"}
    try:
        with app.app_context():
            client = login(app.test_client(), make_user("imp"))
            r = _upload(client, "account", "Account name\n甲\n乙\n", map_0="name", action="commit")
            assert r.status_code == 400 and "refused by the test plugin" in r.get_data(as_text=True)
            assert Account.select().count() == 0
    finally:
        sample_plugin.STATE["refuse"] = set()


def test_import_via_posted_text_after_mapping_step(school, as_user):
    client = as_user(school["owner"])
    r = client.post("/records/competitor/import", data={
        "csv_text": "Competitor name,Website\n友商甲,https://a.cn\n", "map_0": "name", "map_1": "website",
        "action": "commit"})
    assert r.status_code == 302
    assert Account.select().count() == 0


def test_import_owner_only_to_assignable_users(school, as_user):
    owner, peer, outsider = (school[side].username for side in ("owner", "peer", "outsider"))
    text = f"Account name,Owner\n给同事,{peer}\n给下属,{owner}\n"
    r = _upload(as_user(school["owner"]), "account", text, map_0="name", map_1="owner", action="commit")
    assert r.status_code == 400 and f"{peer} is not a user you may assign" in r.get_data(as_text=True)
    assert Account.select().count() == 0
    r = _upload(as_user(school["boss"]), "account", f"Account name,Owner\n给下属,{owner}\n", map_0="name",
                map_1="owner", action="commit")
    assert r.status_code == 302
    assert Account.get(Account.name == "给下属").owner_id == school["owner"].id
    r = _upload(as_user(school["admin"]), "account", f"Account name,Owner\n给外人,{outsider}\n", map_0="name",
                map_1="owner", action="commit")
    assert r.status_code == 302


def test_import_lookups_resolve_only_visible_records_by_name(school, as_user):
    make_account(school["owner"], name="看得见")
    make_account(school["outsider"], name="看不见")
    client = as_user(school["owner"])
    r = _upload(client, "contact", "Last name,Account\n孙,看不见\n", map_0="last_name", map_1="account",
                action="commit")
    assert r.status_code == 400 and Contact.select().count() == 0
    r = _upload(client, "contact", "Last name,Account\n孙,看得见\n", map_0="last_name", map_1="account",
                action="commit")
    assert r.status_code == 302
    assert Contact.get(Contact.last_name == "孙").account.name == "看得见"


def test_import_opportunities_with_stage_names_writes_history(school, as_user):
    client = as_user(school["owner"])
    text = "Opportunity name,Expected close date,Sales stage,Amount\n导入单,2026-08-31,Proposal,1000.50\n"
    r = _upload(client, "opportunity", text, action="commit",
                map_0="name", map_1="close_date", map_2="stage", map_3="amount")
    assert r.status_code == 302, r.get_data(as_text=True)[-2000:]
    opp = Opportunity.get(Opportunity.name == "导入单")
    assert opp.amount == Decimal("1000.50") and opp.probability == 60 and opp.stage_history.count() == 1


def test_gb18030_files_are_read(school, as_user):
    client = as_user(school["owner"])
    data = {"file": (io.BytesIO("Last name\n欧阳\n".encode("gb18030")), "gbk.csv"), "map_0": "last_name",
            "action": "commit"}
    r = client.post("/records/lead/import", data=data, content_type="multipart/form-data")
    assert r.status_code == 302 and Lead.get().last_name == "欧阳"


def test_documents_and_products_have_no_import(school, as_user):
    client = as_user(school["owner"])
    assert client.get("/records/document/import").status_code == 404
    assert client.get("/records/product/import").status_code == 404


def test_an_export_imports_back_with_the_guessed_mapping(school, as_user):
    make_account(school["owner"], name="往返客户", type="partner", industry="finance", phone="021-1234 5678")
    client = as_user(school["owner"])
    exported = client.get("/records/account/export.csv").get_data()
    Account.delete().execute()
    r = client.post("/records/account/import", data={"file": (io.BytesIO(exported), "accounts.csv")},
                    content_type="multipart/form-data")
    assert r.status_code == 200
    text = exported.decode("utf-8-sig")
    r = client.post("/records/account/import", data={"csv_text": text, "action": "commit"})
    assert r.status_code == 302, r.get_data(as_text=True)[-1500:]
    acc = Account.get(Account.name == "往返客户")
    assert (acc.type, acc.industry, acc.phone, acc.owner_id) == ("partner", "finance", "021-1234 5678",
                                                                 school["owner"].id)
