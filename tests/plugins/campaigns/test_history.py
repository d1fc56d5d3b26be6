"""A campaign's change history as a person reads it, on the campaign's own page and on /records/campaign/<id>
(one panel): members added, marked sent, a member's response, a member removed and the web form's settings
— in labels and names of the reader's language, never the stored codes."""
import re

import pytest

from core.models import Contact, Lead, User
from plugins.campaigns.models import CampaignMember
from tests.plugins.campaigns.conftest import make_campaign

CODES = ("+2 contact", "sent ×", "member contact", "member lead", "web form", "planned", "responded",
         "assign_rule", "'True'", "first_name", "None")


@pytest.fixture
def campaign(app, school, clients):
    """A campaign whose owner added two contacts and a lead, marked them sent, changed and removed one, and
    set up the web form: each through its page."""
    owner, client = school["owner"], clients["owner"]
    campaign = make_campaign(owner, "秋季展会")
    contacts = [Contact.create(last_name=f"联系人{i}", owner=owner) for i in range(2)]
    client.post(f"/campaigns/{campaign.id}/members/add", data={"type": "contact", "ids": [str(c.id) for c in contacts]})
    lead = Lead.create(last_name="线索甲", owner=owner)
    client.post(f"/campaigns/{campaign.id}/members/add", data={"type": "lead", "ids": [str(lead.id)]})
    client.post(f"/campaigns/{campaign.id}/members/mark-sent")
    first, second = CampaignMember.select().where(CampaignMember.member_type == "contact").order_by(CampaignMember.id)
    client.post(f"/campaigns/{campaign.id}/members/{first.id}/status", data={"status": "responded"})
    client.post(f"/campaigns/{campaign.id}/members/{second.id}/remove")
    posted = client.post(f"/campaigns/{campaign.id}/web-form", data={
        "enabled": "y", "fields": ["last_name", "email", "company"], "required": ["email"],
        "assign_rule": "user", "assign_user": str(owner.id), "per_address_limit": "5", "window_minutes": "60",
        "per_form_limit": "100"})
    assert posted.status_code == 302
    return campaign, contacts


PAGES = ("/campaigns/{id}", "/records/campaign/{id}")


@pytest.fixture(params=PAGES)
def page(request):
    return request.param


def history(client, campaign, language, page):
    user = User.get(User.username == "manager_a")
    User.update(language=language).where(User.id == user.id).execute()
    page = client.get(page.format(id=campaign.id)).get_data(as_text=True)
    section = re.search(r'data-section="audit">(.*?)</section>', page, re.S).group(1)
    return [re.sub(r"\s+", " ", item).strip() for item in re.findall(r"<li>(.*?)</li>", section, re.S)]


def test_the_history_reads_in_chinese(campaign, school, clients, page):
    campaign, contacts = campaign
    lines = history(clients["owner"], campaign, "zh", page)
    text = "\n".join(lines)
    assert "成员: — → 新增 2 个（联系人）" in lines and "成员: — → 新增 1 个（线索）" in lines
    assert "成员: 计划中 → 3 个标记为已发送" in lines
    assert f"成员：联系人 #{contacts[0].id}: 已发送 → 已响应" in lines
    assert f"成员：联系人 #{contacts[1].id}: 已发送 → —" in lines
    assert "网页表单：接收提交: 否 → 是" in lines
    assert any(line.startswith("网页表单：表单上的字段: ") and "公司" in line and "电子邮件" in line for line in lines)
    assert f"网页表单：接收线索的用户: — → {school['owner'].display_name}" in lines
    for code in CODES:
        assert code not in text, code


def test_the_history_reads_in_english(campaign, school, clients, page):
    campaign, contacts = campaign
    lines = history(clients["owner"], campaign, "en", page)
    assert "Members: — → 2 added (Contact)" in lines and "Members: Planned → 3 marked as sent" in lines
    assert f"Member: Contact #{contacts[0].id}: Sent → Responded" in lines
    assert "Web form: Take submissions: No → Yes" in lines
    assert "Web form: Fields on the form: First name, Last name, Company, E-mail, and Phone → Last name, " \
           "Company, and E-mail" in lines
    for code in CODES:
        assert code not in "\n".join(lines), code
