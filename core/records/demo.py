"""Demo data of the core records: for every demo user, Chinese accounts with contacts, leads, opportunities
across the stages (a won one for everyone below the teacher) — closed ones closed this fiscal quarter by today,
open ones closing from today to the next quarter's end (some with product lines) —, plus competitors and —
when the product catalogue is still empty and the whole school's demo is loading — product categories and
products. Every link (competitors, contacts) stays among the given users' own records."""
import datetime as _dt
from decimal import Decimal

from core import clock, fiscal
from core.demo import is_school_demo
from core.models import (Account, Competitor, Contact, Lead, Opportunity, OpportunityCompetitor, OpportunityLine,
                         OpportunityStageHistory, Product, ProductCategory, SalesStage)
from core.records import leads, opportunities, service

CITIES = ["上海", "北京", "广州", "深圳", "杭州", "南京", "苏州", "成都", "武汉", "西安", "天津", "宁波", "青岛", "厦门"]
WORDS = [("华信", "huaxin"), ("恒达", "hengda"), ("新雅", "xinya"), ("宏远", "hongyuan"), ("金桥", "jinqiao"),
         ("东方", "dongfang"), ("明德", "mingde"), ("瑞丰", "ruifeng"), ("博雅", "boya"), ("中科", "zhongke"),
         ("天成", "tiancheng"), ("万通", "wantong"), ("嘉禾", "jiahe"), ("鼎盛", "dingsheng"), ("安泰", "antai"),
         ("隆基", "longji"), ("永华", "yonghua"), ("康达", "kangda")]
TRADES = [("机械制造", "manufacturing"), ("电子", "manufacturing"), ("商贸", "retail"), ("信息科技", "technology"),
          ("医疗器械", "healthcare"), ("物流", "transport"), ("食品", "retail"), ("教育科技", "education"),
          ("投资", "finance"), ("新能源", "energy"), ("酒店管理", "hospitality"), ("农业科技", "agriculture")]
SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高")
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛", "明", "超", "霞", "平", "刚"]
TITLES = ["总经理", "采购经理", "技术总监", "财务总监", "信息部主管", "行政经理", "销售总监", "项目经理"]
DEPARTMENTS = ["采购部", "信息部", "财务部", "总经办", "技术部", "行政部"]
OPPORTUNITY_TOPICS = ["CRM 系统采购", "年度维保续约", "生产线数字化改造", "门店收银升级", "员工培训项目", "云服务迁移",
                      "数据分析平台", "二期扩容"]
NEXT_STEPS = ["安排产品演示", "发送报价单", "约见决策人", "准备技术方案", "商务谈判", "等待客户内部审批"]
CATALOGUE = [
    # category, parent category, [(name, code, price, unit)]
    ("软件", None, []),
    ("CRM 套件", "软件", [("智欣 CRM 标准版", "CRM-STD", "19800.00", "套"), ("智欣 CRM 专业版", "CRM-PRO", "39800.00", "套"),
                        ("移动端授权", "CRM-MOB", "680.00", "用户/年")]),
    ("数据分析", "软件", [("报表分析模块", "BI-RPT", "12000.00", "套")]),
    ("服务", None, [("实施服务", "SVC-IMP", "1500.00", "人天"), ("培训服务", "SVC-TRN", "1200.00", "人天"),
                   ("年度维保", "SVC-MNT", "8800.00", "年")]),
    ("硬件", None, [("扫码枪", "HW-SCAN", "450.00", "台"), ("标签打印机", "HW-PRN", "1280.00", "台")]),
]
COMPETITORS = [("慧通软件", "https://huitong.example.cn", "价格低，本地服务团队多", "产品功能较旧，移动端弱"),
               ("云帆科技", "https://yunfan.example.cn", "云端部署快，界面现代", "定制能力有限，数据在第三方云上"),
               ("大象信息", "https://daxiang.example.cn", "行业案例多，品牌知名", "价格高，实施周期长"),
               ("启明系统", "https://qiming.example.cn", "与财务软件集成好", "售后响应慢")]


