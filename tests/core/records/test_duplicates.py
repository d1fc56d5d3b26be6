"""Likely duplicates (core.records.duplicates) through HTTP: the create and edit forms warn before saving, for
each rule, "save anyway" saves, the CSV import's dry run shows them, and nobody is warned of a record they may
not read — from every side of the school and in every sharing mode; the warning in Chinese."""
import io
import re

import pytest
from peewee import fn

from core.models import Account, Contact, Lead
from core.records.duplicates import phone_key
from tests.core.access.helpers import MODE_ALLOWS, expected, sides_of
from tests.core.records.conftest import make_account, set_sharing


def _count(model):
    return model.select().count()


def _post(client, type_name, data, record_id=None):
    url = f"/records/{type_name}/{record_id}/edit" if record_id else f"/records/{type_name}/new"
    return client.post(url, data=data)


def _warned(response, record):
    html = response.get_data(as_text=True)
    return response.status_code == 409 and f'data-duplicate="{record.id}"' in html and \
        f'/records/{type(record).__name__.lower()}/{record.id}"' in html


@pytest.mark.parametrize("raw, key", [
    ("+86 138-0013-8000", "13800138000"), ("0086 13800138000", "13800138000"), ("138 0013 8000", "13800138000"),
    ("(010) 8888-1234", "1088881234"), ("+86 (0)10 8888 1234", "1088881234"), ("010-88881234", "1088881234"),
    ("123", ""), ("", ""), ("ext", "")])
def test_phone_numbers_compare_by_their_digits_without_country_and_trunk_prefix(raw, key):
    assert phone_key(raw) == key


@pytest.mark.parametrize("stored, typed", [
    ({"email": "Info@Zhiyuan.CN"}, {"email": " info@zhiyuan.cn"}),
    ({"phone": "+86 21 5888 0000"}, {"phone": "021-58880000"}),
    ({"name": "上海 智远 科技"}, {"name": "上海智远科技"}),
    ({"name": "Acme  Trading"}, {"name": "acme trading"}),
])
def test_creating_an_account_like_a_readable_one_warns_and_saves_nothing(school, as_user, stored, typed):
    existing = make_account(school["owner"], **dict({"name": "某公司"}, **stored))
    client = as_user(school["owner"])
    before = _count(Account)
    r = _post(client, "account", dict({"name": "另一家公司", "type": "customer"}, **typed))
    assert _warned(r, existing), r.get_data(as_text=True)[-3000:]
    html = r.get_data(as_text=True)
    assert "Open the existing one" in html and 'name="duplicates_confirmed" value="1"' in html
    assert _count(Account) == before


def test_save_anyway_saves_the_record(school, as_user):
    make_account(school["owner"], name="华东机械", email="sales@hd.cn")
    client = as_user(school["owner"])
    data = {"name": "华东机械有限公司", "type": "customer", "email": "SALES@hd.cn"}
    assert _post(client, "account", data).status_code == 409
    r = _post(client, "account", dict(data, duplicates_confirmed="1"))
    assert r.status_code == 302
    assert Account.select().where(Account.name == "华东机械有限公司").count() == 1
    assert Account.select().where(fn.LOWER(Account.email) == "sales@hd.cn").count() == 2


def test_save_anyway_is_csrf_protected(make_app, make_user, login):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        user = make_user("alice")
        make_account(user, name="华东机械", email="sales@hd.cn")
        client = login(app.test_client(), user)
        data = {"name": "华东机械", "type": "customer", "duplicates_confirmed": "1"}
        assert client.post("/records/account/new", data=data).status_code == 400
        assert _count(Account) == 1
        page = client.get("/records/account/new").get_data(as_text=True)
        token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
        r = client.post("/records/account/new", data=dict(data, csrf_token=token))
        assert r.status_code == 302 and _count(Account) == 2


def test_no_likely_duplicate_saves_as_before(school, as_user):
    make_account(school["owner"], name="华东机械", email="sales@hd.cn", phone="021-1234 5678")
    r = _post(as_user(school["owner"]), "account", {"name": "华南电子", "type": "customer", "email": "a@hn.cn",
                                                     "phone": "020-1234 5678"})
    assert r.status_code == 302


def test_contacts_with_the_same_name_warn_only_within_the_same_account(school, as_user):
    owner = school["owner"]
    acme, other = make_account(owner, name="Acme"), make_account(owner, name="Other")
    existing = Contact.create(first_name="Fang ", last_name="Wang", account=acme, owner=owner, created_by=owner)
    client = as_user(owner)
    same = {"first_name": "fang", "last_name": "WANG", "account": str(acme.id)}
    assert _warned(_post(client, "contact", same), existing)
    assert _post(client, "contact", dict(same, account=str(other.id))).status_code == 302
    assert _post(client, "contact", dict(same, account="")).status_code == 302


