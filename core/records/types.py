"""The record types core registers for its own records, with their forms, related lists and actions."""
from flask import render_template, url_for
from markupsafe import Markup

from core import access, templating
from core import models as m
from core.babel import lazy_gettext as _l
from core.records import opportunities, registry as records
from core.records.forms import AccountForm, CompetitorForm, ContactForm, DocumentForm, LeadForm, OpportunityForm
from core.records.registry import RecordAction, RecordType, RelatedList

RELATED_LIMIT = 20


def _url(type_name):
    return lambda row: url_for("records.detail", type_name=type_name, record_id=row.id)


def _visible_related(user, type_name, where, order):
    rt = records.get(type_name)
    query = access.visible(rt.model.select(), user, rt).where(where)
    rows = list(query.order_by(*order).limit(RELATED_LIMIT + 1))  # one more: is there more than a page?
    if len(rows) <= RELATED_LIMIT:
        total = len(rows)
    else:
        rows, total = rows[:RELATED_LIMIT], query.count()
    if "stage" in rt.model._meta.fields:
        from core.records.views import prime_stages
        prime_stages(rows)
    return rows, total


def _related(id, title, user, type_name, where, order, columns, add_url=""):
    rows, total = _visible_related(user, type_name, where, order)
    return RelatedList(id, title, rows, columns, url=_url(type_name), total=total, add_url=add_url)


def _stage(o):
    from core.records.display import stage_label
    return stage_label(o.stage)


OPP_COLUMNS = [(_l("Opportunity"), str), (_l("Sales stage"), _stage),
               (_l("Amount"), lambda o: templating.money(o.amount, o.currency)),
               (_l("Expected close date"), lambda o: templating.date_filter(o.close_date))]
CONTACT_COLUMNS = [(_l("Full name"), lambda c: c.name), (_l("Job title"), lambda c: c.title),
                   (_l("Phone"), lambda c: c.phone or c.mobile), (_l("E-mail"), lambda c: c.email)]
DOC_COLUMNS = [(_l("Title"), lambda d: d.title), (_l("File name"), lambda d: d.filename)]


def documents_of(type_name):
    def related(record, user):
        D = m.Document
        return _related("documents", _l("Documents"), user, "document",
                        (D.related_type == type_name) & (D.related_id == record.id), (D.title, D.id), DOC_COLUMNS,
                        add_url=url_for("records.create", type_name="document", related_type=type_name,
                                        related_id=record.id))
    return related


def account_contacts(record, user):
    C = m.Contact
    return _related("contacts", _l("Contacts"), user, "contact", C.account == record.id, (C.last_name, C.id),
                    CONTACT_COLUMNS, add_url=url_for("records.create", type_name="contact", account=record.id))


def account_opportunities(record, user):
    O = m.Opportunity
    return _related("opportunities", _l("Opportunities"), user, "opportunity", O.account == record.id,
                    (O.close_date.desc(), O.id), OPP_COLUMNS,
                    add_url=url_for("records.create", type_name="opportunity", account=record.id))


def account_children(record, user):
    A = m.Account
    return _related("children", _l("Subsidiary accounts"), user, "account", A.parent == record.id, (A.name, A.id),
                    [(_l("Account name"), str), (_l("Phone"), lambda a: a.phone)])


def contact_opportunities(record, user):
    O = m.Opportunity
    return _related("opportunities", _l("Opportunities"), user, "opportunity", O.contact == record.id,
                    (O.close_date.desc(), O.id), OPP_COLUMNS)


def contact_reports(record, user):
    C = m.Contact
    return _related("reports", _l("Direct reports"), user, "contact", C.reports_to == record.id,
                    (C.last_name, C.id), CONTACT_COLUMNS)


def opportunity_lines(record, user):
    L = m.OpportunityLine
    rows = list(L.select(L, m.Product).join(m.Product).where(L.opportunity == record.id).order_by(L.id))
    can_write = access.can(user, "write", record, "opportunity")
    extra = ""
    actions = None
    if can_write:  # the form (and its product picker) on a page of its own: no product query per view
        extra = _picker_link(url_for("records.add_line", record_id=record.id), _l("Add line"), "add-line")
        actions = lambda line: _post_button(  # noqa: E731
            url_for("records.remove_line", record_id=record.id, line_id=line.id), _l("Remove"))
    columns = [(_l("Product"), lambda line: str(line.product)),
               (_l("Quantity"), lambda line: templating.number(line.quantity)),
               (_l("Unit price"), lambda line: templating.money(line.unit_price, record.currency)),
               (_l("Discount (%)"), lambda line: templating.number(line.discount_percent)),
               (_l("Line total"), lambda line: templating.money(line.total, record.currency))]
    return RelatedList("lines", _l("Product lines"), rows, columns, total=len(rows), actions=actions,
                       extra_html=extra)


