"""What the plugin contributes to the rest of the app: source-campaign fields, reports, calendar items, the
dashboard widget, demo data, clean-up on delete — and nothing at all when it is switched off."""
import datetime as dt
import random
from decimal import Decimal

from core.models import Lead, Opportunity, SalesStage
from core.records import service
from core.reports import ReportParams
from plugins.campaigns.models import Campaign, CampaignMember, CampaignSource, CampaignTask
from tests.plugins.campaigns.conftest import make_campaign, make_task, set_mode

NOW = dt.datetime(2026, 5, 15, 2, 0)


def gather(app, hook, **kwargs):
    return app.extensions["zhixin_plugins"].gather(hook, **kwargs)


def test_campaign_crud_through_http_with_validation(app, school, clients):
    client = clients["owner"]
    bad = {"name": "", "type": "webinar", "status": "planned", "start_date": "2026-06-10",
           "end_date": "2026-06-01", "owner": school["owner"].id}
    html = client.post("/campaigns/new", data=bad).get_data(as_text=True)
    assert "end date cannot be before" in html and Campaign.select().count() == 0
    good = dict(bad, name="线上研讨会", end_date="2026-06-20", actual_cost="1200.50", expected_response="12",
                reminder_days="2")
    assert client.post("/campaigns/new", data=good).status_code == 302
    campaign = Campaign.get()
    assert campaign.actual_cost == Decimal("1200.50") and campaign.reminder_days == 2
    assert client.post(f"/campaigns/{campaign.id}/edit", data=dict(good, status="active")).status_code == 302
    assert Campaign.get_by_id(campaign.id).status == "active"
    assert "线上研讨会" in client.get("/campaigns/?q=研讨").get_data(as_text=True)
    make_task(campaign, school["owner"], NOW)
    assert client.post(f"/campaigns/{campaign.id}/delete").status_code == 302
    assert Campaign.select().count() == 0 and CampaignTask.select().count() == 0


def test_source_campaign_field_on_leads_and_opportunities(app, school, login):
    owner, outsider = school["owner"], school["outsider"]
    mine = make_campaign(owner, "我的活动")
    hidden = make_campaign(outsider, "外班活动")
    lead = Lead.create(last_name="王", owner=owner)
    client = login(app.test_client(), owner)
    with app.test_request_context():
        from flask_login import login_user
        login_user(owner)
        fields = gather(app, "zhixin_record_fields", record_type="lead")
        assert [f.name for f in fields] == ["source_campaign"]
        field = fields[0]
        assert field.load(lead) == 0
        field.save(lead, hidden.id, owner)                   # not visible to the owner: ignored
        assert field.load(lead) == 0
        field.save(lead, mine.id, owner)
        assert field.load(lead) == mine.id
        assert "我的活动" in str(field.display(lead))
        unbound = field.form_field()
        from flask_wtf import FlaskForm
        form_class = type("F", (FlaskForm,), {"source_campaign": unbound})
        form = form_class(meta={"csrf": False})
        assert [c.label for c in form.source_campaign.choices] == ["—", "我的活动"]
        assert gather(app, "zhixin_record_fields", record_type="opportunity")[0].name == "source_campaign"
        assert gather(app, "zhixin_record_fields", record_type="account") == []
    assert client  # the client exists only to hold the session cookie jar


def test_deleting_records_removes_their_links(app, school):
    owner = school["owner"]
    campaign = make_campaign(owner)
    lead = Lead.create(last_name="删", owner=owner)
    CampaignSource.create(record_type="lead", record_id=lead.id, campaign=campaign)
    CampaignMember.create(campaign=campaign, member_type="lead", member_id=lead.id)
    service.delete("lead", lead, owner)
    assert CampaignSource.select().count() == 0 and CampaignMember.select().count() == 0


