"""core.db.FieldContext writes a model field's SQL its own short way: every query must come out as Peewee's own
Context writes it, text and parameters — the shapes Peewee is tricky about on each backend's quoting, and
every query the demo school's loading and a crawl of its pages run (and every row they read is built as Peewee
builds it)."""
import contextlib
import datetime as dt

import peewee
import pytest

from core.db import FieldContext, db
from core.demo import load_demo
from core.models import Account, Contact, Opportunity, User
from tests.core.test_fast_rows import rows_compared_with_peewee
from tests.i18n.test_demo_pages_zh import crawl_as_teacher_and_student

BACKENDS = [peewee.SqliteDatabase, peewee.PostgresqlDatabase, peewee.MySQLDatabase]


def both_ways(database, query):
    options = database.get_context_options()
    return FieldContext(**options).sql(query).query(), peewee.Context(**options).sql(query).query()


def shapes():
    """Queries whose field SQL depends on the scope, the aliases or the field's class."""
    parent, owner = Account.alias("parent"), User.alias()
    newest = (Opportunity.select(Opportunity.account, peewee.fn.MAX(Opportunity.close_date).alias("last"))
              .group_by(Opportunity.account).cte("newest", columns=("account_id", "last")))
    yield "select with joins", (Opportunity.select(Opportunity, Account.name, User.username)
                                .join(Account).switch(Opportunity).join(User, on=Opportunity.owner == User.id)
                                .where(Opportunity.amount > 5, Account.name.contains("x"))
                                .order_by(Opportunity.close_date.desc(), Opportunity.id).limit(20))
    yield "model aliases (FieldAlias)", (Account.select(Account.name, parent.name, owner.username)
                                         .join(parent, on=Account.parent == parent.id)
                                         .switch(Account).join(owner, on=Account.owner == owner.id))
    yield "subquery in IN", Contact.select().where(Contact.account.in_(
        Account.select(Account.id).where(Account.owner == 3)))
    yield "correlated subquery", Account.select(Account.name, Opportunity.select(peewee.fn.COUNT(Opportunity.id))
                                                .where(Opportunity.account == Account.id).alias("n"))
    yield "common table expression", (Account.select(Account.name, newest.c.last).join(
        newest, on=Account.id == newest.c.account_id).with_cte(newest))
    yield "insert (VALUES scope)", Account.insert(name="A", owner=1, created_at=dt.datetime(2026, 1, 2))
    yield "insert of many rows", Account.insert_many([("A", 1), ("B", 2)], fields=[Account.name, Account.owner])
    yield "update", Account.update(name=Account.name.concat("!"), employees=Account.employees + 1).where(
        Account.id == 4)
    yield "delete", Account.delete().where(Account.owner.in_([1, 2]))
    yield "group by and having", (Opportunity.select(Opportunity.owner, peewee.fn.SUM(Opportunity.amount))
                                  .group_by(Opportunity.owner).having(peewee.fn.COUNT(Opportunity.id) > 2))
    yield "case and window", Opportunity.select(
        peewee.Case(Opportunity.stage, ((1, "a"),), "b"),
        peewee.fn.ROW_NUMBER().over(partition_by=[Opportunity.owner], order_by=[Opportunity.amount.desc()]))
    yield "union", Account.select(Account.name).union_all(Contact.select(Contact.last_name))


@pytest.mark.parametrize("backend", BACKENDS, ids=lambda b: b.__name__)
@pytest.mark.parametrize("name, query", list(shapes()), ids=[name for name, _ in shapes()])
def test_query_shapes_compile_as_peewee_does(frozen_clock, backend, name, query):
    frozen_clock(dt.datetime(2026, 5, 15, 2, 0))  # the stamps' defaults, filled in while compiling
    database = backend(None)
    with database.bind_ctx([Account, Contact, Opportunity, User]):
        ours, peewees = both_ways(database, query.clone())
    assert ours == peewees


@contextlib.contextmanager
def compared_with_peewee():
    """Every query the app runs in the block is compiled both ways as well; yields the list of differences and
    the number of queries compared."""
    target = db.obj
    original = target.execute
    differences, compared = [], [0]

    def execute(query, **kwargs):
        ours, peewees = both_ways(target, query)
        compared[0] += 1
        if ours != peewees:
            differences.append((ours, peewees))
        return original(query, **kwargs)

    target.execute = execute
    try:
        yield differences, compared
    finally:
        del target.execute


def test_the_app_builds_its_sql_with_the_field_context(app):
    assert type(db.obj.get_sql_context()) is FieldContext


def test_what_the_app_runs_compiles_and_builds_its_rows_as_peewee_does(make_app, frozen_clock, login):
    """Both short ways (FieldContext's SQL, core.db's row builders: tests/core/test_fast_rows.py) on one crawl."""
    frozen_clock(dt.datetime(2026, 5, 15, 2, 0))
    app = make_app()
    with compared_with_peewee() as (differences, compared), \
            rows_compared_with_peewee() as (row_differences, rows_compared):
        load_demo(app, "demo-pass-1", "admin-pass-1", progress=lambda *_: None)
        crawl_as_teacher_and_student(app, login)
    assert compared[0] > 1000 and rows_compared[0] > 5000
    assert not differences, differences[:3]
    assert not row_differences, row_differences[:3]