def opportunity_competitors(record, user):
    C, OC = m.Competitor, m.OpportunityCompetitor
    rows, total = _visible_related(user, "competitor", C.id.in_(
        OC.select(OC.competitor).where(OC.opportunity == record.id)), (C.name, C.id))
    extra, actions = "", None
    if access.can(user, "write", record, "opportunity"):  # the picker on its own page, as the lines'
        extra = _picker_link(url_for("records.link_competitor", record_id=record.id), _l("Link competitor"),
                             "link-competitor")
        actions = lambda c: _post_button(  # noqa: E731
            url_for("records.unlink_competitor", record_id=record.id, competitor_id=c.id), _l("Unlink"))
    return RelatedList("competitors", _l("Competitors"), rows,
                       [(_l("Competitor name"), str), (_l("Strengths"), lambda c: c.strengths),
                        (_l("Weaknesses"), lambda c: c.weaknesses)],
                       url=_url("competitor"), total=total, actions=actions, extra_html=extra)


def opportunity_history(record, user):
    H = m.OpportunityStageHistory
    rows = list(H.select().where(H.opportunity == record.id).order_by(H.changed_at.desc(), H.id.desc()))
    from core.records.views import prime_stages
    prime_stages(rows)
    return RelatedList("stage_history", _l("Stage history"), rows, [
        (_l("Sales stage"), _stage), (_l("Amount"), lambda h: templating.money(h.amount, record.currency)),
        (_l("Probability (%)"), lambda h: h.probability),
        (_l("Changed by"), lambda h: h.changed_by.display_name if h.changed_by_id else ""),
        (_l("When"), lambda h: templating.datetime_filter(h.changed_at, "short"))], total=len(rows))


def competitor_opportunities(record, user):
    O, OC = m.Opportunity, m.OpportunityCompetitor
    return _related("opportunities", _l("Opportunities"), user, "opportunity", O.id.in_(
        OC.select(OC.opportunity).where(OC.competitor == record.id)), (O.close_date.desc(), O.id), OPP_COLUMNS)


def _picker_link(url, label, action):
    return Markup('<p><a class="button secondary" href="{}" data-action="{}">{}</a></p>').format(url, action, label)


def _post_button(url, label):
    from flask_wtf.csrf import generate_csrf
    return Markup('<form method="post" action="{}" class="inline"><input type="hidden" name="csrf_token" '
                  'value="{}"><button type="submit" class="link">{}</button></form>').format(
                      url, generate_csrf(), label)


def lead_actions(record, user):
    if record.converted_at is None and access.can(user, "write", record, "lead"):
        return [RecordAction(_l("Convert"), url_for("records.convert_lead", record_id=record.id))]
    return []


def merge_actions(type_name):
    """"Merge…" on an account's, contact's or lead's page for whoever may change it (core.records.merge)."""
    def actions(record, user):
        if access.can(user, "write", record, type_name):
            return [RecordAction(_l("Merge duplicates…"), url_for("records.merge_records", type_name=type_name,
                                                                 record_id=record.id), order=200)]
        return []
    return actions


def document_actions(record, user):
    if record.stored_name:
        return [RecordAction(_l("Download"), url_for("records.download", record_id=record.id))]
    return []


def document_related(record, user):
    from core.records.specific import document_link
    link = document_link(record, user)
    if link is None:
        return ""
    rt, target, url = link
    return Markup('{}: <a href="{}">{}</a>').format(rt.label, url, str(target))


def lead_prepare_form(form, record):
    """"Converted" is set by converting, never chosen by hand (a converted lead keeps it)."""
    if record is None or record.converted_at is None:
        form.status.choices = [c for c in form.status.choices if c.value != "converted"]


def opportunity_defaults():
    from core.records.lookups import stage_choices
    from core import clock
    import datetime as _dt
    stages = stage_choices()
    return {"stage": stages[0][0] if stages else None, "close_date": clock.today() + _dt.timedelta(days=30)}


def _document_form_save(form, record, user):
    from core.records.specific import document_form_save
    document_form_save(form, record, user)