def test_reports_run_as_the_viewer(app, school):
    owner = school["owner"]
    set_mode("private")
    campaign = make_campaign(owner, "报表活动", actual_cost=Decimal("100"))
    make_campaign(school["outsider"], "外班的")
    make_task(campaign, owner, NOW)
    make_task(campaign, owner, NOW, status="done")
    reports = {r.id: r for r in gather(app, "zhixin_reports") if r.plugin == "campaigns"}
    assert set(reports) == {"campaigns.effect", "campaigns.tasks_by_status"}
    assert {r.family for r in reports.values()} == {"campaigns"}
    with app.test_request_context():   # the reports plugin runs them inside a request
        effect = reports["campaigns.effect"].run(owner, ReportParams())
        assert [row["name"] for row in effect.rows] == ["报表活动"]
        assert effect.totals["actual_cost"] == Decimal("100")
        tasks = reports["campaigns.tasks_by_status"].run(owner, ReportParams())
        assert tasks.rows[0]["open"] == 1 and tasks.rows[0]["done"] == 1 and tasks.rows[0]["total"] == 2
        admin_rows = reports["campaigns.effect"].run(school["admin"], ReportParams()).rows
        assert len(admin_rows) == 2
        assert effect.drilldown(effect.rows[0]) == f"/campaigns/{campaign.id}/effect"


def test_calendar_gets_open_tasks_the_user_may_see(app, school):
    owner = school["owner"]
    set_mode("private")
    campaign = make_campaign(owner)
    open_task = make_task(campaign, owner, NOW, "开放")
    make_task(campaign, owner, NOW, "完成", status="done")
    make_task(campaign, owner, NOW + dt.timedelta(days=40), "以后")
    start, end = NOW - dt.timedelta(days=1), NOW + dt.timedelta(days=1)
    with app.test_request_context():
        items = gather(app, "zhixin_calendar_items", user=owner, start=start, end=end, owners=None)
        assert [(i.kind, i.start) for i in items] == [("campaign_task", open_task.due_at)]
        assert items[0].url == f"/campaigns/tasks/{open_task.id}/edit"
        assert gather(app, "zhixin_calendar_items", user=school["outsider"], start=start, end=end,
                      owners=None) == []
        # narrowed to the people whose calendars are shown
        assert gather(app, "zhixin_calendar_items", user=owner, start=start, end=end, owners=[owner.id]) == items
        assert gather(app, "zhixin_calendar_items", user=owner, start=start, end=end,
                      owners=[school["outsider"].id]) == []


def test_dashboard_widget_shows_my_open_tasks_and_next_due(app, school, clients, frozen_clock):
    frozen_clock(NOW)
    owner = school["owner"]
    campaign = make_campaign(owner)
    make_task(campaign, owner, NOW - dt.timedelta(days=1), "过期的")
    make_task(campaign, owner, NOW + dt.timedelta(days=2), "下一个")
    make_task(campaign, owner, NOW, "完成的", status="done")
    html = clients["owner"].get("/").get_data(as_text=True)
    section = html.split('data-widget="campaigns.my_tasks"')[1]
    assert "data-open-tasks>2<" in section and "data-overdue-tasks" in section
    assert section.index("过期的") < section.index("下一个") and "完成的" not in section


def test_demo_data_has_campaigns_in_every_status_with_tasks_and_members(app, school):
    owner = school["owner"]
    for i in range(6):
        Lead.create(last_name=f"演示{i}", owner=owner)
    Opportunity.create(name="演示商机", owner=owner, stage=SalesStage.get(), close_date=dt.date(2026, 6, 1))
    from plugins.campaigns.demo import load
    load(list(school.values()), random.Random(1))
    assert {c.status for c in Campaign.select()} == {"planned", "active", "completed", "cancelled"}
    for campaign in Campaign.select():
        assert CampaignTask.select().where(CampaignTask.campaign == campaign.id).count() >= 3
        assert CampaignMember.select().where(CampaignMember.campaign == campaign.id).count() >= 1


