"""The quote-to-cash exercise (lab.quote_to_invoice) passes exactly when the student, through the pages, quotes
their customer 3 printers at 5 % off, turns that quote into a sales order and issues its invoice; each check
fails with its own message otherwise; other people's documents never count; opening it for one class changes
nothing of another class or of the school but adding the printer to the catalogue once.

Runs on the database ZHIXIN_TEST_DATABASE_URL names (emptied: every table is dropped before each test), else
on a temporary SQLite file."""
import datetime as dt
import json
import os
import re
from decimal import Decimal

import peewee
import pytest

from core import clock, positions
from core.app import create_app
from core.classroom import modules
from core.classroom.exercises import all_exercises, available_for, check
from core.db import db, make_database
from core.exercises import call_with, run_checks
from core.migrate import upgrade
from core.models import Account, Contact, Product, User
from core.search import data_tables

from zhixin_lab_exercises.quote_to_cash import CUSTOMER, PRINTER

EXERCISE = "lab.quote_to_invoice"
T0 = dt.datetime(2026, 3, 2, 1, 0)
CHECKS = ("quote", "order", "invoice")


def _fresh_database(tmp_path):
    url = os.environ.get("ZHIXIN_TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_path}/test.db"
    database = make_database(url)
    database.connect()
    if isinstance(database, peewee.PostgresqlDatabase):
        database.execute_sql("DROP SCHEMA public CASCADE")
        database.execute_sql("CREATE SCHEMA public")
    else:
        database.execute_sql("SET FOREIGN_KEY_CHECKS=0")
        for table in database.get_tables():
            database.execute_sql(f"DROP TABLE `{table}`")
        database.execute_sql("SET FOREIGN_KEY_CHECKS=1")
    database.close()
    return url


@pytest.fixture
def app(tmp_path):
    app = create_app({"DATABASE_URL": _fresh_database(tmp_path), "PLUGINS": ["lab_exercises", "sales"],
                      "TESTING": True, "WTF_CSRF_ENABLED": False, "SECRET_KEY": "test",
                      "INSTANCE_PATH": str(tmp_path), "PASSWORD_METHOD": "pbkdf2:sha256:1000"})
    upgrade(app)
    clock.freeze(T0)
    with app.test_request_context(headers={"Accept-Language": "en"}):  # each request opens and closes its own
        yield app                                                          # connection, as the pages do
    clock.freeze(None)
    if not db.is_closed():
        db.close()


@pytest.fixture
def school(app):
    """A teacher above class A (ann and ben, in one sales position) and class B (cat)."""
    teacher_pos = positions.create("Teacher")
    out = {"teacher": _user("teacher", teacher_pos)}
    for key, names in (("a", ("ann", "ben")), ("b", ("cat",))):
        cls = positions.create(f"Class {key.upper()}", teacher_pos)
        sales = positions.create(f"Sales {key.upper()}", positions.create(f"Dept {key.upper()}", cls))
        out[f"class_{key}"] = cls
        out.update({name: _user(name, sales) for name in names})
    return out


def _user(name, position):
    user = User(username=name, language="en", position=position)
    user.set_password("student-pass-1", method="pbkdf2:sha256:1000")
    user.save()
    return user


def _client(app, user):
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True
    return client


def _exercise(app):
    return next(e for e in all_exercises(app) if e.id == EXERCISE)


def _open(app, school, cls="class_a"):
    """The teacher opens the exercise for the class through its page, a minute after T0."""
    clock.freeze(T0 + dt.timedelta(minutes=1))
    teacher = _client(app, school["teacher"])
    assert teacher.post(f"/classroom/classes/{school[cls].id}/exercises/{EXERCISE}/open").status_code == 302
    clock.freeze(T0 + dt.timedelta(minutes=2))


def _results(user):
    """{"quote"|"order"|"invoice": (passed, message)} of the exercise's three checks for ``user``."""
    exercise = next(e for e in available_for(user) if e.id == EXERCISE)
    since = T0 + dt.timedelta(minutes=1)
    return {name: tuple(call_with(c, user=user, since=since)) for name, c in zip(CHECKS, exercise.checks)}


def _passed(user):
    return {name: passed for name, (passed, _message) in _results(user).items()}


def _id_from(response):
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    return int(re.search(r"/(\d+)$", response.headers["Location"]).group(1))


def _act(client, kind, doc_id, action):
    assert client.get(f"/sales/{kind}/{doc_id}/do/{action}").status_code == 200
    return _id_from(client.post(f"/sales/{kind}/{doc_id}/do/{action}"))


def _customer(user):
    return Account.get((Account.owner == user.id) & (Account.name == CUSTOMER))


def _printer():
    return Product.get(Product.code == PRINTER["code"])


def work(client, account, quantity="3", percent="5", amount="", upto="issue", document_discount=None, owner=None):
    """The work through the pages: a quote for ``account`` (owned by ``owner``, else by whoever makes it) with one
    printer line (and then ``document_discount`` on the whole quote), then as far as ``upto`` ("lines",
    "order", "invoice" or "issue"). Returns the ids of the documents reached: {"quote", "order", "invoice"}."""
    header = {"account": account.id, "valid_until": "2026-04-01", "discount": "0", "shipping": "0"}
    done = {"quote": _id_from(client.post("/records/quote/new", data=header))}
    if owner is not None:  # handed over with the list's "reassign"
        assert client.post("/records/quote/reassign", data={"ids": done["quote"], "owner": owner.id}).status_code == 302
    saved = client.post(f"/sales/quote/{done['quote']}/lines", data={
        "lines-0-product": _printer().id, "lines-0-quantity": quantity, "lines-0-unit_price": "",
        "lines-0-discount_percent": percent, "lines-0-discount_amount": amount, "lines-0-tax_rate": "13"})
    assert saved.status_code == 302, saved.get_data(as_text=True)[-2000:]
    if document_discount is not None:
        _id_from(client.post(f"/records/quote/{done['quote']}/edit", data=dict(header, discount=document_discount)))
    if upto == "lines":
        return done
    _act(client, "quote", done["quote"], "send")
    _act(client, "quote", done["quote"], "accept")
    done["order"] = _act(client, "quote", done["quote"], "order")
    if upto == "order":
        return done
    done["invoice"] = _act(client, "sales_order", done["order"], "invoice")
    if upto == "invoice":
        return done
    _act(client, "invoice", done["invoice"], "issue")
    return done


# --- offered where Sales is on ----------------------------------------------------------------------------

def test_offered_with_sales_on_and_hidden_in_a_class_where_it_is_off(app, school):
    assert EXERCISE in [e.id for e in available_for(school["ann"])]
    modules.set_state("sales", school["class_a"], on=False)
    assert EXERCISE not in [e.id for e in available_for(school["ann"])]
    assert EXERCISE in [e.id for e in available_for(school["cat"])]
    exercise = _exercise(app)
    assert exercise.modules == ("sales",)
    result = run_checks(exercise, school["ann"], T0)  # if a check runs anyway, it says why it cannot pass
    assert not result.passed
    assert result.message.split("\n") == ["The Sales module is off for your class, so this exercise cannot be done."] * 3


# --- the set-up -------------------------------------------------------------------------------------------

def test_opening_seeds_each_student_a_customer_and_the_school_one_printer(app, school):
    _open(app, school)
    _open(app, school)  # opening again adds nothing
    _open(app, school, "class_b")
    for name in ("ann", "ben", "cat"):
        account = _customer(school[name])
        assert Contact.select().where((Contact.owner == school[name].id) & (Contact.account == account.id)
                                      & (Contact.last_name == "林")).count() == 1
    assert Account.select().where(Account.name == CUSTOMER).count() == 3
    assert Product.select().count() == 1
    assert (_printer().name, _printer().unit_price) == ("激光打印机 / Laser printer", Decimal("2600.00"))
    assert not any(_passed(school["ann"]).values())  # the seeded customer is not the student's work


def test_a_printer_already_in_the_catalogue_is_used_not_duplicated(app, school):
    Product.create(code=PRINTER["code"], name="Laser printer (ours)", unit_price=Decimal("2999.00"))
    _open(app, school)
    assert Product.select().count() == 1 and _printer().name == "Laser printer (ours)"
    ann = school["ann"]
    work(_client(app, ann), _customer(ann))
    assert _passed(ann) == {"quote": True, "order": True, "invoice": True}


# --- the checks -------------------------------------------------------------------------------------------

def test_doing_it_through_the_pages_passes_every_check_step_by_step(app, school):
    _open(app, school)
    ann, client = school["ann"], _client(app, school["ann"])
    results = _results(ann)
    assert results["quote"] == (False, f"Create a quote for your customer {CUSTOMER} (Quotes → New).")
    assert not results["order"][0] and not results["invoice"][0]

    done = work(client, _customer(ann), upto="lines")
    results = _results(ann)
    assert results["quote"][0] and "3 printers" in results["quote"][1]
    assert results["order"] == (False, "Send the printer quote, mark it accepted, then create a sales order from it.")
    assert results["invoice"] == (False, "Create the invoice from the sales order (Create invoice) and issue it.")
    _act(client, "quote", done["quote"], "send")
    _act(client, "quote", done["quote"], "accept")
    assert _results(ann)["order"] == (False, "Create the sales order from the accepted quote (Create sales order).")
    order = _act(client, "quote", done["quote"], "order")
    results = _results(ann)
    assert results["order"][0] and results["order"][1].startswith("Sales order SO-2026-")
    assert not results["invoice"][0]
    invoice = _act(client, "sales_order", order, "invoice")
    message = _results(ann)["invoice"]
    assert not message[0] and re.fullmatch(r"Issue the invoice INV-2026-\d+ \(Issue invoice\)\.", message[1])
    _act(client, "invoice", invoice, "issue")
    assert _passed(ann) == {"quote": True, "order": True, "invoice": True}
    result = check(ann)[EXERCISE]  # the gradebook's own check: one attempt, passed, the full points
    assert result.passed and len(result.message.split("\n")) == 3


def test_an_invoice_straight_from_the_accepted_quote_counts_for_the_invoice_only(app, school):
    _open(app, school)
    ann, client = school["ann"], _client(app, school["ann"])
    done = work(client, _customer(ann), upto="lines")
    _act(client, "quote", done["quote"], "send")
    _act(client, "quote", done["quote"], "accept")
    _act(client, "invoice", _act(client, "quote", done["quote"], "invoice"), "issue")
    assert _passed(ann) == {"quote": True, "order": False, "invoice": True}


def test_two_printers_fail_the_quote_check_and_so_the_rest(app, school):
    _open(app, school)
    ann = school["ann"]
    work(_client(app, ann), _customer(ann), quantity="2")
    results = _results(ann)
    assert results["quote"] == (False, "The printer line must be for 3 printers (yours: 2).")
    assert not results["order"][0] and not results["invoice"][0]


def test_a_missing_line_discount_fails_the_quote_check_the_equal_amount_passes(app, school):
    _open(app, school)
    ann, ben = school["ann"], school["ben"]
    work(_client(app, ann), _customer(ann), percent="", document_discount="390.00",
         upto="lines")  # the document's discount, not the line's
    assert _results(ann)["quote"] == (
        False, "Give the printer line a 5 % discount (the line's Discount (%), not the document's discount).")
    work(_client(app, ann), _customer(ann), percent="4")
    assert not _passed(ann)["quote"]
    work(_client(app, ben), _customer(ben), percent="", amount="390.00")  # 5 % of 3 × 2,600.00
    assert _passed(ben) == {"quote": True, "order": True, "invoice": True}


def test_a_quote_for_another_customer_or_a_lowered_price_fails(app, school):
    _open(app, school)
    ann, client = school["ann"], _client(app, school["ann"])
    other = Account.create(name="Someone else", owner=ann.id)
    work(client, other)
    assert _results(ann)["quote"][1] == f"Create a quote for your customer {CUSTOMER} (Quotes → New)."
    quote = _id_from(client.post("/records/quote/new", data={"account": _customer(ann).id, "discount": "0",
                                                             "shipping": "0"}))
    client.post(f"/sales/quote/{quote}/lines", data={
        "lines-0-product": _printer().id, "lines-0-quantity": "3", "lines-0-unit_price": "2470.00",
        "lines-0-discount_percent": "", "lines-0-tax_rate": "13"})
    assert _results(ann)["quote"] == (
        False, "Keep the printer at its catalogue price (2,600.00): the discount is the 5 %.")


def test_another_students_documents_or_the_teachers_do_not_count(app, school):
    _open(app, school)
    ann, ben, teacher = school["ann"], school["ben"], school["teacher"]
    work(_client(app, ben), _customer(ben))
    assert _passed(ben) == {"quote": True, "order": True, "invoice": True}
    assert _passed(ann) == {"quote": False, "order": False, "invoice": False}
    # the teacher (above ann) does the whole work on ann's customer: the documents are ann's, the work is not
    done = work(_client(app, teacher), _customer(ann), owner=ann)
    from plugins.sales.models import Quote  # the test reads the stored row; the plugin itself never imports it
    assert Quote.get_by_id(done["quote"]).owner_id == ann.id
    assert _passed(ann) == {"quote": False, "order": False, "invoice": False}


def test_work_before_the_opening_does_not_count(app, school):
    clock.freeze(T0)
    Product.create(**PRINTER)
    ann = school["ann"]
    account = Account.create(name=CUSTOMER, owner=ann.id)
    work(_client(app, ann), account)  # the whole work at T0, before the opening
    _open(app, school)
    assert _passed(ann) == {"quote": False, "order": False, "invoice": False}


# --- opening one class changes nothing else ---------------------------------------------------------------

def _every_row():
    """{table: set of its rows as JSON} for every table of the database (not the migration history, SQLite's
    own tables, the settings cache's stamp, nor the sessions: the teacher's login gets one)."""
    quote = "`" if isinstance(db.obj, peewee.MySQLDatabase) else '"'
    out = {}
    for table in data_tables(db.obj):
        if table.endswith("_migration") or table.startswith("sqlite_") or table in ("cache_stamp",
                                                                                          "user_session"):
            continue
        cursor = db.execute_sql(f"SELECT * FROM {quote}{table}{quote}")
        names = [c[0] for c in cursor.description]
        out[table] = {json.dumps(dict(zip(names, row)), default=str, sort_keys=True) for row in cursor.fetchall()}
    return out


def test_opening_for_class_a_leaves_class_b_and_the_school_byte_for_byte(app, school):
    cat = school["cat"]
    Account.create(name=CUSTOMER, owner=cat.id)  # class B's own rows, even one named like the customer
    modules.set_state("sales", school["class_b"], on=True)
    before = _every_row()
    _open(app, school)
    after = _every_row()
    assert {t: rows - after[t] for t, rows in before.items() if rows - after[t]} == {}  # nothing changed or went
    added = {t: [json.loads(r) for r in after[t] - before[t]] for t in after if after[t] - before[t]}
    class_a = {school["ann"].id, school["ben"].id}
    assert set(added) == {"account", "contact", "product", "audit_entry", "classroom_exercise_opening"}
    assert sorted(r["owner_id"] for r in added["account"]) == sorted(class_a)
    assert sorted(r["owner_id"] for r in added["contact"]) == sorted(class_a)
    assert [r["code"] for r in added["product"]] == [PRINTER["code"]]  # the catalogue: the printer, once
    assert [r["position_id"] for r in added["classroom_exercise_opening"]] == [school["class_a"].id]
    new_ids = {("account", r["id"]) for r in added["account"]} | {("contact", r["id"]) for r in added["contact"]}
    new_ids |= {("product", r["id"]) for r in added["product"]} | {("teaching", school["class_a"].id)}
    assert {(r["record_type"], r["record_id"]) for r in added["audit_entry"]} == new_ids
    assert {r["user_id"] for r in added["audit_entry"]} == {school["teacher"].id}

    _open(app, school, "class_b")
    assert Product.select().count() == 1  # the catalogue's printer is shared, never one per class
    assert Account.select().where((Account.owner == cat.id) & (Account.name == CUSTOMER)).count() == 1


# --- in Chinese -------------------------------------------------------------------------------------------

def test_the_classroom_pages_in_chinese_show_the_title_and_the_check_messages(app, school):
    User.update(language="zh").execute()
    _open(app, school)
    ann = User.get_by_id(school["ann"].id)
    student = _client(app, ann)
    assert student.post("/classroom/exercises/check").status_code == 302
    html = student.get("/classroom/exercises").get_data(as_text=True)
    assert "报价、下单、开票：3 台打印机优惠 5%" in html
    assert "给分配给你的客户“星辰打印服务有限公司”（联系人林晓星）报价 3 台“激光打印机 / Laser printer”" in html
    assert f'data-exercise="{EXERCISE}" data-passed="no"' in html
    assert "为你的客户“星辰打印服务有限公司”新建一张报价单（报价单 → 新建）。" in html
    assert "发送打印机报价单并标记为已接受，再由它创建销售订单。" in html
    assert "由销售订单开具发票（“开具发票”），并开具此发票。" in html

    work(student, _customer(ann), quantity="2", upto="lines")
    student.post("/classroom/exercises/check")
    teacher_page = _client(app, school["teacher"]).get(f"/classroom/students/{ann.id}").get_data(as_text=True)
    assert "报价、下单、开票：3 台打印机优惠 5%" in teacher_page
    assert "打印机明细行的数量应为 3 台（你的：2）。" in teacher_page

    work(student, _customer(ann))
    student.post("/classroom/exercises/check")
    html = student.get("/classroom/exercises").get_data(as_text=True)
    assert f'data-exercise="{EXERCISE}" data-passed="yes"' in html
    assert re.search(r"报价单 Q-2026-\d+：为“星辰打印服务有限公司”报价 3 台打印机，优惠 5%。", html)
    assert re.search(r"发票 INV-2026-\d+ 已开具。", html)
