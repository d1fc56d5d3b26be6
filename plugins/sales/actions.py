"""The status actions and conversions a document offers in each status (the services refuse the rest anyway)."""
from core.babel import lazy_gettext as _l

LABELS = {
    ("quote", "send"): _l("Mark as sent"),
    ("quote", "accept"): _l("Mark as accepted"),
    ("quote", "reject"): _l("Mark as rejected"),
    ("quote", "revise"): _l("New revision"),
    ("quote", "order"): _l("Create sales order"),
    ("quote", "invoice"): _l("Create invoice"),
    ("sales_order", "deliver"): _l("Mark as delivered"),
    ("sales_order", "cancel"): _l("Cancel order"),
    ("sales_order", "invoice"): _l("Create invoice"),
    ("invoice", "issue"): _l("Issue invoice"),
    ("invoice", "void"): _l("Void invoice"),
    ("opportunity", "quote"): _l("Create quote"),
}
OFFERED = {
    "quote": {"draft": ("send",), "sent": ("accept", "reject", "revise"), "accepted": ("order", "invoice"),
              "rejected": ("revise",), "expired": ("revise",)},
    "sales_order": {"open": ("deliver", "invoice", "cancel"), "delivered": ("invoice", "cancel")},
    "invoice": {"draft": ("issue", "void"), "issued": ("void",)},
}


def available(kind, document):
    """``[(action, label)]`` offered on ``document`` in its status."""
    offered = OFFERED.get(kind, {}).get(getattr(document, "status", None), ())
    if kind == "quote" and "revise" in offered and document.revisions.count():
        offered = tuple(a for a in offered if a != "revise")
    return [(name, LABELS[(kind, name)]) for name in offered]
