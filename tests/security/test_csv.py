"""CSV formulas (issue 15, item 13): every export defuses a cell a spreadsheet would run (``=``, ``+``, ``-``,
``@``, ``|``, tab, CR: a leading apostrophe), and every import takes that apostrophe off again, so the app's
own export re-imports unchanged — ``+86…`` phones, ``=`` and ``-`` names; a plain negative number stays a
number. Through HTTP, pages in Chinese, on the test database."""
import csv
import datetime as dt
import io
import re
import urllib.parse

from hypothesis import HealthCheck, given, settings, strategies as st

from core.models import Account, Contact, Opportunity, SalesStage, User

FIELDS = {"account": ("name", "type", "industry", "phone"),
          "contact": ("last_name", "first_name", "title", "phone", "email")}


def rows_of(text):
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def export(client, type_name):
    response = client.get(f"/records/{type_name}/export.csv")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def reimport(client, type_name, text):
    """Upload the export (the mapping guessed from its Chinese header), then commit it."""
    page = client.post(f"/records/{type_name}/import", data={"file": (io.BytesIO(text.encode()), "x.csv")},
                       content_type="multipart/form-data")
    assert page.status_code == 200 and "CSV" in page.get_data(as_text=True)
    done = client.post(f"/records/{type_name}/import", data={"csv_text": text[1:], "action": "commit"})
    assert done.status_code == 302, done.get_data(as_text=True)[-1500:]


def values(model, type_name):
    return sorted(tuple(getattr(r, f) for f in FIELDS[type_name]) + (r.owner_id,) for r in model.select())


def round_trip(client, model, type_name):
    """Export, delete, import the export: the records come back with the same values."""
    before = values(model, type_name)
    text = export(client, type_name)
    model.delete().execute()
    reimport(client, type_name, text)
    assert values(model, type_name) == before
    return text


def test_a_phone_a_formula_name_and_a_dash_name_come_back_unchanged(client, school, login):
    alice = school["alice"]
    User.update(language="zh").where(User.id == alice.id).execute()
    Account.create(name="=HYPERLINK(\"http://x.cn\",\"点我\")", phone="+86 21 5888 0000", owner=alice,
                   type="customer")
    Account.create(name="-10% 折扣客户", phone="021-5888 0001", owner=alice, type="partner", industry="finance")
    Account.create(name="'+ 引号开头", owner=alice, type="customer")
    text = round_trip(login(client, alice), Account, "account")
    assert "客户名称" in text.splitlines()[0]  # the Chinese export, read back by its Chinese header
    cells = {cell for row in rows_of(text)[1:] for cell in row}
    assert {"'=HYPERLINK(\"http://x.cn\",\"点我\")", "'+86 21 5888 0000", "'-10% 折扣客户", "''+ 引号开头"} <= cells
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)


def test_a_formula_name_is_exported_as_text_and_the_amount_as_a_number(client, school, login, frozen_clock):
    alice = school["alice"]
    stage = SalesStage.select().order_by(SalesStage.order).first()
    Opportunity.create(name="@SUM(A1:A9)", owner=alice, stage=stage, amount=12, close_date=dt.date(2026, 6, 30))
    text = export(login(client, alice), "opportunity")
    row = rows_of(text)[1]
    assert row[0] == "'@SUM(A1:A9)" and row[2] == "12.00"


NAMES = st.text(alphabet=st.sampled_from("'=+-@|0123456789 .%()aZ王芳"), min_size=1, max_size=30).filter(
    lambda s: s == s.strip())
PHONES = st.from_regex(r"\A\+?[0-9][0-9 ()\-]{4,20}[0-9]\Z")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(NAMES, NAMES, st.one_of(st.just(""), PHONES)), min_size=1, max_size=3))
def test_any_exported_contact_imports_back_with_the_same_values(client, school, login, contacts):
    alice = school["alice"]
    Contact.delete().execute()
    for last, first, phone in contacts:
        Contact.create(last_name=last, first_name=first, title=last, phone=phone, email="", owner=alice)
    round_trip(login(client, alice), Contact, "contact")


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(NAMES, st.one_of(st.just(""), PHONES), st.sampled_from(["customer", "partner", "competitor"]))
def test_any_exported_account_imports_back_with_the_same_values(client, school, login, name, phone, kind):
    Account.delete().execute()
    Account.create(name=name, phone=phone, type=kind, owner=school["alice"])
    round_trip(login(client, school["alice"]), Account, "account")


def test_the_roster_password_sheet_defuses_names_and_the_roster_import_restores_them(app, make_user, login):
    client = login(app.test_client(), make_user("root", admin=True, language="zh"))
    roster = "学号,姓名,岗位\r\ns1,\"'=SUM(1,2)\",教师/一班/1部/销售员\r\ns2,\"'+86 王\",教师/一班/1部/销售员\r\n"
    page = client.post("/classroom/roster", data={"action": "commit", "create_missing": "y", "file": (
        io.BytesIO(roster.encode()), "roster.csv")}, content_type="multipart/form-data")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "data-password-sheet" in html
    assert User.get(User.username == "s1").full_name == "=SUM(1,2)"
    assert User.get(User.username == "s2").full_name == "+86 王"
    sheet = urllib.parse.unquote(re.search(r'href="data:text/csv;charset=utf-8,([^"]*)"', html).group(1))
    names = {row[1] for row in rows_of(sheet.replace("&amp;", "&"))[1:]}
    assert names == {"'=SUM(1,2)", "'+86 王"}
