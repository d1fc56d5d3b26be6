"""Count and capture the SQL statements a block of code runs (for the benchmarks' floors and the query-count
tests): every statement goes through the database's ``execute_sql``, so that is where they are seen."""
import contextlib
import time


@contextlib.contextmanager
def capture(database):
    """Yield a list that fills with ``(sql, params)`` of each statement ``database`` (core.db.db, a proxy, or a
    Peewee database) executes inside the block."""
    target = getattr(database, "obj", database)
    statements = []
    original = target.execute_sql

    def execute_sql(sql, params=None, *args, **kwargs):
        statements.append((sql, tuple(params or ())))
        return original(sql, params, *args, **kwargs)

    target.execute_sql = execute_sql
    try:
        yield statements
    finally:
        del target.execute_sql  # back to the class's method


@contextlib.contextmanager
def build_time(database):
    """Yield a list whose one number adds up the milliseconds ``database`` spends inside the block turning
    Peewee queries into SQL text: its ``execute`` (which compiles the query, then runs it) minus the
    ``execute_sql`` inside (rows are fetched later, outside both)."""
    target = getattr(database, "obj", database)
    spent, running = [0.0], [0.0]
    original_execute, original_sql = target.execute, target.execute_sql

    def execute_sql(sql, params=None, *args, **kwargs):
        start = time.perf_counter()
        try:
            return original_sql(sql, params, *args, **kwargs)
        finally:
            running[0] += time.perf_counter() - start

    def execute(query, *args, **kwargs):
        start, ran = time.perf_counter(), running[0]
        try:
            return original_execute(query, *args, **kwargs)
        finally:
            spent[0] += (time.perf_counter() - start - (running[0] - ran)) * 1000

    target.execute, target.execute_sql = execute, execute_sql
    try:
        yield spent
    finally:
        del target.execute, target.execute_sql


def page_statements(client, url, database):
    """``(statements, html)`` of one GET of ``url`` after a first, warming one (templates compiled, the settings
    cache filled): what a page costs in SQL on every later view. The page must answer 200."""
    client.get(url)
    with capture(database) as executed:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return executed, response.get_data(as_text=True)
