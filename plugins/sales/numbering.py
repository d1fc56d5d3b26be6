"""Document numbers (单据编号): ``<prefix>-<fiscal year>-<0001>``, per document kind and fiscal year, unique and
without gaps. The counter row is read and bumped inside the transaction that writes the document, locked
(``SELECT … FOR UPDATE`` on PostgreSQL and MariaDB; SQLite's transactions begin ``IMMEDIATE``, one writer at a
time), so a rolled-back document gives its number back and two creators never get the same one."""
from core import fiscal
from core.db import db, is_sqlite, transaction
from plugins.sales.models import NumberCounter, SalesSettings

PREFIX_FIELDS = {"quote": "quote_prefix", "sales_order": "order_prefix", "invoice": "invoice_prefix"}


def fiscal_year(day):
    return fiscal.year_of(day).year


def ensure_counter(kind, year):
    """Create the counter row in its own short transaction (before the document's): on MariaDB an ``INSERT
    IGNORE`` inside the locking transaction would take a shared lock that deadlocks with the ``FOR UPDATE``."""
    transaction(lambda: NumberCounter.insert(kind=kind, fiscal_year=year, last_number=0)
                .on_conflict_ignore().execute())


def next_number(kind, day):
    """The next number of ``kind`` for the fiscal year of ``day``; call inside the document's transaction."""
    if not db.transaction_depth():
        raise RuntimeError("a document number is taken inside the transaction that writes the document")
    year = fiscal_year(day)
    query = NumberCounter.select().where((NumberCounter.kind == kind) & (NumberCounter.fiscal_year == year))
    counter = (query if is_sqlite() else query.for_update()).first()
    if counter is None:
        NumberCounter.insert(kind=kind, fiscal_year=year, last_number=0).on_conflict_ignore().execute()
        counter = (query if is_sqlite() else query.for_update()).get()
    number = counter.last_number + 1
    NumberCounter.update(last_number=number).where(NumberCounter.id == counter.id).execute()
    prefix = getattr(SalesSettings.current(), PREFIX_FIELDS[kind])
    return f"{prefix}-{year}-{number:04d}"
