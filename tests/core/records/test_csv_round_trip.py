"""CSV round trip (issue 16, item 12): the app's own export imports back unchanged whatever the delimiter,
BOM or encoding; a second import of the same file finds its duplicates among the records the importer may
see, and skips, updates (only what differs, audited) or copies them, for all rows or row by row; a bad row
names its line and column in both languages. Everything through HTTP, the import pages as rendered."""
import csv
import datetime as dt
import io
import json
import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from core.models import Account, AuditEntry, Contact, Opportunity, SalesStage
from core.records import registry
from tests.core.records.conftest import make_account, set_sharing

OPPORTUNITY_FIELDS = ("name", "account_id", "contact_id", "amount", "stage_id", "probability", "close_date",
                      "type", "lead_source", "next_step", "description", "owner_id")
CONTACT_FIELDS = ("last_name", "first_name", "account_id", "title", "phone", "email", "owner_id")
TRICKY = ["=1+1", "+86 10 6552 0000", "-5", "@x", "北京智欣科技, \"总部\"", "第一行\n第二行", "'=已有引号"]


class _Form(HTMLParser):
    """The values the import page's form would submit: hidden fields, chosen options, ticked boxes."""

    def __init__(self, html):
        super().__init__()
        self.values, self._select = [], None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and a.get("type") == "hidden" and a.get("name") != "csrf_token":
            self.values.append((a["name"], a.get("value", "")))
        elif tag == "input" and a.get("type") == "checkbox" and "checked" in a:
            self.values.append((a["name"], a["value"]))
        elif tag == "select":
            self._select = a["name"]
        elif tag == "option" and self._select and "selected" in a:
            self.values.append((self._select, a["value"]))

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def upload(client, type_name, data, **form):
    form["file"] = (io.BytesIO(data), "import.csv")
    return client.post(f"/records/{type_name}/import", data=form, content_type="multipart/form-data")


def resubmit(client, type_name, page, action, **changes):
    """Press a button of the rendered import page, after changing some of its fields."""
    values = [(k, v) for k, v in _Form(page.get_data(as_text=True)).values if k not in changes]
    values += [(k, v) for k, vs in changes.items() for v in (vs if isinstance(vs, list) else [vs])]
    values.append(("action", action))
    body = {}
    for k, v in values:
        body.setdefault(k, []).append(v)
    return client.post(f"/records/{type_name}/import", data=body)


def export(client, type_name):
    response = client.get(f"/records/{type_name}/export.csv")
    assert response.status_code == 200
    return response.get_data()


def import_file(client, type_name, data, **changes):
    """Upload, dry run, commit — as a person would; returns the dry run's page."""
    page = upload(client, type_name, data)
    assert page.status_code == 200, page.get_data(as_text=True)[-2000:]
    dry = resubmit(client, type_name, page, "dry_run", **changes)
    assert dry.status_code == 200 and "data-dry-run-ok" in dry.get_data(as_text=True), \
        dry.get_data(as_text=True)[-3000:]
    done = resubmit(client, type_name, dry, "commit", **changes)
    assert done.status_code == 302, done.get_data(as_text=True)[-3000:]
    return dry


def values(model, fields):
    return sorted((tuple(getattr(r, f) for f in fields) for r in model.select()), key=repr)


def rewrite(data, delimiter=",", bom=True, encoding="utf-8"):
    """The exported file as another program saves it: another delimiter, no BOM, GB18030."""
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=delimiter).writerows(rows)
    return ("\ufeff" if bom else "").encode(encoding) + out.getvalue().encode(encoding)


def stage(name):
    return SalesStage.get(SalesStage.name == name)


def tricky_opportunities(owner):
    account = make_account(owner, name="华东, \"机械\" 有限公司")
    contact = Contact.create(last_name="王", first_name="芳", account=account, owner=owner)
    for i, text in enumerate(TRICKY):
        Opportunity.create(name=text, account=account if i % 2 else None, contact=contact if i == 3 else None,
                           amount=Decimal("12345.60") + i, stage=stage(["Proposal", "Closed Won"][i % 2]),
                           probability=10 * i, close_date=dt.date(2026, 6, 1) + dt.timedelta(days=40 * i),
                           type=["renewal", "new_business", "existing_business"][i % 3],
                           lead_source=["", "web", "trade_show"][i % 3], next_step=TRICKY[-1 - i],
                           description=f"{text}\r\n说明，\"引号\"", owner=owner)


@pytest.mark.parametrize("language", ["en", "zh"])
def test_an_exported_opportunity_list_imports_into_an_emptied_table_field_by_field(school, as_user, language):
    tricky_opportunities(school["owner"])
    before = values(Opportunity, OPPORTUNITY_FIELDS)
    client = as_user(school["owner"], language)
    data = export(client, "opportunity")
    Opportunity.delete().execute()
    import_file(client, "opportunity", data)
    assert values(Opportunity, OPPORTUNITY_FIELDS) == before


