"""The sales plugin's scheduled job: quotes past their valid-until date expire."""
from core import clock
from core.db import transaction
from core.records import service
from plugins.sales.models import Quote


def expire_quotes(app):
    """The scheduled job: sent quotes past their valid-until date become expired, each claimed once (an
    ``UPDATE … WHERE status = 'sent'``) and audited, however many schedulers run it."""
    today = clock.today()
    due = [q.id for q in Quote.select(Quote.id).where((Quote.status == "sent") & (Quote.valid_until < today))]
    return sum(transaction(_expire, quote_id) for quote_id in due)


def _expire(quote_id):
    claimed = Quote.update(status="expired", modified_at=clock.utcnow()).where(
        (Quote.id == quote_id) & (Quote.status == "sent")).execute() == 1
    if claimed:
        service.audit("quote", quote_id, "update", None, {"status": ["sent", "expired"]})
    return int(claimed)

