"""Core's rows of a class, for its reset (``zhixin_class_rows``): what depends on the class's opportunities and
competitors, and its users' notifications. The records themselves (accounts, contacts, leads, opportunities,
competitors, documents) core's reset removes as it does every undeclared record type's."""
import operator
from functools import reduce

from core.babel import lazy_gettext as _l
from core.extension import ClassRows
from core.models import (AuditEntry, Competitor, Notification, Opportunity, OpportunityCompetitor, OpportunityLine,
                         OpportunityStageHistory)


def pointing_at(type_column, id_column, models, user_ids):
    """An expression for rows that name a record by ``(type, id)`` columns (no foreign key) whose record one of
    ``user_ids`` owns: ``models`` maps each type value to its model, e.g. ``{"lead": Lead}``."""
    return reduce(operator.or_, [(type_column == kind) & id_column.in_(model.select(model.id).where(
        model.owner.in_(user_ids))) for kind, model in models.items()])


def history(label, record_type, ids):
    """The change history (audit entries) of rows audited as ``record_type`` whose ids ``ids`` (a subquery)
    selects — for tables that are not record types (whose history core removes itself)."""
    return ClassRows(label, AuditEntry, (AuditEntry.record_type == record_type) & AuditEntry.record_id.in_(ids))


def class_rows(user_ids):
    opportunities = Opportunity.select(Opportunity.id).where(Opportunity.owner.in_(user_ids))
    competitors = Competitor.select(Competitor.id).where(Competitor.owner.in_(user_ids))
    return [
        ClassRows(_l("Competitor links"), OpportunityCompetitor,
                  OpportunityCompetitor.opportunity.in_(opportunities)
                  | OpportunityCompetitor.competitor.in_(competitors)),
        ClassRows(_l("Opportunity product lines"), OpportunityLine, OpportunityLine.opportunity.in_(opportunities)),
        ClassRows(_l("Stage history entries"), OpportunityStageHistory,
                  OpportunityStageHistory.opportunity.in_(opportunities)),
        ClassRows(_l("Notifications"), Notification, Notification.user.in_(user_ids)),
    ]
