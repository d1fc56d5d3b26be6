"""Demo data (演示数据): feedback, complaints and cases over the last two fiscal years, most handled, some
open and some past their targets, so the lists, the dashboard widget and the report have something to show."""
import datetime as dt

from core import clock
from core.demo import is_school_demo
from core.models import Contact, Product
from plugins.service import reporting, services
from plugins.service.models import (CATEGORIES, CHANNELS, SEVERITIES, Complaint, Feedback, ServiceCase,
                                    ServiceEvent, ServiceReply, ServiceSettings)

FEEDBACK_SUBJECTS = ["希望增加夜间配送时段", "新版订货系统很好用", "建议提供电子发票", "客服热线等待时间较长",
                     "产品说明书不够详细", "希望开通微信下单", "感谢售后人员上门服务", "建议增加会员积分"]
COMPLAINT_SUBJECTS = ["货物破损", "发票金额有误", "送货延迟三天", "客服态度不好", "产品质量问题，无法开机",
                      "重复扣款", "安装人员未按约定时间到达", "退货申请无人处理"]
CASE_SUBJECTS = ["上门检修", "更换配件", "培训客户使用新系统", "回访客户满意度", "处理退款"]


def create_demo(users, rng):
    staff = [u for u in users if u.position_id] or list(users)
    if is_school_demo(users) and len(users) > 1 and users[1].position_id:
        # the school's assignment rule, only while none is set: a class reset never touches it
        ServiceSettings.insert(id=1).on_conflict_ignore().execute()
        ServiceSettings.update(assign_position=users[1].position_id, default_owner=users[0].id).where(
            (ServiceSettings.id == 1) & ServiceSettings.assign_position.is_null()
            & ServiceSettings.default_owner.is_null()).execute()
    contacts = list(Contact.select().where(Contact.owner.in_([u.id for u in users])).order_by(Contact.id).limit(40))
    products = list(Product.select().limit(20))
    targets = services.targets()
    today = clock.today()
    first = reporting.fiscal_period(reporting.fiscal_year_of(today) - 1).first
    days = (today - first).days
    made = {"feedback": [], "complaint": []}
    for n in range(days // 4):
        kind = "complaint" if rng.random() < 0.4 else "feedback"
        local = dt.datetime.combine(first + dt.timedelta(days=rng.randrange(days + 1)),
                                    dt.time(rng.randrange(8, 20), rng.randrange(60)))
        received = clock.to_utc(local)
        if received > clock.utcnow():
            continue
        item = _item(kind, rng, received, staff, contacts, targets)
        made[kind].append(item)
        _history(kind, item)
    for source_kind, src in _case_sources(made, rng):
        case = ServiceCase(subject=rng.choice(CASE_SUBJECTS), description=src.subject, owner=src.owner_id,
                           created_by=src.owner_id, modified_by=src.owner_id, channel=src.channel,
                           priority=src.priority, status="new", received_at=src.received_at, account=src.account_id,
                           contact=src.contact_id, product=rng.choice(products).id if products else None)
        setattr(case, source_kind, src.id)
        _settle(case, rng, targets)
        case.save(force_insert=True)
        _history("case", case)


def _case_sources(made, rng, total=25):
    """[(kind, item)] the cases come from: one item of everyone who handles items (so each has a case), then
    random ones up to ``total``."""
    first = {}
    for kind in made:
        for item in made[kind]:
            first.setdefault(item.owner_id, (kind, item))
    sources = list(first.values())
    while len(sources) < min(total, len(made["complaint"]) + len(made["feedback"])):
        kind = rng.choice([k for k in made if made[k]])
        sources.append((kind, rng.choice(made[kind])))
    return sources


def _item(kind, rng, received, staff, contacts, targets):
    model = Complaint if kind == "complaint" else Feedback
    owner = rng.choice(staff)
    contact = rng.choice(contacts) if contacts and rng.random() < 0.8 else None
    item = model(subject=rng.choice(COMPLAINT_SUBJECTS if kind == "complaint" else FEEDBACK_SUBJECTS),
                 description="演示数据：客户来信内容。", owner=owner.id, created_by=owner.id, modified_by=owner.id,
                 created_at=received, modified_at=received, channel=rng.choice(list(CHANNELS)),
                 priority=rng.choices(["low", "normal", "high", "urgent"], [2, 5, 2, 1])[0], status="new",
                 received_at=received, contact=contact.id if contact else None,
                 account=contact.account_id if contact else None,
                 submitter_name=contact.name if contact else "匿名客户",
                 submitter_email=contact.email if contact else "")
    if kind == "complaint":
        item.category = rng.choice(list(CATEGORIES))
        item.severity = rng.choice(list(SEVERITIES))
    _settle(item, rng, targets)
    item.save(force_insert=True)
    return item


def _settle(item, rng, targets):
    """Status and timestamps as if the team had worked on it; recent items are more often still open."""
    response, resolution = targets[item.priority]
    item.response_due_at = item.received_at + dt.timedelta(minutes=response)
    item.resolution_due_at = item.received_at + dt.timedelta(minutes=resolution)
    now = clock.utcnow()
    age_days = (now - item.received_at).days
    if age_days > 20 or rng.random() < 0.6:
        responded = item.received_at + dt.timedelta(minutes=rng.randrange(10, response * 2))
        handled = responded + dt.timedelta(minutes=rng.randrange(30, resolution * 2))
        if handled < now:
            services.mark_first_response(item, responded)
            item.resolved_at = handled
            item.resolution_minutes = services.minutes_between(item.received_at, handled)
            item.status = rng.choice(["resolved", "closed", "closed"])
            item.satisfaction = rng.choice([3, 4, 4, 5, 5, 2])
            item.resolution = "已联系客户并处理完毕。"
            return
        if responded < now:
            services.mark_first_response(item, responded)
            item.status = "in_progress"
            return
    item.status = "assigned"


def _history(kind, item):
    ServiceEvent.create(item_type=kind, item_id=item.id, kind="created", new_value="new", at=item.received_at)
    ServiceEvent.create(item_type=kind, item_id=item.id, kind="assigned", new_value=str(item.owner_id),
                        at=item.received_at)
    if item.first_response_at:
        ServiceReply.create(item_type=kind, item_id=item.id, author=item.owner_id, to_customer=True,
                            body="您好，我们已收到您的反馈，正在处理。", created_at=item.first_response_at)
        ServiceEvent.create(item_type=kind, item_id=item.id, kind="reply", new_value="customer", user=item.owner_id,
                            at=item.first_response_at)
    if item.resolved_at:
        ServiceEvent.create(item_type=kind, item_id=item.id, kind="status", old_value="in_progress",
                            new_value=item.status, user=item.owner_id, at=item.resolved_at)