@pytest.mark.parametrize("delimiter,bom,encoding", [(";", True, "utf-8"), ("\t", False, "utf-8"),
                                                    (";", False, "gb18030"), (",", False, "gb18030")])
def test_an_export_saved_with_semicolons_tabs_without_bom_or_in_gb18030_imports_the_same(
        school, as_user, delimiter, bom, encoding):
    tricky_opportunities(school["owner"])
    before = values(Opportunity, OPPORTUNITY_FIELDS)
    client = as_user(school["owner"], "zh")
    data = rewrite(export(client, "opportunity"), delimiter, bom, encoding)
    Opportunity.delete().execute()
    import_file(client, "opportunity", data)
    assert values(Opportunity, OPPORTUNITY_FIELDS) == before


TEXT = st.text(alphabet=st.sampled_from("'=+-@|\t\n\r,;\"0123456789 .%aZ王芳智欣"), min_size=1, max_size=40) \
    .map(str.strip).filter(bool)
OPPORTUNITIES = st.lists(st.tuples(
    TEXT, st.one_of(st.just(""), TEXT), st.decimals(min_value=0, max_value=10**9, places=2),
    st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2099, 12, 31)),
    st.sampled_from(["Prospecting", "Negotiation", "Closed Lost"]), st.integers(0, 100),
    st.sampled_from(["new_business", "renewal"]), st.booleans()), min_size=1, max_size=4)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(OPPORTUNITIES, st.sampled_from([",", ";", "\t"]), st.sampled_from(["en", "zh"]))
def test_any_exported_opportunities_import_back_with_the_same_values(school, as_user, rows, delimiter, language):
    Opportunity.delete().execute()
    Account.delete().execute()
    account = make_account(school["owner"], name="智欣, \"客户\"")
    for name, description, amount, close, stage_name, probability, kind, linked in rows:
        Opportunity.create(name=name, description=description, next_step=description, amount=amount,
                           close_date=close, stage=stage(stage_name), probability=probability, type=kind,
                           account=account if linked else None, owner=school["owner"])
    before = values(Opportunity, OPPORTUNITY_FIELDS)
    client = as_user(school["owner"], language)
    data = rewrite(export(client, "opportunity"), delimiter)
    Opportunity.delete().execute()
    import_file(client, "opportunity", data)
    assert values(Opportunity, OPPORTUNITY_FIELDS) == before


# --- importing the same file again ---------------------------------------------------------------------

def some_contacts(owner):
    account = make_account(owner, name="华东机械")
    for i, last in enumerate(["=王", "李, 四", "赵\n五"]):
        Contact.create(last_name=last, first_name="芳", account=account if i else None, title=f"经理{i}",
                       phone=f"021-5888 000{i}", email=f"c{i}@example.cn", owner=owner)


def test_importing_an_export_again_reports_every_row_as_a_duplicate_and_skip_creates_nothing(school, as_user):
    some_contacts(school["owner"])
    before = values(Contact, CONTACT_FIELDS)
    client = as_user(school["owner"])
    audits = AuditEntry.select().count()
    dry = import_file(client, "contact", export(client, "contact"))
    html = dry.get_data(as_text=True)
    assert 'data-duplicates="3"' in html and "3 rows match records that already exist." in html
    assert values(Contact, CONTACT_FIELDS) == before and AuditEntry.select().count() == audits


def test_the_duplicate_key_is_the_importers_choice(school, as_user):
    some_contacts(school["owner"])
    client = as_user(school["owner"])
    data = export(client, "contact").decode("utf-8-sig").replace("@example.cn", "@example.com").encode()
    page = upload(client, "contact", data)
    by_email = resubmit(client, "contact", page, "dry_run")
    assert 'data-duplicates' not in by_email.get_data(as_text=True)     # the e-mail key: all new
    by_name = resubmit(client, "contact", page, "dry_run", key=["last_name", "account"])
    assert 'data-duplicates="3"' in by_name.get_data(as_text=True)


def test_update_changes_only_the_differing_fields_and_audits_them(school, as_user):
    some_contacts(school["owner"])
    client = as_user(school["owner"])
    data = export(client, "contact").decode("utf-8-sig").replace("经理1", "总监").encode()
    changed = Contact.get(Contact.title == "经理1")
    before = {c.id: {f: getattr(c, f) for f in CONTACT_FIELDS} for c in Contact.select()}
    audits = AuditEntry.select().count()
    dry = import_file(client, "contact", data, on_duplicate="update")
    assert "Nothing differs." in dry.get_data(as_text=True)
    after = {c.id: {f: getattr(c, f) for f in CONTACT_FIELDS} for c in Contact.select()}
    before[changed.id]["title"] = "总监"
    assert after == before
    entries = list(AuditEntry.select().where(AuditEntry.id > 0).order_by(AuditEntry.id))[audits:]
    assert [(e.record_id, e.action, json.loads(e.changes)) for e in entries] == \
        [(changed.id, "update", {"title": ["经理1", "总监"]})]


