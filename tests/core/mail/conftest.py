"""E-mail to customers: a real SMTP server (aiosmtpd, tests/smtp.py), the school seen from Dept A (the access
tests' sides), and records with documents."""
import pytest

from core import filestore
from core.models import Account, Contact, Document, Lead
from tests.core.access.helpers import sides_of
from tests.core.english import make_app  # noqa: F401  (English default language)
from tests.smtp import Inbox, smtp_server

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


@pytest.fixture
def inbox():
    return Inbox()


@pytest.fixture
def smtp_port(inbox):
    with smtp_server(inbox) as port:
        yield port


@pytest.fixture
def mail_app(make_app, smtp_port):
    app = make_app(SMTP_HOST="127.0.0.1", SMTP_PORT=smtp_port, SMTP_FROM="crm@zhixin.example.cn",
                   EMAIL_LEASE_SECONDS=600)
    with app.app_context():
        yield app


@pytest.fixture
def sides(make_school):
    return sides_of(make_school())


def make_contact(owner, **kw):
    common = {"owner": owner.id, "created_by": owner.id, "modified_by": owner.id}
    account = Account.create(name=kw.pop("account_name", "华东机械有限公司"), **common)
    return Contact.create(first_name=kw.pop("first_name", "小明"), last_name=kw.pop("last_name", "王"),
                          email=kw.pop("email", "wang@customer.example.cn"), account=account, **common, **kw)


def make_lead(owner, **kw):
    common = {"owner": owner.id, "created_by": owner.id, "modified_by": owner.id}
    return Lead.create(first_name="Li", last_name="Lei", company="Acme", email="li@lead.example.com", **common, **kw)


def attach(record_type, record, owner, filename="报价单.pdf", data=PDF, content_type="application/pdf"):
    """A document filed on ``record`` with its bytes in the file store."""
    name = f"doc{record_type}{record.id}{filename.encode().hex()[:12]}"
    filestore.write(name, [data], content_type)
    return Document.create(title=filename.rsplit(".", 1)[0], filename=filename, stored_name=name,
                           content_type=content_type, size=len(data), related_type=record_type,
                           related_id=record.id, owner=owner.id, created_by=owner.id, modified_by=owner.id)
