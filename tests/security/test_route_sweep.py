"""The route sweep (issue 15): every rule of the URL map of an app with every bundled plugin on, so a new
route cannot skip the rules unnoticed.

* Every POST route refuses a request without a CSRF token (400) when CSRF is on.
* Every route with an id in its path refuses a student of another class (403 or 404 — never 200, never a
  redirect that did something, never 500) on a row of class A, every sharing mode private, and the rows are
  still there afterwards. (A 400 counts as a refusal only where the same request on ids that do not exist is
  a 400 too: the input was refused before any row was read, e.g. a missing form field.) Each
  id is mapped to a row of the right kind: a record type's id by the record type registry and the blueprint's
  naming (``campaigns`` + ``task_id`` → ``campaign_task``), any other id through the explicit allow-list
  ``NOT_RECORDS`` below. A rule whose id maps to nothing fails the test until it is mapped."""
import datetime as dt
import random

import pytest
from werkzeug.routing import IntegerConverter

from core.classroom.sandbox import class_users
from core.demo import load_for
from core.hierarchy.sharing import set_mode
from core.mail import MailTemplate
from core.models import Document, Notification, OpportunityLine, Product, ProductCategory, SalesStage
from core.records import registry
from plugins.campaigns.models import CampaignMailing, CampaignMailingRecipient, CampaignMember
from plugins.forecast.models import Commit
from plugins.reports.models import SavedReport
from plugins.sales.actions import LABELS as SALES_ACTIONS
from plugins.service.models import ITEM_MODELS

REFUSED = (403, 404)
GHOST = 999_999_999  # an id no row has

# Ids that are not records of a record type: what each is, and the row of class A (or of the school) the
# sweep opens with it. A new id route whose id is neither a record type nor listed here fails the sweep.
NOT_RECORDS = {
    # a product line of class A's opportunity (core's record pages)
    "line_id": lambda a: OpportunityLine.select().join_from(OpportunityLine, registry.get("opportunity").model)
    .where(registry.get("opportunity").model.owner.in_(a["ids"])).first(),
    # a member of a class A campaign (campaigns plugin)
    "member_id": lambda a: CampaignMember.select().where(CampaignMember.campaign == a["campaign"]).first(),
    # a notification of a class A student (the bell)
    "note_id": lambda a: Notification.select().where(Notification.user.in_(a["ids"])).first(),
    # a saved report of a class A student (reports plugin)
    "report_id": lambda a: SavedReport.select().where(SavedReport.owner.in_(a["ids"])).first(),
    # a person of class A (administration, classroom tools, view-as)
    "user_id": lambda a: a["student"],
    # class A's position (structure pages, classroom tools, sandbox)
    "position_id": lambda a: a["position"],
    # the school's catalogue and settings: administration pages only
    "category_id": lambda a: ProductCategory.select().first(),
    "stage_id": lambda a: SalesStage.select().first(),
    "template_id": lambda a: MailTemplate.select().first(),   # e-mail templates (core.mail)
    # a mailing of a class A campaign and one of its recipients (campaigns plugin)
    "mailing_id": lambda a: CampaignMailing.select().where(CampaignMailing.campaign == a["campaign"]).first(),
    "recipient_id": lambda a: CampaignMailingRecipient.select().first(),
}
# String parts of a path: every value the sweep tries (an id route is swept once per value).
STRINGS = {
    "type_name": lambda: [name for name, rt in registry.registry().items() if rt.owned],
    "kind": lambda: list(ITEM_MODELS),
    "exercise_id": lambda: ["qualify_lead"],
    "action": lambda: sorted({action for _type, action in SALES_ACTIONS}),  # the sales documents' actions
}


@pytest.fixture
def sweep_app(make_app):
    return make_app()


@pytest.fixture
def class_a(sweep_app, school):
    """Demo data for both classes (each class's loaders write rows of that class only), the catalogue, and
    what demo data leaves out: a product line, a document, a forecast commit, a notification and a saved
    report of class A; the ids of class A's users."""
    positions = school["positions"]
    for family in registry.families(sweep_app):
        set_mode(family, "private")  # a public mode lets every class read, by design
    with sweep_app.test_request_context():
        load_for(sweep_app, [school["teacher"]], random.Random(1))
        for n, key in enumerate(("class_a", "class_b")):
            load_for(sweep_app, class_users(positions[key]), random.Random(10 + n))
    alice = school["alice"]
    ids = [u.id for u in class_users(positions["class_a"])]
    opp = registry.get("opportunity", sweep_app).model.select().where(
        registry.get("opportunity", sweep_app).model.owner.in_(ids)).first()
    product = Product.create(name="教学用产品", code="SWEEP-1", category=ProductCategory.create(name="类别"))
    OpportunityLine.create(opportunity=opp, product=product, quantity=1, unit_price=product.unit_price)
    Document.create(title="甲班的文档", filename="a.txt", owner=alice)
    Commit.create(owner=alice, quarter_start=dt.date(2026, 4, 1))
    Notification.create(user=alice, title="提醒")
    SavedReport.create(owner=alice, name="甲班的报表", record_type="lead")
    MailTemplate.create(name="问候", language="zh", subject="您好", body="{{ contact.name }}")
    campaign = registry.get("campaign", sweep_app).model.select().where(
        registry.get("campaign", sweep_app).model.owner.in_(ids)).first()
    mailing = CampaignMailing.create(campaign=campaign, subject="甲班的群发", body="正文", created_by=alice)
    CampaignMailingRecipient.create(mailing=mailing, member_type="contact", member_id=1, status="no_address")
    return {"ids": ids, "student": alice, "position": positions["class_a"], "campaign": campaign}


