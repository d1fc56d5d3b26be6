"""core.db's row builders (ObjectRows, JoinedRows) write each value straight into a row's ``__data__``: every row
must come out as Peewee's own cursor wrappers build it — the same model class, values (and their types), links
to joined rows, ``__rel__`` entries (None for a missing outer row), extra attributes and no dirty fields — for
the shapes Peewee is particular about, and (tests/core/test_sql_context.py) for every row the demo's loading and a
crawl of its pages read."""
import contextlib
import datetime as dt
from decimal import Decimal

import peewee
import pytest

from core import db as core_db
from core.models import Account, Contact, Opportunity, SalesStage, User


def difference(ours, theirs, where="row"):
    """Where two built rows differ, or None."""
    if type(ours) is not type(theirs):
        return f"{where}: {type(ours).__name__} is not {type(theirs).__name__}"
    if isinstance(ours, peewee.Model):
        if set(vars(ours)) != set(vars(theirs)):
            return f"{where}: attributes {sorted(vars(ours))} != {sorted(vars(theirs))}"
        for name in vars(ours):
            found = difference(getattr(ours, "__dict__")[name], getattr(theirs, "__dict__")[name], f"{where}.{name}")
            if found:
                return found
        return None
    if isinstance(ours, (dict, set)):
        if set(ours) != set(theirs):
            return f"{where}: keys {sorted(map(str, ours))} != {sorted(map(str, theirs))}"
        if isinstance(ours, dict):
            for key in ours:
                found = difference(ours[key], theirs[key], f"{where}[{key!r}]")
                if found:
                    return found
        return None
    return None if ours == theirs else f"{where}: {ours!r} != {theirs!r}"


PEEWEE_WAY = {core_db.ObjectRows: peewee.ModelObjectCursorWrapper, core_db.JoinedRows: peewee.ModelCursorWrapper}


@contextlib.contextmanager
def rows_compared_with_peewee():
    """Every row built in the block is also built by Peewee's own wrapper from the same raw row; yields the list
    of differences and the number of rows compared."""
    differences, compared = [], [0]
    originals = {cls: cls.process_row for cls in PEEWEE_WAY}

    def checking(cls):
        def process_row(self, row):
            ours = originals[cls](self, row)
            compared[0] += 1
            found = difference(ours, PEEWEE_WAY[cls].process_row(self, row))
            if found:
                differences.append(found)
            return ours
        return process_row

    for cls in PEEWEE_WAY:
        cls.process_row = checking(cls)
    try:
        yield differences, compared
    finally:
        for cls, original in originals.items():
            cls.process_row = original


@pytest.fixture
def rows(app):
    owner = User.create(username="rows-owner", full_name="行 测试", password_hash="x")
    parent = Account.create(name="母公司", owner=owner, created_by=owner)
    account = Account.create(name="子公司", parent=parent, owner=owner, created_by=owner, employees=12)
    contact = Contact.create(first_name="伟", last_name="王", account=account, owner=owner, created_by=owner)
    stage = SalesStage.select().order_by(SalesStage.id).first()
    for i, linked in enumerate((account, None)):
        Opportunity.create(name=f"商机{i}", account=linked, contact=contact if linked else None, stage=stage,
                           amount=Decimal("1234.50"), close_date=dt.date(2026, 6, 30), owner=owner, created_by=owner)
    return {"owner": owner, "account": account}


def shapes():
    parent, person = Account.alias("parent"), User.alias()
    counted = (Opportunity.select(Opportunity.account, peewee.fn.COUNT(Opportunity.id).alias("n"))
               .group_by(Opportunity.account).cte("counted", columns=("account_id", "n")))
    yield "whole rows", Opportunity.select()
    yield "some columns, an FK by its field", Opportunity.select(Opportunity.id, Opportunity.account, Opportunity.amount)
    yield "an FK by its column name", Opportunity.select(peewee.SQL('"account_id"'), Opportunity.name)
    yield "an extra aliased value", Account.select(Account.name, peewee.fn.LOWER(Account.name).alias("low"))
    yield "a correlated count", Account.select(Account, Opportunity.select(peewee.fn.COUNT(Opportunity.id)).where(
        Opportunity.account == Account.id).alias("n"))
    yield "inner join", Opportunity.select(Opportunity, Account).join(Account)
    yield "outer joins on aliases (None for a missing row)", (
        Opportunity.select(Opportunity, parent.id, parent.name, person.username)
        .join_from(Opportunity, parent, peewee.JOIN.LEFT_OUTER, on=(Opportunity.account == parent.id), attr="account")
        .join_from(Opportunity, person, peewee.JOIN.LEFT_OUTER, on=(Opportunity.owner == person.id), attr="owner"))
    yield "two levels", (Contact.select(Contact, Account, parent).join(Account)
                         .join(parent, peewee.JOIN.LEFT_OUTER, on=(Account.parent == parent.id), attr="parent"))
    yield "a join on a non-key attribute", (Account.select(Account, Opportunity.name)
                                            .join(Opportunity, on=(Opportunity.account == Account.id), attr="deal"))
    yield "a join of an unselected table", Opportunity.select(Opportunity.name).join(Account)
    yield "a join to a CTE (dict rows)", (Account.select(Account.name, counted.c.n)
                                          .join(counted, on=(counted.c.account_id == Account.id)).with_cte(counted))
    yield "the same column twice", Opportunity.select(Opportunity.id, Account.id).join(Account)
    yield "one row by a condition", Account.select().where(Account.name == "子公司")
    yield "raw SQL", Account.raw('SELECT id, name, parent_id, 1 AS one FROM account')


@pytest.mark.parametrize("name", [name for name, _query in shapes()])
def test_query_shapes_build_rows_as_peewee_does(rows, name):
    query = dict(shapes())[name]
    with rows_compared_with_peewee() as (differences, compared):
        built = list(query.clone())
    assert built and compared[0] == len(built)
    assert not differences, differences[:3]


def test_models_select_through_the_fast_rows(rows):
    query = Opportunity.select().join(Account)
    assert type(query) is core_db.ModelSelect and type(Opportunity.select()) is core_db.ModelSelect
    assert type(Account.raw("SELECT 1")) is core_db.ModelRaw
    built = list(query)
    assert built and all(not row._dirty for row in built)
    assert built[0].account.name == "子公司"  # the link, no query
