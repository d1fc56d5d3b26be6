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
