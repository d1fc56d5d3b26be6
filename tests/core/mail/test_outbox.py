"""The outbox sends each queued message exactly once through a real SMTP server: Chinese merge fields and
attachments arrive decoded as written; two schedulers racing, a crash mid-send, a server that is down, and no
server configured at all."""
import datetime as dt
import email.policy
import threading
from email import message_from_bytes

import pytest

from core import mail, scheduler
from core.mail import merge
from core.mail.models import MailMessage, MailTemplate
from core.mail.outbox import INTERRUPTED_TWICE, MAX_ATTEMPTS, RESENT_HEADER, back_off
from tests.core.mail.conftest import PDF, attach, make_contact

T = dt.datetime(2026, 5, 15, 2, 0)


def decoded(message):
    """The received message parsed with the modern policy (headers decoded, parts iterable)."""
    return message_from_bytes(message.as_bytes(), policy=email.policy.default)


def queue_from_template(record, user, template, attachments=()):
    context = merge.context_for("contact", record, user)
    return mail.queue("contact", record, record.email, merge.render(template.subject, context),
                      merge.render(template.body, context), user, attachments=attachments, template=template,
                      to_name=context["recipient"]["name"])


@pytest.fixture
def chinese_template():
    return MailTemplate.create(name="报价跟进", language="zh", subject="{{ account.name }}：{{ contact.name }}的报价",
                               body="尊敬的{{ contact.name }}：\n附件是{{ organisation.name }}的报价。\n{{ owner.full_name }}")


def test_a_chinese_template_with_an_attachment_arrives_decoded_once(mail_app, inbox, sides, frozen_clock,
                                                                  chinese_template):
    frozen_clock(T)
    owner = sides["owner"]
    owner.full_name = "张经理"
    owner.save()
    contact = make_contact(owner)
    document = attach("contact", contact, owner)
    queued = queue_from_template(contact, owner, chinese_template, [document.id])
    assert queued.status == "queued" and queued.subject == "华东机械有限公司：王小明的报价"
    assert mail.send_due(mail_app) == 1
    assert mail.send_due(mail_app) == 0                # sent once: a second run finds nothing
    [received] = inbox.messages
    msg = decoded(received)
    assert msg["Subject"] == "华东机械有限公司：王小明的报价"
    assert msg["To"].addresses[0].display_name == "王小明"
    assert msg["To"].addresses[0].addr_spec == "wang@customer.example.cn"
    assert msg["From"].addresses[0].display_name == "张经理" and msg["Reply-To"].addresses[0].addr_spec == owner.email
    assert msg["Message-ID"].strip() == queued.message_id and msg[RESENT_HEADER] is None
    body = msg.get_body(("plain",)).get_content()
    assert "尊敬的王小明：" in body and "张经理" in body
    [part] = list(msg.iter_attachments())
    assert part.get_filename() == "报价单.pdf" and part.get_content_type() == "application/pdf"
    assert part.get_content() == PDF
    sent = MailMessage.get_by_id(queued.id)
    assert sent.status == "sent" and sent.sent_at and sent.attempts == 1 and sent.lease_until is None


def test_header_values_lose_their_line_breaks(mail_app, inbox, sides, frozen_clock):
    frozen_clock(T)
    contact = make_contact(sides["owner"])
    mail.queue("contact", contact, contact.email, "报价\r\nBcc: spy@example.com", "正文", sides["owner"],
               to_name="王\nBcc: spy@example.com")
    assert mail.send_due(mail_app) == 1
    [received] = inbox.messages
    assert received["Bcc"] is None and "spy@example.com" not in (received.get_all("To") or [""])[0].split("<")[-1]
    assert decoded(received)["Subject"] == "报价 Bcc: spy@example.com"


def test_two_outboxes_racing_send_every_message_once(mail_app, inbox, sides, frozen_clock):
    frozen_clock(T)
    contact = make_contact(sides["owner"])
    for n in range(12):
        mail.queue("contact", contact, f"c{n}@customer.example.cn", f"第{n}封", "正文", sides["owner"])
    results, start = [], threading.Barrier(2)

    def run():
        start.wait(30)
        results.append(mail.send_due(mail_app))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert sum(results) == 12
    assert sorted(decoded(m)["Subject"] for m in inbox.messages) == sorted(f"第{n}封" for n in range(12))
    assert MailMessage.select().where(MailMessage.status == "sent").count() == 12


def test_a_message_being_sent_is_left_alone_by_a_second_outbox(mail_app, inbox, sides, frozen_clock):
    frozen_clock(T)
    contact = make_contact(sides["owner"])
    mail.queue("contact", contact, contact.email, "慢", "正文", sides["owner"])
    inbox.hold_next()
    sending = threading.Thread(target=lambda: mail.send_due(mail_app))
    sending.start()
    assert inbox.held.wait(60)
    assert MailMessage.get().status == "sending"
    assert mail.send_due(mail_app) == 0         # within the lease: not touched
    inbox.release()
    sending.join(60)
    assert inbox.messages == []                 # refused (451) by the server: queued again for later
    after = MailMessage.get()
    assert after.status == "queued" and after.attempts == 1 and "451" in after.last_error


def killed_mid_send(message, resent=False):
    """The row as an outbox killed while sending it leaves it: claimed, its lease run out."""
    MailMessage.update(status="sending", attempts=message.attempts + 1, claim="gone:1:feed", resent=resent,
                       lease_until=T - dt.timedelta(seconds=1)).where(MailMessage.id == message.id).execute()


