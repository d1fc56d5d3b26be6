"""Opportunity rules (销售机会): probability from the stage, amount from the product lines (Decimal),
closed_at on entering a won/lost stage, and a stage-history row on create and on every stage change.
They run inside ``core.records.service.save`` (RecordType.prepare / after_save), so forms, imports and
conversions follow the same rules."""
from decimal import Decimal

from core import clock
from core.db import db
from core.models import Opportunity, OpportunityCompetitor, OpportunityLine, OpportunityStageHistory, \
    Organisation, SalesStage
from core.records import service


def lines_total(opportunity_id):
    lines = OpportunityLine.select().where(OpportunityLine.opportunity == opportunity_id)
    totals = [line.total for line in lines]
    return (sum(totals, Decimal("0.00")), len(totals))


def prepare(record, user, created, before):
    stage = SalesStage.get_by_id(record.__data__["stage"])
    stage_changed = created or before.get("stage") != stage.id
    if created:
        record.currency = Organisation.get_profile().currency or "CNY"
    if record.probability is None or (stage_changed and not created
                                      and record.probability == before.get("probability")):
        record.probability = stage.probability
    if record.amount is None:
        record.amount = Decimal("0.00")
    if not created:
        total, count = lines_total(record.id)
        if count:
            record.amount = total
    if stage.is_closed and (stage_changed or record.closed_at is None):
        record.closed_at = clock.utcnow()
    elif not stage.is_closed:
        record.closed_at = None


def after_save(record, user, created, changes):
    if created or "stage" in changes:
        OpportunityStageHistory.create(opportunity=record.id, stage=record.__data__["stage"], amount=record.amount,
                                       probability=record.probability, changed_by=user.id if user else None,
                                       changed_at=clock.utcnow())


def recompute(opportunity, user):
    """Save the opportunity so its amount follows the lines (inside the caller's transaction)."""
    fresh = Opportunity.get_by_id(opportunity.id)
    before = service.field_values(fresh)
    service.save("opportunity", fresh, user, before, check=False)
    return fresh


def add_line(opportunity, product, quantity, unit_price, discount, user):
    with db.atomic():
        price = product.unit_price if unit_price is None else unit_price
        line = OpportunityLine.create(opportunity=opportunity.id, product=product.id,
                                      quantity=Decimal(quantity), unit_price=Decimal(price),
                                      discount_percent=Decimal(discount or 0))
        text = f"{product.code} × {line.quantity} @ {line.unit_price} -{line.discount_percent}%"
        service.audit("opportunity", opportunity.id, "line_add", user, {"line": [None, text]})
        return line, recompute(opportunity, user)


def remove_line(opportunity, line, user):
    with db.atomic():
        service.audit("opportunity", opportunity.id, "line_remove", user,
                      {"line": [f"{line.product.code} × {line.quantity}", None]})
        line.delete_instance()
        return recompute(opportunity, user)


def link_competitor(opportunity, competitor, user):
    with db.atomic():
        added = (OpportunityCompetitor.insert(opportunity=opportunity.id, competitor=competitor.id)
                 .on_conflict_ignore().as_rowcount().execute())
        if added:
            service.audit("opportunity", opportunity.id, "link", user, {"competitor": [None, competitor.name]})
    return bool(added)


def unlink_competitor(opportunity, competitor, user):
    with db.atomic():
        gone = OpportunityCompetitor.delete().where(
            (OpportunityCompetitor.opportunity == opportunity.id)
            & (OpportunityCompetitor.competitor == competitor.id)).execute()
        if gone:
            service.audit("opportunity", opportunity.id, "unlink", user, {"competitor": [competitor.name, None]})
    return bool(gone)