def test_a_contacts_mobile_matches_another_contacts_phone(school, as_user):
    owner = school["owner"]
    existing = Contact.create(last_name="李", first_name="娜", phone="+86 139 1111 2222", owner=owner, created_by=owner)
    r = _post(as_user(owner), "contact", {"last_name": "张", "first_name": "伟", "mobile": "13911112222"})
    assert _warned(r, existing)
    assert "Same phone number" in r.get_data(as_text=True)


def test_leads_with_the_same_name_warn_only_within_the_same_company(school, as_user):
    owner = school["owner"]
    existing = Lead.create(first_name="娜", last_name="李", company="杭州新雅贸易", owner=owner, created_by=owner)
    client = as_user(owner)
    same = {"first_name": "娜", "last_name": "李", "company": "杭州 新雅贸易", "status": "new"}
    r = _post(client, "lead", same)
    assert _warned(r, existing) and "Same name" in r.get_data(as_text=True)
    assert _post(client, "lead", dict(same, company="宁波港")).status_code == 302


def test_lead_e_mail_and_phone_rules(school, as_user):
    owner = school["owner"]
    existing = Lead.create(last_name="Chen", email="chen@x.cn", phone="0571-8888 9999", owner=owner, created_by=owner)
    client = as_user(owner)
    assert _warned(_post(client, "lead", {"last_name": "Zhou", "email": "CHEN@X.CN", "status": "new"}), existing)
    assert _warned(_post(client, "lead", {"last_name": "Zhou", "phone": "+86 571 88889999", "status": "new"}),
                   existing)


def test_editing_into_a_duplicate_warns_but_editing_other_fields_does_not(school, as_user):
    owner = school["owner"]
    existing = make_account(owner, name="华东机械", phone="021-1234 5678")
    mine = make_account(owner, name="华东机械", phone="")      # an accepted duplicate
    client = as_user(owner)
    assert _post(client, "account", {"name": "华东机械", "type": "customer", "description": "新备注"},
                 mine.id).status_code == 302
    r = _post(client, "account", {"name": "华东机械二厂", "type": "customer", "phone": "02112345678"}, mine.id)
    assert _warned(r, existing)
    assert f'data-duplicate="{mine.id}"' not in r.get_data(as_text=True)     # never a duplicate of itself
    assert Account.get_by_id(mine.id).phone == ""
    r = _post(client, "account", {"name": "华东机械二厂", "type": "customer", "phone": "02112345678",
                                  "duplicates_confirmed": "1"}, mine.id)
    assert r.status_code == 302 and Account.get_by_id(mine.id).phone == "02112345678"


SIDES = ("owner", "superior", "class_lead", "peer", "subordinate", "outsider", "nobody", "admin")


@pytest.mark.parametrize("mode", sorted(MODE_ALLOWS))
def test_only_who_may_read_the_existing_record_is_warned_of_it(app, make_school, as_user, mode):
    school = make_school(language="en")
    sides = dict(sides_of(school), nobody=school["outsider"])
    set_sharing("account", mode)
    set_sharing("lead", mode)
    existing = make_account(sides["owner"], name="Secret Holdings", email="boss@secret.cn")
    lead = Lead.create(last_name="Hidden", phone="138 0000 1111", owner=sides["owner"], created_by=sides["owner"])
    for side in SIDES:
        client = as_user(sides[side])
        warned = expected("peer" if side == "nobody" else side, mode, "read")
        r = _post(client, "account", {"name": f"Copy by {side}", "type": "customer", "email": "BOSS@secret.cn"})
        html = r.get_data(as_text=True)
        assert (r.status_code == 409) is warned, (side, mode)
        if not warned:          # nothing at all of the record leaks
            assert "Secret Holdings" not in html and "data-duplicate" not in html
        r = _post(client, "lead", {"last_name": f"Copy {side}", "phone": "13800001111", "status": "new"})
        assert (r.status_code == 409) is warned, (side, mode)
        assert ("Hidden" in r.get_data(as_text=True)) is warned
    assert Account.select().where(fn.LOWER(Account.email) == "boss@secret.cn").count() == 1 + sum(
        not expected("peer" if s == "nobody" else s, mode, "read") for s in SIDES)
    assert existing.id and lead.id


def test_the_warning_reads_in_chinese(school, as_user):
    existing = make_account(school["owner"], name="华东机械", email="sales@hd.cn")
    r = _post(as_user(school["owner"], language="zh-CN"), "account",
              {"name": "华东机械有限公司", "type": "customer", "email": "sales@hd.cn"})
    html = r.get_data(as_text=True)
    assert _warned(r, existing)
    for zh in ("打开已有记录", "仍然保存", "相同的电子邮件地址"):
        assert zh in html
    for en in ("Open the existing one", "Save anyway", "Same e-mail address", "Not saved yet"):
        assert en not in html


