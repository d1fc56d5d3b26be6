"""Reference answers and record factories for the access tests (written apart from core.access)."""
import datetime as dt

from core.models import Account, Competitor, Contact, Document, Lead, Opportunity, SalesStage

SIDES = ("owner", "superior", "class_lead", "peer", "subordinate", "outsider", "admin")
ALWAYS = {"owner", "superior", "class_lead", "admin"}   # whatever the sharing mode
MODE_ALLOWS = {"private": set(), "read": {"read"}, "readwrite": {"read", "write"},
               "readwritedelete": {"read", "write", "delete"}}
FAMILY = {"account": "account", "contact": "account", "lead": "lead", "opportunity": "opportunity",
          "document": "document", "competitor": "competitor"}


def sides_of(school):
    """The canonical school (tests/conftest.py ``make_school``) seen from Dept A, by side (the module docstring of
    tests/core/access/conftest.py draws it)."""
    s = school
    return {"owner": s["manager_a"], "peer": s["deputy_a"], "superior": s["teacher"], "class_lead": s["lead_a"],
            "subordinate": s["alice"], "outsider": s["manager_b"], "admin": s["admin"]}


def expected(side, mode, action):
    """The reference answer, written from the rule's words rather than from core.access."""
    return side in ALWAYS or action in MODE_ALLOWS[mode]


def make_record(type_name, owner, tag):
    common = {"owner": owner.id, "created_by": owner.id, "modified_by": owner.id}
    if type_name == "account":
        return Account.create(name=f"Account {tag}", **common)
    if type_name == "contact":
        return Contact.create(first_name="Zoe", last_name=f"Contact {tag}", **common)
    if type_name == "lead":
        return Lead.create(first_name="Yan", last_name=f"Lead {tag}", company="Acme", **common)
    if type_name == "opportunity":
        stage = SalesStage.select().order_by(SalesStage.order).first()
        return Opportunity.create(name=f"Opportunity {tag}", amount=100, close_date=dt.date(2026, 6, 30),
                                  stage=stage, probability=stage.probability, **common)
    if type_name == "document":
        return Document.create(title=f"Document {tag}", **common)
    if type_name == "competitor":
        return Competitor.create(name=f"Competitor {tag}", **common)
    raise KeyError(type_name)
