"""The connection pool (core.db): a request gives its connection back open and the next one takes it again; a
connection returned inside a transaction comes back rolled back; a forked worker never touches its parent's
connections; pointing the proxy elsewhere closes the old database's idle connections."""
import os

import pytest

from core import db as db_module
from core.db import db, make_database
from core.models import Account


def _connection():
    db.connect(reuse_if_open=True)
    return db.connection()


def test_requests_reuse_one_connection(client):
    db.close()
    client.get("/healthz")
    first = _connection()
    db.close()
    for _ in range(3):
        assert client.get("/login").status_code == 200
    assert _connection() is first  # four requests, one connection: no new connection (nor schema parse) each


def test_a_connection_comes_back_rolled_back(app, school):
    db.close()
    connection = _connection()
    db.begin()  # a transaction that nobody ends (as a crashed request would leave it)
    Account.create(name="left in a transaction", owner=school["alice"])
    db._state.transactions.clear()  # peewee refuses to close inside its own transaction: forget it was open
    db.close()
    assert _connection() is connection
    assert not Account.select().where(Account.name == "left in a transaction").exists()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_leaves_its_parents_connections(app, school):
    Account.create(name="Parent's", owner=school["alice"])
    db.close()
    parent_connection = _connection()
    db.close()  # in the pool, idle, as in a gunicorn master that built the app before forking its workers
    pid = os.fork()
    if pid == 0:  # the worker: a connection of its own, and the parent's untouched
        code = 1
        try:
            mine = _connection()
            code = 0 if mine is not parent_connection and Account.get().name == "Parent's" else 2
            db.close()
            db.obj.close_all()  # closes only what the child opened
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.WEXITSTATUS(status) == 0
    assert _connection() is parent_connection
    assert Account.get().name == "Parent's"  # the parent's connection still works


def test_init_closes_the_previous_databases_idle_connections(app, database_url):
    previous = db.obj
    db.close()
    _connection()
    db.close()
    assert previous._connections  # the idle connection in its pool
    try:
        db_module.init(database_url)
        assert not previous._connections
        assert db.obj is not previous
    finally:
        db.initialize(previous)


def test_pool_size_and_age_come_from_the_url(database_url):
    separator = "&" if "?" in database_url else "?"
    database = make_database(f"{database_url}{separator}max_connections=7&stale_timeout=30")
    assert (database._max_connections, database._stale_timeout) == (7, 30)
    assert make_database(database_url)._max_connections is None  # unbounded by default