def _document_deleted(record):
    from core.records.specific import document_deleted
    document_deleted(record)


def core_record_types():
    return [
        RecordType("account", m.Account, _l("Account"), _l("Accounts"), family="account", form=AccountForm,
                   list_columns=("name", "type", "industry", "phone", "owner", "modified_at"),
                   search_fields=("name", "phone", "email", "website"), filter_fields=("type", "industry"),
                   related=(account_contacts, account_opportunities, account_children, documents_of("account")),
                   choices={"type": "account_type", "industry": "industry"}, actions=(merge_actions("account"),),
                   menu_order=10, icon="building"),
        RecordType("contact", m.Contact, _l("Contact"), _l("Contacts"), family="account", form=ContactForm,
                   list_columns=("last_name", "first_name", "account", "title", "phone", "email", "owner"),
                   search_fields=("last_name", "first_name", "email", "phone", "mobile"),
                   filter_fields=("lead_source",), related=(contact_opportunities, contact_reports,
                                                             documents_of("contact")),
                   choices={"lead_source": "lead_source"}, person_name=("last_name", "first_name"),
                   actions=(merge_actions("contact"),), menu_order=20, icon="user"),
        RecordType("lead", m.Lead, _l("Lead"), _l("Leads"), form=LeadForm,
                   list_columns=("last_name", "first_name", "company", "source", "status", "rating", "owner"),
                   search_fields=("last_name", "first_name", "company", "email", "phone"),
                   filter_fields=("source", "status", "rating"),
                   detail_fields=("last_name", "first_name", "company", "title", "phone", "email", "source",
                                  "status", "rating", "industry", "annual_revenue", "description", "converted_at",
                                  "converted_account", "converted_contact", "converted_opportunity"),
                   related=(documents_of("lead"),), actions=(lead_actions, merge_actions("lead")),
                   choices={"source": "lead_source", "status": "lead_status", "rating": "lead_rating",
                            "industry": "industry"},
                   hide_empty=("converted_at", "converted_account", "converted_contact", "converted_opportunity"),
                   prepare_form=lead_prepare_form, person_name=("last_name", "first_name"),
                   menu_order=30, icon="target"),
        RecordType("opportunity", m.Opportunity, _l("Opportunity"), _l("Opportunities"), form=OpportunityForm,
                   list_columns=("name", "account", "amount", "stage", "probability", "close_date", "owner"),
                   csv_fields=("contact", "type", "lead_source", "next_step", "description"),
                   search_fields=("name", "next_step"), filter_fields=("stage", "type"),
                   detail_fields=("name", "account", "contact", "amount", "currency", "close_date", "stage",
                                  "probability", "type", "lead_source", "next_step", "description", "closed_at"),
                   related=(opportunity_lines, opportunity_competitors, opportunity_history,
                            documents_of("opportunity")),
                   prepare=opportunities.prepare, after_save=opportunities.after_save,
                   choices={"type": "opportunity_type", "lead_source": "lead_source"},
                   defaults=opportunity_defaults, hide_empty=("closed_at",),
                   default_sort="-close_date", menu_order=40, icon="chart"),
        RecordType("document", m.Document, _l("Document"), _l("Documents"), form=DocumentForm,
                   list_columns=("title", "folder", "filename", "size", "owner", "modified_at"),
                   search_fields=("title", "folder", "filename"), filter_fields=("folder",),
                   detail_fields=("title", "folder", "filename", "size", "content_type", "related", "description"),
                   actions=(document_actions,),
                   importable=False, computed={"related": document_related},
                   form_saving=_document_form_save, after_delete=_document_deleted,
                   menu_order=50, icon="file"),
        RecordType("competitor", m.Competitor, _l("Competitor"), _l("Competitors"), default_mode="read",
                   form=CompetitorForm, list_columns=("name", "website", "owner", "modified_at"),
                   search_fields=("name", "website"), related=(competitor_opportunities,),
                   menu_order=70, icon="flag"),
        RecordType("product", m.Product, _l("Product"), _l("Products"), owned=False,
                   list_columns=("code", "name", "category", "unit_price", "unit", "active"),
                   search_fields=("code", "name"), filter_fields=("category", "active"),
                   detail_fields=("code", "name", "category", "unit_price", "unit", "active", "description"),
                   labels={"name": _l("Product name"), "active": _l("On sale")},
                   default_sort="code", menu_order=60, icon="box"),
    ]
