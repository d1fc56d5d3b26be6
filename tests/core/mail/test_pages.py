"""E-mail pages through HTTP: who may compose and who may read the send log (every side, every sharing
mode, against the access tests' reference answers), composing from a template with an attachment, the
template admin, and the pages in Chinese."""
import pytest

from core.models import User
from core.mail.models import MailAttachment, MailMessage, MailTemplate
from tests.core.access.helpers import MODE_ALLOWS, SIDES, expected
from tests.core.mail.conftest import attach, make_contact, make_lead
from tests.core.records.conftest import set_sharing


@pytest.fixture
def web(make_app, as_user):
    """An app without SMTP (the default) and a client factory."""
    app = make_app(SMTP_HOST=None)
    with app.app_context():
        yield app


def client_for(app, login, user, language="en"):
    client = login(app.test_client(), user)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    return client


@pytest.mark.parametrize("mode", sorted(MODE_ALLOWS))
@pytest.mark.parametrize("type_name", ["contact", "lead", "account"])
def test_who_may_compose_and_who_may_read_the_log(web, sides, make_school, login, mode, type_name):
    owner = sides["owner"]
    contact = make_contact(owner)
    record = {"contact": contact, "lead": make_lead(owner), "account": contact.account}[type_name]
    MailMessage.create(record_type=type_name, record_id=record.id, to_address="x@example.cn", subject="已发",
                       message_id=f"<m{type_name}{mode}@x>", sender=owner.id, status="sent")
    set_sharing("lead" if type_name == "lead" else "account", mode)
    viewers = dict(sides, nobody=make_school()["outsider"])    # "nobody": a user without a position
    for side, user in viewers.items():
        client = client_for(web, login, user)
        as_side = "peer" if side == "nobody" else side      # the sharing mode alone decides for both
        reads, writes = expected(as_side, mode, "read"), expected(as_side, mode, "write")
        compose = client.get(f"/mail/{type_name}/{record.id}/compose")
        assert compose.status_code == (200 if writes else 403 if reads else 404), (side, mode)
        log = client.get(f"/mail/{type_name}/{record.id}/log")
        assert log.status_code == (200 if reads else 404), (side, mode)
        posted = client.post(f"/mail/{type_name}/{record.id}/compose",
                             data={"to": "a@example.cn", "subject": "s", "body": "b"})
        assert posted.status_code == (302 if writes else 403 if reads else 404), (side, mode)
        if reads:
            page = client.get(f"/records/{type_name}/{record.id}").get_data(as_text=True)
            assert 'data-section="mail"' in page and "已发" in log.get_data(as_text=True)
            assert ('data-action="compose-mail"' in page) == writes, (side, mode)
    assert MailMessage.select().where(MailMessage.subject == "s").count() == \
        sum(expected(side if side in SIDES else "peer", mode, "write") for side in viewers)


def test_compose_from_a_template_queues_the_merged_message_with_its_attachment(web, sides, login, frozen_clock):
    owner = sides["owner"]
    contact = make_contact(owner)
    document = attach("contact", contact, owner)
    other = attach("contact", make_contact(owner, email="z@example.cn"), owner, filename="其他.pdf")
    template = MailTemplate.create(name="问候", language="zh", subject="{{ contact.name }}您好",
                                   body="{{ account.name }}的{{ contact.name }}：\n此致")
    client = client_for(web, login, owner)
    page = client.get(f"/mail/contact/{contact.id}/compose?template={template.id}").get_data(as_text=True)
    assert 'value="wang@customer.example.cn"' in page and "{{ contact.name }}您好" in page
    assert 'data-smtp="off"' in page and "No SMTP server is configured" in page and "报价单" in page
    bad = client.post(f"/mail/contact/{contact.id}/compose", data={
        "to": contact.email, "subject": "x", "body": "{{ contact.salary }}", "template": str(template.id)})
    assert bad.status_code == 400 and "Unknown merge field: contact.salary" in bad.get_data(as_text=True)
    foreign = client.post(f"/mail/contact/{contact.id}/compose", data={
        "to": contact.email, "subject": "x", "body": "y", "attachments": [str(other.id)]})
    assert foreign.status_code == 400
    assert MailMessage.select().count() == 0
    sent = client.post(f"/mail/contact/{contact.id}/compose", data={
        "to": contact.email, "subject": template.subject, "body": template.body, "template": str(template.id),
        "attachments": [str(document.id)]})
    assert sent.status_code == 302 and sent.headers["Location"].endswith(f"/records/contact/{contact.id}")
    message = MailMessage.get()
    assert message.subject == "王小明您好" and message.body == "华东机械有限公司的王小明：\n此致"
    assert message.status == "queued" and message.template_id == template.id and message.sender_id == owner.id
    assert [a.document_id for a in MailAttachment.select()] == [document.id]
    detail = client.get(f"/records/contact/{contact.id}").get_data(as_text=True)
    assert "王小明您好" in detail and 'data-status="queued"' in detail and 'data-smtp="off"' in detail


