"""Count and capture the SQL statements a block of code runs (for the benchmarks' floors and the query-count
tests): every statement goes through the database's ``execute_sql``, so that is where they are seen."""
import contextlib


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


def page_statements(client, url, database):
    """``(statements, html)`` of one GET of ``url`` after a first, warming one (templates compiled, the settings
    cache filled): what a page costs in SQL on every later view. The page must answer 200."""
    client.get(url)
    with capture(database) as executed:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return executed, response.get_data(as_text=True)