def test_plugin_off_leaves_no_trace(make_app, login, make_user):
    app = make_app(plugins=["forecast"])
    with app.app_context():
        user = make_user("alice")
        client = login(app.test_client(), user)
        home = client.get("/")
        assert home.status_code == 200
        html = home.get_data(as_text=True)
        assert 'data-menu="campaigns"' not in html and "campaigns.my_tasks" not in html
        assert client.get("/campaigns/").status_code == 404
        assert client.get("/campaigns/tasks/").status_code == 404
        assert gather(app, "zhixin_record_fields", record_type="lead") == []
        assert not [r for r in gather(app, "zhixin_reports") if r.family == "campaigns"]
        from core import scheduler
        assert "campaigns.reminders" not in {j.id for j in scheduler.all_jobs(app)}
        assert "campaign" not in app.extensions["zhixin_record_types"]


def test_plugin_on_shows_menu_entries(app, school, clients):
    html = clients["owner"].get("/").get_data(as_text=True)
    assert 'data-menu="campaigns"' in html and 'data-menu="campaign_tasks"' in html


def test_pages_render_in_chinese(app, school, make_user, login, frozen_clock):
    frozen_clock(NOW)
    user = make_user("xiaoming", language="zh")
    campaign = make_campaign(user, "中文活动")
    task = make_task(campaign, user, NOW - dt.timedelta(days=1), "逾期任务")
    client = login(app.test_client(), user)
    pages = {
        "/campaigns/": "新建市场活动",
        f"/campaigns/{campaign.id}": "效果跟踪",
        f"/campaigns/{campaign.id}/effect": "待跟进的新线索",
        f"/campaigns/{campaign.id}/members/add?type=contact": "添加成员",
        "/campaigns/tasks/?view=open": "未完成任务",
        f"/campaigns/tasks/{task.id}/edit": "时间按单位所在时区显示",
        f"/campaigns/tasks/{task.id}/complete": "完成说明",
        "/campaigns/new": "目标受众",
        "/": "我的事件任务",
    }
    for url, text in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        assert text in response.get_data(as_text=True), url
    tabs = client.get("/campaigns/tasks/").get_data(as_text=True)
    for label in ("我的任务", "未完成任务", "历史任务", "所有任务"):
        assert label in tabs
    assert "data-overdue" in tabs


def test_converting_a_sourced_lead_attributes_its_opportunity_to_the_campaign(app, school):
    from core.records import leads
    from plugins.campaigns import effect as effects, services
    owner = school["owner"]
    campaign = make_campaign(owner, "来源传递")
    lead = Lead.create(last_name="赵", company="赵氏贸易", owner=owner)
    services.set_source("lead", lead.id, campaign.id)
    _account, _contact, opp = leads.convert(lead, owner, account_name="赵氏贸易", opportunity={
        "name": "赵氏首单", "close_date": dt.date(2026, 6, 30), "amount": Decimal("5000")})
    assert services.source_of("opportunity", opp.id).id == campaign.id
    assert effects.compute(campaign, owner).opportunities == 1


def test_lead_form_of_the_records_pages_sets_and_shows_the_source_campaign(app, school, clients):
    owner = school["owner"]
    campaign = make_campaign(owner, "表单来源")
    client = clients["owner"]
    form = client.get("/records/lead/new").get_data(as_text=True)
    assert 'name="source_campaign"' in form and "表单来源" in form
    response = client.post("/records/lead/new", data={"last_name": "孙", "status": "new",
                                                      "source_campaign": str(campaign.id)})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    lead = Lead.get(Lead.last_name == "孙")
    assert CampaignSource.get((CampaignSource.record_type == "lead")
                              & (CampaignSource.record_id == lead.id)).campaign_id == campaign.id
    detail = client.get(f"/records/lead/{lead.id}").get_data(as_text=True)
    assert f'href="/campaigns/{campaign.id}"' in detail
