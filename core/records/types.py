"""The record types core registers for its own records."""
from flask_babel import lazy_gettext as _l

from core import models as m
from core.records.registry import RecordType


def core_record_types():
    return [
        RecordType("account", m.Account, _l("Account"), _l("Accounts"), family="account",
                   list_columns=("name", "type", "industry", "phone", "owner", "modified_at"),
                   search_fields=("name", "phone", "email", "website"), filter_fields=("type", "industry"),
                   menu_order=10, icon="building"),
        RecordType("contact", m.Contact, _l("Contact"), _l("Contacts"), family="account",
                   list_columns=("last_name", "first_name", "account", "title", "phone", "email", "owner"),
                   search_fields=("last_name", "first_name", "email", "phone", "mobile"),
                   filter_fields=("lead_source",), menu_order=20, icon="user"),
        RecordType("lead", m.Lead, _l("Lead"), _l("Leads"),
                   list_columns=("last_name", "first_name", "company", "source", "status", "rating", "owner"),
                   search_fields=("last_name", "first_name", "company", "email", "phone"),
                   filter_fields=("source", "status", "rating"), menu_order=30, icon="target"),
        RecordType("opportunity", m.Opportunity, _l("Opportunity"), _l("Opportunities"),
                   list_columns=("name", "account", "amount", "stage", "probability", "close_date", "owner"),
                   search_fields=("name", "next_step"), filter_fields=("stage", "type"),
                   default_sort="-close_date", menu_order=40, icon="chart"),
        RecordType("document", m.Document, _l("Document"), _l("Documents"),
                   list_columns=("title", "folder", "filename", "size", "owner", "modified_at"),
                   search_fields=("title", "folder", "filename"), filter_fields=("folder",),
                   menu_order=50, icon="file"),
        RecordType("competitor", m.Competitor, _l("Competitor"), _l("Competitors"), default_mode="read",
                   list_columns=("name", "website", "owner", "modified_at"), search_fields=("name", "website"),
                   menu_order=70, icon="flag"),
        RecordType("product", m.Product, _l("Product"), _l("Products"), owned=False,
                   list_columns=("code", "name", "category", "unit_price", "unit", "active"),
                   search_fields=("code", "name"), filter_fields=("category", "active"),
                   default_sort="code", menu_order=60, icon="box"),
    ]