def _record_type(rule, arg, strings):
    """The record type an id names: the path's type (``<type_name>``/``<kind>`` or a fixed ``/records/x/``),
    the blueprint's own naming, or the id's own name."""
    if "type_name" in strings and arg == "record_id":
        return registry.get(strings["type_name"])
    if "kind" in strings:
        return registry.get(ITEM_MODELS[strings["kind"]])
    stem = arg.removesuffix("_id")
    parts = rule.rule.strip("/").split("/")
    blueprint = rule.endpoint.split(".")[0]
    names = registry.registry()
    for name in (parts[1] if parts[0] == "records" and arg == "record_id" else "",
                 f"{blueprint.removesuffix('s')}_{stem}", stem):
        if name in names:
            return names[name]
    return None


def _row(rule, arg, strings, a):
    rt = _record_type(rule, arg, strings)
    if rt is not None:
        query = rt.model.select()
        return (query.where(rt.model.owner.in_(a["ids"])) if rt.owned else query).first()  # or the catalogue's
    return NOT_RECORDS[arg](a) if arg in NOT_RECORDS else None


def _string_choices(rule):
    combos = [{}]
    for arg, converter in rule._converters.items():
        if not isinstance(converter, IntegerConverter):
            combos = [{**c, arg: v} for c in combos for v in STRINGS.get(arg, lambda: ["x"])()]
    return combos


def id_routes(app):
    return [rule for rule in app.url_map.iter_rules()
            if any(isinstance(c, IntegerConverter) for c in rule._converters.values())]


def _sweep_urls(app, a):
    """(url, the url with ids no row has, methods, rows opened) per id rule and string value; unmapped ids
    listed apart."""
    urls, unmapped = [], []
    with app.test_request_context():
        for rule in sorted(id_routes(app), key=lambda r: r.rule):
            for strings in _string_choices(rule):
                values, rows = dict(strings), []
                for arg, converter in rule._converters.items():
                    if arg in strings:
                        continue
                    row = _row(rule, arg, strings, a)
                    if row is None:
                        unmapped.append((rule.rule, strings, arg))
                        break
                    values[arg] = row.id
                    rows.append(row)
                else:
                    ghost = {k: GHOST if k not in strings else v for k, v in values.items()}
                    urls.append((rule.build(values)[1], rule.build(ghost)[1], rule.methods - {"HEAD", "OPTIONS"},
                                 rows))
    return urls, unmapped


def _refused(status, ghost_status):
    return status in REFUSED or (status == 400 and ghost_status() == 400)


def test_every_id_route_refuses_a_student_of_another_class(sweep_app, school, class_a, login):
    urls, unmapped = _sweep_urls(sweep_app, class_a)
    assert unmapped == [], f"map these ids to a record type or list them in NOT_RECORDS: {unmapped}"
    client = login(sweep_app.test_client(), school["carol"])
    wrong = []
    for url, ghost, methods, _rows in urls:
        for method in sorted(methods):
            status = client.open(url, method=method).status_code
            if not _refused(status, lambda: client.open(ghost, method=method).status_code):
                wrong.append((method, url, status))
    assert wrong == [], f"a student of class B got: {wrong}"
    missing = [(url, row) for url, _g, _m, rows in urls for row in rows
               if not type(row).select().where(type(row).id == row.id).exists()]
    assert missing == []
    assert len(urls) > 60  # the sweep really ran over the plugins' routes too


def test_every_post_route_needs_a_csrf_token(make_app, make_user, login):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = login(app.test_client(), make_user("root", admin=True))
    wrong, posts = [], 0
    # the embeddable public forms take core's single-use challenge instead (core.publicforms; their own tests
    # show a post without one refused): a new exemption must be named here
    exempt = {rule.endpoint for rule in app.url_map.iter_rules()
              if getattr(app.view_functions[rule.endpoint], "zhixin_public_form", False)}
    assert exempt == {"campaigns_public.form"}
    with app.test_request_context():
        urls = [rule.build({arg: 1 if isinstance(c, IntegerConverter) else "x"
                            for arg, c in rule._converters.items()})[1]
                for rule in app.url_map.iter_rules() if "POST" in rule.methods and rule.endpoint not in exempt]
    for url in urls:
        posts += 1
        response = client.post(url, data={"name": "x"})
        if response.status_code != 400:
            wrong.append((url, response.status_code))
    assert wrong == [] and posts > 60