def test_after_a_crash_mid_send_it_is_sent_again_once_marked_then_given_up(mail_app, inbox, sides, frozen_clock):
    frozen_clock(T)
    contact = make_contact(sides["owner"])
    once = mail.queue("contact", contact, contact.email, "中断一次", "正文", sides["owner"])
    twice = mail.queue("contact", contact, contact.email, "中断两次", "正文", sides["owner"])
    killed_mid_send(once)
    killed_mid_send(twice, resent=True)
    assert scheduler.run_once(mail_app)["core.mail_outbox"] == 1   # the job as the scheduler runs it
    assert mail.send_due(mail_app) == 0
    [received] = inbox.messages
    assert decoded(received)["Subject"] == "中断一次" and received[RESENT_HEADER]
    once, twice = MailMessage.get_by_id(once.id), MailMessage.get_by_id(twice.id)
    assert once.status == "sent" and once.resent and once.lease_until is None
    assert twice.status == "failed" and twice.last_error == INTERRUPTED_TWICE


@pytest.fixture
def down_app(make_app):
    app = make_app(SMTP_HOST="127.0.0.1", SMTP_PORT=9, EMAIL_LEASE_SECONDS=600)   # nothing listens on port 9
    with app.app_context():
        yield app


@pytest.fixture
def unconfigured_app(make_app):
    app = make_app(SMTP_HOST=None)
    with app.app_context():
        yield app


def test_a_server_that_is_down_is_retried_with_back_off_then_failed_with_the_reason(down_app, sides, frozen_clock):
    app = down_app
    with app.app_context():
        frozen_clock(T)
        contact = make_contact(sides["owner"])
        queued = mail.queue("contact", contact, contact.email, "重试", "正文", sides["owner"])
        now = T
        for attempt in range(1, MAX_ATTEMPTS + 1):
            assert mail.send_due(app) == 0
            row = MailMessage.get_by_id(queued.id)
            assert row.attempts == attempt and "ConnectionRefusedError" in row.last_error
            if attempt < MAX_ATTEMPTS:
                assert row.status == "queued" and row.next_attempt_at == now + back_off(attempt)
                frozen_clock(row.next_attempt_at - dt.timedelta(seconds=1))
                assert mail.send_due(app) == 0 and MailMessage.get_by_id(queued.id).attempts == attempt  # not yet
                now = frozen_clock(row.next_attempt_at)
        assert row.status == "failed" and row.next_attempt_at is None
        assert back_off(1) == dt.timedelta(minutes=5) and back_off(3) == dt.timedelta(minutes=20)


def test_without_smtp_mail_stays_queued_and_goes_out_once_configured(unconfigured_app, make_app, inbox, smtp_port,
                                                                     sides, frozen_clock):
    app = unconfigured_app
    with app.app_context():
        frozen_clock(T)
        contact = make_contact(sides["owner"])
        queued = mail.queue("contact", contact, contact.email, "稍后发送", "正文", sides["owner"])
        assert mail.send_due(app) == 0 and scheduler.run_once(app)["core.mail_outbox"] == 0
        assert MailMessage.get_by_id(queued.id).status == "queued" and inbox.messages == []
    configured = make_app(SMTP_HOST="127.0.0.1", SMTP_PORT=smtp_port)
    with configured.app_context():
        assert mail.send_due(configured) == 1
    assert [decoded(m)["Subject"] for m in inbox.messages] == ["稍后发送"]


def test_a_deleted_attachment_fails_the_message_with_the_reason(mail_app, inbox, sides, frozen_clock):
    frozen_clock(T)
    contact = make_contact(sides["owner"])
    document = attach("contact", contact, sides["owner"])
    queued = mail.queue("contact", contact, contact.email, "附件", "正文", sides["owner"], attachments=[document])
    document.delete_instance()
    assert mail.send_due(mail_app) == 0
    row = MailMessage.get_by_id(queued.id)
    assert row.status == "failed" and "no longer exists" in row.last_error and inbox.messages == []


def test_queue_refuses_bad_input_and_foreign_attachments_writing_nothing(mail_app, sides, frozen_clock):
    contact = make_contact(sides["owner"])
    other = make_contact(sides["owner"], email="other@example.cn")
    foreign = attach("contact", other, sides["owner"])
    for to, subject, body, files in (("not an address", "s", "b", ()), ("a@b.cn, c@d.cn", "s", "b", ()),
                                     ("a@b.cn", "\r\n", "b", ()), ("a@b.cn", "s", "  ", ()),
                                     ("a@b.cn", "s", "b", [foreign.id])):
        with pytest.raises(mail.MailError) as refused:
            mail.queue("contact", contact, to, subject, body, sides["owner"], attachments=files)
        assert refused.value.status == 400
    with pytest.raises(mail.MailError) as refused:
        mail.queue("contact", contact, "a@b.cn", "s", "b", sides["outsider"])
    assert refused.value.status == 403
    assert MailMessage.select().count() == 0


def test_unknown_merge_fields_and_code_are_refused_with_a_reason():
    merge.check("您好 {{ contact.first_name }}，{{ organisation.name }}")
    for text, words in (("{{ contact.salary }}", "contact.salary"), ("{{ user.password_hash }}", "user.password_hash"),
                        ("{{ contact.name.__class__ }}", "merge fields"), ("{{ 7*7 }}", "merge fields"),
                        ("{% for x in y %}{% endfor %}", "merge fields"), ("{{ contact.", "cannot be read")):
        with pytest.raises(merge.MergeError) as refused:
            merge.check(text)
        assert words in str(refused.value)