def test_create_makes_copies_and_a_row_can_differ_from_the_default(school, as_user):
    some_contacts(school["owner"])
    client = as_user(school["owner"])
    data = export(client, "contact")
    before = values(Contact, CONTACT_FIELDS)
    import_file(client, "contact", data, on_duplicate="create")
    assert values(Contact, CONTACT_FIELDS) == sorted(before * 2, key=repr)
    Contact.delete().where(Contact.id.not_in([c.id for c in Contact.select().order_by(Contact.id).limit(3)])) \
        .execute()
    line_3 = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))[2]   # the second contact
    import_file(client, "contact", data, on_duplicate="skip", row_3="create")
    copy = Contact.select().order_by(Contact.id.desc()).first()
    assert Contact.select().count() == 4 and copy.title == line_3[3]


# --- visibility ----------------------------------------------------------------------------------------

def test_duplicates_are_only_found_among_records_the_importer_can_see(school, as_user):
    make_account(school["outsider"], name="同名客户", phone="021-0000 0001")
    own = make_account(school["owner"], name="自己的客户")
    client = as_user(school["owner"])
    dry = upload(client, "account", "Account name,Phone\n同名客户,021-0000 0002\n自己的客户,\n".encode(),
                 action="dry_run")
    html = dry.get_data(as_text=True)
    assert "data-dry-run-ok" in html and 'data-duplicates="1"' in html and f"/records/account/{own.id}" in html
    assert "021-0000 0001" not in html
    own.delete_instance()
    import_file(client, "account", "Account name,Phone\n同名客户,021-0000 0002\n".encode(), on_duplicate="update")
    assert sorted((a.owner_id, a.phone) for a in Account.select()) == sorted(
        [(school["outsider"].id, "021-0000 0001"), (school["owner"].id, "021-0000 0002")])


def test_an_update_never_touches_a_record_the_importer_may_only_read(school, as_user):
    set_sharing("account", "read")
    theirs = make_account(school["peer"], name="同事的客户", phone="021-0000 0001")
    client = as_user(school["owner"])
    text = "Account name,Phone\n同事的客户,021-0000 0009\n".encode()
    dry = upload(client, "account", text, action="dry_run", on_duplicate="update")
    html = dry.get_data(as_text=True)
    assert 'data-duplicates="1"' in html and "data-refused" in html
    done = resubmit(client, "account", dry, "commit")
    assert done.status_code == 302
    assert Account.get_by_id(theirs.id).phone == "021-0000 0001" and Account.select().count() == 1
    listing = client.get("/records/account/").get_data(as_text=True)
    assert "1 rows were not imported: they match a record you may not change." in listing
    assert not AuditEntry.select().where(AuditEntry.record_id == theirs.id, AuditEntry.action == "update").exists()


# --- bad rows, both languages --------------------------------------------------------------------------

def bad_amount_file(header):
    rows = [header] + [[f"单{i}", "2026-06-30", "Proposal", "100"] for i in range(2, 7)] + \
        [["坏单", "2026-06-30", "Proposal", "很多"]]
    rows[2][0] = "两行\n的名字"      # a line break inside a cell: still one spreadsheet line
    out = io.StringIO(newline="")
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


@pytest.mark.parametrize("language,header,expected", [
    ("en", ["Opportunity name", "Expected close date", "Sales stage", "Amount"],
     "Line 7, column Amount: Not a valid decimal value."),
    ("zh", ["销售机会名称", "预计成交日期", "销售阶段", "金额"], "第 7 行，“金额”列：不是有效的"),   # WTForms' own message follows
])
def test_a_bad_row_names_its_line_and_column(school, as_user, language, header, expected):
    client = as_user(school["owner"], language)
    page = upload(client, "opportunity", bad_amount_file(header), action="dry_run")
    html = page.get_data(as_text=True)
    assert page.status_code == 400 and expected in html
    assert set(re.findall(r'<li data-line="([0-9]+)"', html)) == {"7"} and Opportunity.select().count() == 0


def test_the_import_page_reads_in_chinese(school, as_user):
    some_contacts(school["owner"])
    client = as_user(school["owner"], "zh")
    page = upload(client, "contact", export(client, "contact"), action="dry_run", on_duplicate="update")
    html = page.get_data(as_text=True)
    for text in ("已存在的记录", "对每条重复的行", "跳过", "更新", "另建一条", "3 行与已有记录相同。", "没有不同之处。"):
        assert text in html, text


def test_every_importable_record_type_offers_the_duplicate_check(make_app, make_user, login):
    app = make_app()
    with app.app_context():
        client = login(app.test_client(), make_user("root", admin=True))
        types = [rt for rt in registry.registry(app).values() if rt.form is not None and rt.importable]
        assert {"account", "contact", "lead", "opportunity", "competitor"} <= {rt.name for rt in types}
        for rt in types:
            page = upload(client, rt.name, export(client, rt.name), action="dry_run")
            html = page.get_data(as_text=True)
            assert page.status_code in (200, 400) and "data-import-key" in html, rt.name