def test_the_log_is_paginated_newest_first(web, sides, login):
    contact = make_contact(sides["owner"])
    for n in range(30):
        MailMessage.create(record_type="contact", record_id=contact.id, to_address="x@example.cn",
                           subject=f"第{n:02d}封", message_id=f"<p{n}@x>", status="failed",
                           last_error="SMTPRecipientsRefused: 550 no such user" if n == 29 else "")
    client = client_for(web, login, sides["owner"])
    first = client.get(f"/mail/contact/{contact.id}/log").get_data(as_text=True)
    assert first.index("第29封") < first.index("第28封") and "第00封" not in first
    assert "550 no such user" in first and 'rel="next"' in first
    detail = client.get(f"/records/contact/{contact.id}").get_data(as_text=True)
    assert "第29封" in detail and "第23封" not in detail and 'data-action="mail-log"' in detail


def test_templates_are_the_administrators_to_keep(web, sides, login):
    admin = client_for(web, login, sides["admin"])
    assert client_for(web, login, sides["owner"]).get("/mail/templates").status_code == 403
    refused = admin.post("/mail/templates/new", data={"name": "坏", "language": "zh", "subject": "s",
                                                      "body": "{{ owner.password_hash }}"})
    assert refused.status_code == 400 and "Unknown merge field: owner.password_hash" in refused.get_data(as_text=True)
    assert admin.post("/mail/templates/new", data={"name": "欢迎", "language": "zh", "subject": "您好",
                                                   "body": "{{ contact.name }}"}).status_code == 302
    clash = admin.post("/mail/templates/new", data={"name": "欢迎", "language": "zh", "subject": "x", "body": "y"})
    assert clash.status_code == 400 and "already a template" in clash.get_data(as_text=True)
    assert admin.post("/mail/templates/new", data={"name": "欢迎", "language": "en", "subject": "Hello",
                                                   "body": "Dear {{ contact.first_name }}"}).status_code == 302
    zh = MailTemplate.get(MailTemplate.language == "zh")
    listing = admin.get("/mail/templates").get_data(as_text=True)
    assert "Delete the template 欢迎?" in listing and "data-confirm" in listing
    assert admin.post(f"/mail/templates/{zh.id}/edit", data={"name": "欢迎", "language": "zh", "subject": "您好！",
                                                            "body": "{{ contact.name }}"}).status_code == 302
    assert MailTemplate.get_by_id(zh.id).subject == "您好！"
    assert admin.get(f"/mail/templates/{zh.id}/delete").status_code == 405      # a GET never deletes
    assert admin.post(f"/mail/templates/{zh.id}/delete").status_code == 302
    assert admin.post(f"/mail/templates/{zh.id}/delete").status_code == 404
    assert [t.language for t in MailTemplate.select()] == ["en"]


def test_the_pages_read_in_chinese(web, sides, login):
    owner = sides["owner"]
    contact = make_contact(owner)
    MailMessage.create(record_type="contact", record_id=contact.id, to_address="x@example.cn", subject="主题",
                       message_id="<zh@x>", status="failed", attempts=5, last_error="SMTPDataError: 554")
    MailTemplate.create(name="问候", language="en", subject="Hi", body="Hi")
    User.update(language="zh").execute()
    client = client_for(web, login, owner, "zh-CN")
    compose = client.get(f"/mail/contact/{contact.id}/compose").get_data(as_text=True)
    for words in ("给 王小明 发邮件", "收件人", "主题", "正文", "加入发件队列", "尚未配置 SMTP 服务器", "从模板开始",
                  "问候 (英文)", "合并字段", "本记录没有可附加的文档"):
        assert words in compose, words
    for english in ("Subject", "Queue the message", "No SMTP server", "Merge fields", "Start from a template"):
        assert english not in compose, english
    log = client.get(f"/mail/contact/{contact.id}/log").get_data(as_text=True)
    assert "发送失败" in log and "发件人" in log and "收件人" in log and "Failed" not in log and "Queued" not in log
    detail = client.get(f"/records/contact/{contact.id}").get_data(as_text=True)
    assert "发送邮件" in detail and "发送失败" in detail and "Send e-mail" not in detail
    bad = client.post(f"/mail/contact/{contact.id}/compose", data={"to": "nope", "subject": "s",
                                                                  "body": "{{ contact.x }}"})
    text = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "未知的合并字段：contact.x" in text and "请填写一个电子邮件地址" in text
    admin = client_for(web, login, sides["admin"], "zh-CN")
    page = admin.get("/mail/templates").get_data(as_text=True)
    assert "邮件模板" in page and "新建模板" in page and "删除模板 问候？" in page and "E-mail templates" not in page
    assert "邮件模板" in admin.get("/admin/").get_data(as_text=True)