# --- the CSV import -----------------------------------------------------------------------------------

def _dry_run(client, type_name, text, **form):
    data = dict({"file": (io.BytesIO(text.encode("utf-8")), "rows.csv"), "action": "dry_run"}, **form)
    return client.post(f"/records/{type_name}/import", data=data, content_type="multipart/form-data")


def _commit(client, type_name, text, **form):
    return client.post(f"/records/{type_name}/import", data=dict({"csv_text": text, "action": "commit"}, **form))


def test_the_import_shows_likely_duplicates_by_each_rule_and_imports_them_unless_skipped(school, as_user):
    owner = school["owner"]
    by_email = make_account(owner, name="甲公司", email="jia@x.cn")
    by_phone = make_account(owner, name="乙公司", phone="+86 21 6666 7777")
    by_name = make_account(owner, name="Bing  Trading")
    text = ("name,phone,email\n"
            "甲贸易,,JIA@x.cn\n"          # line 2: same e-mail, other name
            "乙贸易,021-66667777,\n"      # line 3: same phone
            "bing trading,,\n"            # line 4: same name
            "丁公司,,ding@x.cn\n")        # line 5: new
    client = as_user(owner)
    html = _dry_run(client, "account", text, key_set="1", key="name").get_data(as_text=True)
    assert 'data-likely-duplicates="3"' in html
    for record in (by_email, by_phone, by_name):
        assert f'data-duplicate="{record.id}"' in html
    for reason in ("Same e-mail address", "Same phone number", "Same name"):
        assert reason in html
    before = _count(Account)
    r = _commit(client, "account", text, key_set="1", key="name", row_3="skip")
    assert r.status_code == 302
    assert _count(Account) == before + 3      # the copy of line 3 skipped, the others imported anyway
    assert not Account.select().where(Account.name == "乙贸易").exists()


def test_the_import_shows_no_likely_duplicate_the_importer_may_not_read(school, as_user):
    set_sharing("account", "private")
    hidden = make_account(school["outsider"], name="Carol Co", email="carol@co.cn")
    html = _dry_run(as_user(school["owner"]), "account", "name,email\nAnother,carol@co.cn\n",
                    key_set="1", key="name").get_data(as_text=True)
    assert "data-likely-duplicates" not in html and "Carol Co" not in html
    assert f'data-duplicate="{hidden.id}"' not in html


def test_the_import_warning_reads_in_chinese(school, as_user):
    make_account(school["owner"], name="甲公司", email="jia@x.cn")
    html = _dry_run(as_user(school["owner"], language="zh-CN"), "account", "name,email\n甲贸易,jia@x.cn\n",
                    key_set="1", key="name").get_data(as_text=True)
    assert "data-likely-duplicates" in html and "仍然导入" in html and "相同的电子邮件地址" in html
    assert "Import anyway" not in html and "look like records" not in html



def test_a_line_with_the_key_of_an_earlier_line_is_shown_and_imported_unless_skipped(school, as_user):
    text = ("name,email\n"
            "甲公司,jia@x.cn\n"
            "乙公司,bing@x.cn\n"
            "甲分公司,JIA@x.cn\n"     # line 4: line 2's e-mail, in other letters
            "丙公司,\n"              # an empty key matches nothing, not even another empty one
            "丁公司,\n"
            "甲总公司,jia@x.cn\n")    # line 7: line 2's e-mail again
    client = as_user(school["owner"])
    before = _count(Account)
    html = _dry_run(client, "account", text).get_data(as_text=True)   # the guessed key: the e-mail address
    assert 'data-repeated-lines="2"' in html
    assert "2 lines have the same E-mail as an earlier line of this file." in html
    repeated = html[html.index("data-import-repeated"):]
    assert re.findall(r'data-line="(\d+)">\s*<td>\d+</td><td data-same-as="(\d+)"', repeated) == [("4", "2"), ("7", "2")]
    assert _count(Account) == before
    assert _commit(client, "account", text, row_7="skip").status_code == 302
    names = {a.name for a in Account.select()}
    assert {"甲公司", "乙公司", "甲分公司", "丙公司", "丁公司"} <= names and "甲总公司" not in names
    assert _count(Account) == before + 5


def test_the_repeated_lines_read_in_chinese_for_a_key_of_two_fields(school, as_user):
    text = "name,phone\n甲公司,021-1\n甲公司,021-2\n甲公司,021-1\n"
    html = _dry_run(as_user(school["owner"], language="zh-CN"), "account", text, key_set="1",
                    key=["name", "phone"]).get_data(as_text=True)
    assert 'data-repeated-lines="1"' in html and "客户名称和电话与本文件前面某一行相同" in html
    assert '<td data-same-as="2">2</td>' in html and "Import anyway" not in html
