"""Demo data: campaigns in every status, each with members and tasks, and some sourced leads/opportunities —
all among the given users' own records."""
import datetime as _dt
import itertools
from decimal import Decimal

from core import clock
from core.models import Account, Contact, Lead, Opportunity
from core.records import service
from plugins.campaigns import services
from plugins.campaigns.models import Campaign, CampaignMember, CampaignTask

DEMO = [
    # name, type, status, start offset (days from today), length, actual cost
    ("春季新品邮件推广", "email", "completed", -90, 30, "12000"),
    ("华东区行业展会", "trade_show", "active", -10, 25, "48000"),
    ("教育行业网络研讨会", "webinar", "active", -3, 10, "6000"),
    ("年中电话回访", "telemarketing", "planned", 15, 20, None),
    ("社交媒体广告（试点）", "advertisement", "cancelled", -40, 14, "2500"),
    ("老客户直邮答谢", "direct_mail", "completed", -60, 21, "8000"),
]
SUBJECTS = ["准备宣传材料", "确认场地与物料", "发送邀请邮件", "电话跟进报名客户", "整理反馈并录入线索",
            "活动总结报告", "预算与费用核对"]


def load(users, rng):
    today = clock.today()
    owners = users[1:] or users
    ids = [u.id for u in users]

    def own(model, limit):  # members and sources only among these users' records, never another class's
        return list(model.select().where(model.owner.in_(ids)).order_by(model.id).limit(limit))
    if not own(Lead, 1) and not own(Contact, 1):
        _fallback_records(owners, rng)
    leads, contacts, accounts, opportunities = own(Lead, 60), own(Contact, 60), own(Account, 30), own(Opportunity, 40)
    task_owners = itertools.cycle(rng.sample(owners, len(owners)))  # in turn: every student has a task
    for name, ctype, status, start_offset, length, cost in DEMO:
        owner = rng.choice(owners)
        start = today + _dt.timedelta(days=start_offset)
        campaign = Campaign(name=name, type=ctype, status=status, start_date=start,
                            end_date=start + _dt.timedelta(days=length), owner=owner,
                            budget=Decimal(cost) * Decimal("1.2") if cost else Decimal(10000),
                            expected_cost=cost or 8000,
                            actual_cost=cost, expected_response=rng.choice([5, 10, 15, 20]),
                            expected_revenue=rng.choice([50000, 80000, 120000]),
                            target_audience=rng.choice(["华东区制造业客户", "中小学及培训机构", "老客户", "新注册用户"]),
                            description="演示数据：" + name)
        service.save("campaign", campaign, owner)
        for kind, pool in (("lead", leads), ("contact", contacts), ("account", accounts)):
            for record in rng.sample(pool, min(len(pool), rng.randint(2, 6))):
                CampaignMember.insert(campaign=campaign.id, member_type=kind, member_id=record.id,
                                      status=rng.choice(["planned", "sent", "sent", "responded", "responded"]),
                                      added_by=owner.id, added_at=clock.utcnow()).on_conflict_ignore().execute()
        for i, subject in enumerate(rng.sample(SUBJECTS, rng.randint(3, 5))):
            due_day = start + _dt.timedelta(days=rng.randint(0, length))
            due = clock.to_utc(_dt.datetime.combine(due_day, _dt.time(17, 0)))
            if status in ("completed",) or (status == "active" and due_day < today and i % 2 == 0):
                task_status = "done"
            elif status == "cancelled":
                task_status = "cancelled"
            else:
                task_status = rng.choice(["open", "open", "in_progress"])
            task = CampaignTask(campaign=campaign, subject=subject, owner=next(task_owners), due_at=due,
                                priority=rng.choice(["high", "normal", "normal", "low"]), status=task_status,
                                completion_note="已按计划完成。" if task_status == "done" else "",
                                completed_at=due if task_status == "done" else None)
            service.save("campaign_task", task, owner)
        if status == "completed":  # a finished campaign has converted some of its responders already
            responded = CampaignMember.select().where((CampaignMember.campaign == campaign.id)
                                                      & (CampaignMember.status == "responded")
                                                      & (CampaignMember.member_type != "lead")).limit(2)
            for member in list(responded):
                try:
                    services.convert_member(campaign, member, campaign.owner)
                except services.CampaignError:  # the owner cannot see that record: leave it to chase
                    pass
        if status in ("completed", "active") and leads:
            for lead in rng.sample(leads, min(len(leads), 3)):
                if services.source_of("lead", lead.id) is None:
                    services.set_source("lead", lead.id, campaign.id)
            for opp in rng.sample(opportunities, min(len(opportunities), 2)):
                if services.source_of("opportunity", opp.id) is None:
                    services.set_source("opportunity", opp.id, campaign.id)


FALLBACK_COMPANIES = ["华东机械有限公司", "明德培训学校", "星海科技", "江南纺织厂"]
FALLBACK_PEOPLE = [("张", "伟"), ("李", "娜"), ("王", "芳"), ("刘", "洋"), ("陈", "静"), ("杨", "磊"), ("赵", "敏"),
                   ("黄", "强")]


def _fallback_records(owners, rng):
    """A few accounts, contacts and leads when core's demo loader made none, so campaigns have members."""
    accounts = []
    for i, company in enumerate(FALLBACK_COMPANIES):
        account = Account(name=company, owner=rng.choice(owners), phone=f"021-5888 10{i:02d}")
        service.save("account", account, account.owner)
        accounts.append(account)
    for i, (last, first) in enumerate(FALLBACK_PEOPLE):
        owner = rng.choice(owners)
        contact = Contact(last_name=last, first_name=first, account=accounts[i % len(accounts)], owner=owner,
                          email=f"contact{i}@example.cn")
        service.save("contact", contact, owner)
        lead = Lead(last_name=last, first_name=first + "（线索）", company=rng.choice(FALLBACK_COMPANIES),
                    owner=owner, email=f"lead{i}@example.cn", source="campaign")
        service.save("lead", lead, owner)