def load(app, users, rng):
    """Create the core records' demo data (called once, inside a transaction, in Chinese)."""
    products = _catalogue(users)
    competitors = _competitors(users, rng)
    stages = list(SalesStage.select().order_by(SalesStage.order))
    won = next((s for s in stages if s.is_won), None)
    others = [s for s in stages if s is not won] or stages
    quarters = _two_fiscal_quarters()
    for index, user in enumerate(users):
        many = index > 0  # the teacher gets a few records of their own; students get a full set
        accounts = [_account(user, rng) for _i in range(3 if many else 1)]
        contacts = [_contact(user, acc, rng) for acc in accounts for _j in range(rng.randint(1, 2))]
        leads = [_lead(user, rng) for _k in range(4 if many else 1)]
        if many and rng.random() < 0.5:  # some students converted a lead already
            _convert(leads[0], user, stages, quarters, rng)
        for n in range(4 if many else 1):
            acc = rng.choice(accounts)
            contact = next((c for c in contacts if c.account_id == acc.id), None)
            # everyone below the teacher has a won deal (the forecast, the reports and the exercises need one)
            stage = won if many and n == 0 and won else others[(index + n) % len(others)]
            opp = _opportunity(user, acc, contact, stage, quarters, rng)
            _earlier_stages(opp, user, stages, rng)
            if products and rng.random() < 0.5:
                _lines(opp, user, products, rng)
            if competitors and rng.random() < 0.4:
                OpportunityCompetitor.insert(opportunity=opp.id, competitor=rng.choice(competitors).id) \
                    .on_conflict_ignore().execute()


def _two_fiscal_quarters():
    """(start, end) of the current fiscal quarter and the next, from the organisation's fiscal year start."""
    quarter = fiscal.current_quarter()
    return quarter.start, quarter.next().end


def _catalogue(users):
    if Product.select().exists() or not is_school_demo(users):  # the administrator's (or an earlier demo's)
        return list(Product.select().where(Product.active == True))  # noqa: E712
    categories = {}
    for name, parent, items in CATALOGUE:
        category = ProductCategory.get_or_none(ProductCategory.name == name)
        if category is None:
            category = ProductCategory.create(name=name, parent=categories.get(parent))
        categories[name] = category
        for product, code, price, unit in items:
            Product.create(name=product, code=code, category=category, unit_price=Decimal(price), unit=unit)
    return list(Product.select())


def _competitors(users, rng):
    out = []
    for name, website, strengths, weaknesses in COMPETITORS:  # each class keeps its own competitor records
        existing = Competitor.get_or_none((Competitor.name == name) & Competitor.owner.in_([u.id for u in users]))
        if existing:
            out.append(existing)
            continue
        owner = rng.choice(users)
        record = Competitor(name=name, website=website, strengths=strengths, weaknesses=weaknesses, owner=owner.id)
        service.save("competitor", record, owner, check=False)
        out.append(record)
    return out


def _person(rng):
    return rng.choice(SURNAMES), rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.5 else "")


def _phone(rng):
    return f"1{rng.choice('3578')}{rng.randint(0, 9)} {rng.randint(1000, 9999)} {rng.randint(1000, 9999)}"


def _account(user, rng):
    city, (word, pinyin) = rng.choice(CITIES), rng.choice(WORDS)
    trade, industry = rng.choice(TRADES)
    name = f"{city}{word}{trade}有限公司"
    suffix = 2
    while Account.select().where(Account.name == name).exists():
        name = f"{city}{word}{trade}（第{suffix}分公司）"
        suffix += 1
    record = Account(name=name, type=rng.choice(["customer", "customer", "prospect", "partner"]), industry=industry,
                     phone=f"0{rng.randint(10, 29)}-{rng.randint(5000, 8999)} {rng.randint(1000, 9999)}",
                     website=f"https://www.{pinyin}.example.cn", region=city,
                     billing_address=f"{city}市{rng.choice(['高新区', '经开区', '中心区'])}{rng.randint(1, 300)}号",
                     annual_revenue=Decimal(rng.randint(50, 5000) * 10000), employees=rng.randint(20, 2000),
                     owner=user.id)
    service.save("account", record, user, check=False)
    return record


