"""Campaign mailings through a real SMTP server: 200 members each get their message exactly once (two
schedulers and two outboxes racing), a test goes to the sender, one recipient unsubscribes by the signed
link in their message (no login) and the next mailing skips them; bounced by hand; the effect page counts."""
import datetime as dt
import email.policy
import re
import threading
from email import message_from_bytes

import pytest

from core import mail
from core.mail.models import MailMessage, MailTemplate
from core.models import Contact, Lead
from plugins.campaigns import mailings
from plugins.campaigns.models import CampaignMailing, CampaignMailingRecipient, CampaignMember
from tests.plugins.campaigns.conftest import make_campaign, set_mode
from tests.smtp import Inbox, smtp_server

LINK = re.compile(r"http://localhost(/campaigns/unsubscribe/\S+)")


@pytest.fixture
def inbox():
    return Inbox()


@pytest.fixture
def app(make_app, inbox):
    """All plugins, with a real SMTP server (replaces the campaigns tests' app for this module)."""
    with smtp_server(inbox) as port:
        app = make_app(SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_FROM="market@zhixin.example.cn")
        with app.app_context():
            yield app


def decoded(message):
    return message_from_bytes(message.as_bytes(), policy=email.policy.default)


def race(fn, app):
    results, start = [], threading.Barrier(2)

    def run():
        start.wait(30)
        with app.app_context():     # as the scheduler runs a job (core.scheduler.run_job)
            results.append(fn(app))
    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    return results


@pytest.fixture
def audience(school):
    """A campaign of the owner's with 199 contacts and one lead as members, and a Chinese template."""
    owner = school["owner"]
    campaign = make_campaign(owner)
    common = {"owner": owner.id, "created_by": owner.id, "modified_by": owner.id}
    Contact.insert_many([dict(first_name=f"{n:03d}", last_name="王", email=f"c{n:03d}@customer.example.cn", **common)
                         for n in range(199)]).execute()
    lead = Lead.create(first_name="雷", last_name="李", company="远大", email="lead@lead.example.cn", **common)
    CampaignMember.insert_many([dict(campaign=campaign.id, member_type="contact", member_id=c.id)
                                for c in Contact.select(Contact.id)] + [
        dict(campaign=campaign.id, member_type="lead", member_id=lead.id)]).execute()
    template = MailTemplate.create(name="春季邀请", language="zh", subject="{{ recipient.name }}，春季新品发布",
                                   body="尊敬的{{ recipient.name }}：\n诚邀您参加{{ organisation.name }}的发布会。")
    return campaign, template


def start_mailing(client, campaign, template):
    r = client.post(f"/campaigns/{campaign.id}/mailings", data={"template": template.id})
    assert r.status_code == 302, r.get_data(as_text=True)[-500:]
    mailing = CampaignMailing.select().order_by(CampaignMailing.id.desc()).first()
    assert client.post(f"/campaigns/{campaign.id}/mailings/{mailing.id}/send").status_code == 302
    return mailing


def test_a_mailing_reaches_every_member_once_and_an_unsubscribe_is_honoured(app, inbox, school, clients,
                                                                             audience):
    campaign, template = audience
    owner = clients["owner"]
    first = start_mailing(owner, campaign, template)
    r = owner.post(f"/campaigns/{campaign.id}/mailings/{first.id}/test")
    assert r.status_code == 302
    assert owner.post(f"/campaigns/{campaign.id}/mailings/{first.id}/send").status_code == 409   # once
    assert sum(race(mailings.run, app)) == 200 and mailings.run(app) == 0
    assert CampaignMailing.get_by_id(first.id).status == "done"
    assert MailMessage.select().count() == 201
    # each outbox run takes at most 200 messages (core.mail.outbox.BATCH); the next run takes the rest
    assert sum(race(mail.send_due, app)) + mail.send_due(app) == 201 and mail.send_due(app) == 0
    received = [decoded(m) for m in inbox.messages]
    to = sorted(m["To"].addresses[0].addr_spec for m in received)
    assert len(to) == 201 and len(set(to)) == 201 and school["owner"].email in to
    [test] = [m for m in received if m["To"].addresses[0].addr_spec == school["owner"].email]
    assert test["Subject"].startswith("[Test]")
    [to_lead] = [m for m in received if m["To"].addresses[0].addr_spec == "lead@lead.example.cn"]
    assert to_lead["Subject"] == "李雷，春季新品发布" and to_lead["To"].addresses[0].display_name == "李雷"
    body = to_lead.get_body(("plain",)).get_content()
    assert "尊敬的李雷：" in body
    link = LINK.search(body).group(1)
    # the lead's own send log shows the campaign's message
    lead_id = MailMessage.get(MailMessage.to_address == "lead@lead.example.cn").record_id
    assert "李雷，春季新品发布" in owner.get(f"/mail/lead/{lead_id}/log").get_data(as_text=True)

    anonymous = app.test_client()
    assert anonymous.get(link[:-3] + "xyz").status_code == 404            # a forged or damaged link
    page = anonymous.get(link)
    assert page.status_code == 200 and "退订" in page.get_data(as_text=True)   # the organisation default: Chinese
    assert anonymous.post(link).status_code == 200
    assert anonymous.post(link).status_code == 200                        # asking twice changes nothing

    second = start_mailing(owner, campaign, template)
    assert mailings.run(app) == 199 and mail.send_due(app) == 199
    skipped = CampaignMailingRecipient.get((CampaignMailingRecipient.mailing == second.id)
                                           & (CampaignMailingRecipient.status != "queued"))
    assert (skipped.member_type, skipped.status) == ("lead", "unsubscribed")
    assert "lead@lead.example.cn" not in [decoded(m)["To"].addresses[0].addr_spec for m in inbox.messages[201:]]

    recipient = CampaignMailingRecipient.select().where(CampaignMailingRecipient.mailing == first.id).first()
    assert owner.post(f"/campaigns/{campaign.id}/mailings/{first.id}/recipients/{recipient.id}/bounced",
                      data={"bounced": "1"}).status_code == 302
    progress = owner.get(f"/campaigns/{campaign.id}/mailings/{first.id}").get_data(as_text=True)
    assert "200 members: 0 queued, 200 sent, 0 failed, 0 skipped, 1 bounced." in progress
    effect = owner.get(f"/campaigns/{campaign.id}/effect?format=csv").get_data(as_text=True)
    assert "Mailed,399" in effect and "Bounced,1" in effect


