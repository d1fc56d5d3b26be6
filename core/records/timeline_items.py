"""Core's part of the customer timeline (``core.timeline``): the account, contacts and opportunities created,
the opportunities' stage changes (from the stage history) and the documents filed on any of them. One query
per source, each over ``core.access.visible`` (the scope's ids are the readable ones)."""
from flask import url_for

from core import access
from core.babel import lazy_gettext as _l
from core.models import Account, Contact, Document, Opportunity, OpportunityStageHistory, SalesStage
from core.records.display import stage_label
from core.timeline import TimelineItem, page

CREATED = {"account": (Account, _l("Account created")), "contact": (Contact, _l("Contact created")),
           "opportunity": (Opportunity, _l("Opportunity created"))}


def _url(type_name, record_id):
    return url_for("records.detail", type_name=type_name, record_id=record_id)


def created_items(user, scope, before, limit):
    out = []
    for type_name, (model, label) in CREATED.items():
        if type_name not in scope.types:
            continue
        query = access.visible(model.select(), user, type_name).where(model.id.in_(scope.ids(type_name)))
        for r in page(query, model.created_at, f"{type_name}_created", model.id, before, limit):
            out.append(TimelineItem(r.created_at, f"{type_name}_created", r.id, r.name, label,
                                    _url(type_name, r.id), type_name, r.id))
    return out


def stage_items(user, scope, before, limit):
    if "opportunity" not in scope.types:
        return []
    H = OpportunityStageHistory
    query = (H.select(H, SalesStage, Opportunity).join(SalesStage).switch(H).join(Opportunity)
             .where(H.opportunity.in_(scope.ids("opportunity"))))
    query = access.visible(query, user, "opportunity")
    return [TimelineItem(h.changed_at, "stage_change", h.id, h.opportunity.name, _l("Stage changed"),
                         _url("opportunity", h.opportunity_id), "opportunity", h.opportunity_id,
                         detail=stage_label(h.stage))
            for h in page(query, H.changed_at, "stage_change", H.id, before, limit)]


def document_items(user, scope, before, limit):
    query = access.visible(Document.select(), user, "document").where(
        scope.related(Document.related_type, Document.related_id))
    return [TimelineItem(d.created_at, "document", d.id, d.title, _l("Document"), _url("document", d.id),
                         d.related_type, d.related_id, detail=d.filename)
            for d in page(query, Document.created_at, "document", Document.id, before, limit)]


def timeline_items(user, scope, before, limit):
    return created_items(user, scope, before, limit) + stage_items(user, scope, before, limit) \
        + document_items(user, scope, before, limit)