def _contact(user, account, rng):
    last, first = _person(rng)
    record = Contact(last_name=last, first_name=first, account=account.id, title=rng.choice(TITLES),
                     department=rng.choice(DEPARTMENTS), mobile=_phone(rng),
                     email=f"contact{rng.randint(1000, 99999)}@example.cn",
                     lead_source=rng.choice(["web", "referral", "trade_show", "phone"]), owner=user.id)
    service.save("contact", record, user, check=False)
    return record


def _lead(user, rng):
    last, first = _person(rng)
    city, (word, _pinyin) = rng.choice(CITIES), rng.choice(WORDS)
    trade, industry = rng.choice(TRADES)
    record = Lead(last_name=last, first_name=first, company=f"{city}{word}{trade}", title=rng.choice(TITLES),
                  phone=_phone(rng), email=f"lead{rng.randint(1000, 99999)}@example.cn",
                  source=rng.choice(["web", "phone", "referral", "trade_show", "advertisement", "email"]),
                  status=rng.choice(["new", "new", "contacted", "qualified", "unqualified"]),
                  rating=rng.choice(["hot", "warm", "cold"]), industry=industry,
                  annual_revenue=Decimal(rng.randint(10, 900) * 10000), owner=user.id)
    service.save("lead", record, user, check=False)
    return record


def _close_date(closed, quarters, rng):
    """A closed deal closed this quarter, by today; an open one closes from today to the next quarter's end."""
    start, end = quarters
    today = clock.today()
    first, last = (start, today) if closed else (today, end)
    return first + _dt.timedelta(days=rng.randint(0, (last - first).days))


def _opportunity(user, account, contact, stage, quarters, rng):
    close = _close_date(stage.is_closed, quarters, rng)
    name = f"{account.name.replace('有限公司', '')}·{rng.choice(OPPORTUNITY_TOPICS)}"
    record = Opportunity(name=name, account=account.id,
                         contact=contact.id if contact else None, amount=Decimal(rng.randint(2, 80) * 5000),
                         close_date=close, stage=stage.id, probability=None,
                         type=rng.choice(["new_business", "existing_business", "renewal"]),
                         lead_source=rng.choice(["web", "referral", "trade_show"]), next_step=rng.choice(NEXT_STEPS),
                         owner=user.id)
    service.save("opportunity", record, user, check=False)
    return record


def _earlier_stages(opp, user, stages, rng):
    """History rows for the open stages an opportunity went through before its current one."""
    current = next(i for i, s in enumerate(stages) if s.id == opp.stage_id)
    passed = [s for s in stages[:current] if not s.is_closed]
    now = clock.utcnow()
    for steps_back, stage in enumerate(reversed(passed), start=1):
        OpportunityStageHistory.create(opportunity=opp.id, stage=stage.id, amount=opp.amount,
                                       probability=stage.probability, changed_by=user.id,
                                       changed_at=now - _dt.timedelta(days=7 * steps_back + rng.randint(0, 3)))


def _convert(lead, user, stages, quarters, rng):
    stage = stages[1] if len(stages) > 1 else stages[0]
    leads.convert(lead, user, account_name=f"{lead.company}有限公司", opportunity={
        "name": f"{lead.company}·{rng.choice(OPPORTUNITY_TOPICS)}",
        "close_date": _close_date(stage.is_closed, quarters, rng),
        "stage": stage.id,
        "amount": Decimal(rng.randint(2, 40) * 5000)})


def _lines(opp, user, products, rng):
    for product in rng.sample(products, k=min(len(products), rng.randint(1, 3))):
        OpportunityLine.create(opportunity=opp.id, product=product.id, quantity=Decimal(rng.randint(1, 10)),
                               unit_price=product.unit_price, discount_percent=Decimal(rng.choice([0, 0, 5, 10])))
    opportunities.recompute(opp, user)