def test_who_may_run_mailings(app, school, clients, audience):
    campaign, template = audience
    set_mode("read")
    assert clients["peer"].get(f"/campaigns/{campaign.id}/mailings").status_code == 200
    assert clients["peer"].post(f"/campaigns/{campaign.id}/mailings", data={"template": template.id}).status_code == 403
    assert clients["outsider"].post(f"/campaigns/{campaign.id}/mailings",
                                    data={"template": template.id}).status_code == 403
    set_mode("private")
    assert clients["peer"].get(f"/campaigns/{campaign.id}/mailings").status_code == 404
    mailing = start_mailing(clients["superior"], campaign, template)
    assert clients["peer"].post(f"/campaigns/{campaign.id}/mailings/{mailing.id}/send").status_code == 404
    assert clients["outsider"].get(f"/campaigns/{campaign.id}/mailings/{mailing.id}").status_code == 404
    # the superior sends as themself: they may write their subordinate's contacts, so every member is mailed
    assert mailings.run(app) == 200


def test_the_mailing_pages_read_in_chinese(app, school, login, audience):
    campaign, template = audience
    school["owner"].language = "zh"
    school["owner"].save()
    client = login(app.test_client(), school["owner"])
    mailing = start_mailing(client, campaign, template)
    mailings.run(app)
    page = client.get(f"/campaigns/{campaign.id}/mailings/{mailing.id}").get_data(as_text=True)
    assert "200 位成员" in page and "发送测试邮件给我" in page and "标记为退信" in page and "Mark bounced" not in page
    listing = client.get(f"/campaigns/{campaign.id}/mailings").get_data(as_text=True)
    assert "群发邮件" in listing and "已完成" in listing and "Mailings" not in listing
    link = LINK.search(MailMessage.select().first().body).group(1)
    anonymous = app.test_client()
    anonymous.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN"
    assert "退订" in anonymous.get(link).get_data(as_text=True)


def test_a_scheduled_mailing_waits_for_its_time(app, school, clients, audience, frozen_clock):
    campaign, template = audience
    frozen_clock(dt.datetime(2026, 5, 15, 2, 0))                       # 10:00 in Shanghai
    owner = clients["owner"]
    owner.post(f"/campaigns/{campaign.id}/mailings", data={"template": template.id})
    mailing = CampaignMailing.get()
    bad = owner.post(f"/campaigns/{campaign.id}/mailings/{mailing.id}/send", data={"send_at": "tomorrow"})
    assert bad.status_code == 400 and CampaignMailing.get().status == "draft"
    assert owner.post(f"/campaigns/{campaign.id}/mailings/{mailing.id}/send",
                      data={"send_at": "2026-05-15T14:30"}).status_code == 302
    assert CampaignMailing.get().send_at == dt.datetime(2026, 5, 15, 6, 30)   # the organisation's zone, in UTC
    assert mailings.run(app) == 0 and CampaignMailingRecipient.select().count() == 0
    frozen_clock(dt.datetime(2026, 5, 15, 6, 30))
    assert mailings.run(app) == 200 and CampaignMailing.get().status == "done"
