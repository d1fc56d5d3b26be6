"""Inbound replies against a real IMAP server (dovecot, tests/imap.py) and a real SMTP server: a reply matched by
its reply address and by In-Reply-To, by the sender's address, a Chinese subject and an HTML-only body, an
unknown sender opening service feedback (and, with the service module off, staying unfiled for the
administrator), malformed and oversized mail skipped, each message filed exactly once however often and from
however many threads the fetch runs; the pages (log, unfiled, timeline) through HTTP in English and Chinese."""
import os
import threading
from email.header import Header
from email.message import EmailMessage
from email.mime.text import MIMEText

import pytest

from core import mail, scheduler
from core.mail import inbound, outbox
from core.mail.models import InboundMail, MailMessage
from core.models import Contact, User
from tests import imap
from tests.cli import run_cli
from tests.core.mail.conftest import make_contact, make_lead

REPLY = "replies@school.example"

if imap.DOVECOT is None:
    if os.environ.get("CI") == "true":
        raise RuntimeError("CI: dovecot is missing (.ci/run installs dovecot-imapd): the IMAP tests cannot run")
    pytestmark = pytest.mark.skip(reason="dovecot is not installed (apt-get install dovecot-imapd)")


@pytest.fixture
def imap_port(tmp_path):
    with imap.dovecot_server(tmp_path / "dovecot") as port:
        yield port


def imap_config(port):
    return {"IMAP_HOST": "127.0.0.1", "IMAP_PORT": port, "IMAP_USER": imap.USER, "IMAP_PASSWORD": imap.PASSWORD,
            "MAIL_REPLY_ADDRESS": REPLY}


@pytest.fixture
def app(request, make_app, smtp_port, imap_port):
    """The app with SMTP and IMAP; ``@pytest.mark.parametrize("app", [[plugins]], indirect=True)`` picks the
    plugins (default: all bundled)."""
    app = make_app(plugins=getattr(request, "param", None), SMTP_HOST="127.0.0.1", SMTP_PORT=smtp_port,
                   SMTP_FROM="crm@zhixin.example.cn", **imap_config(imap_port))
    with app.app_context():
        yield app


def sent_message(app, inbox, owner, contact, subject="报价"):
    """A message queued from ``contact`` and sent through the real SMTP server; (MailMessage, the e-mail)."""
    message = outbox.queue("contact", contact, contact.email, subject, "您好", owner)
    assert outbox.send_due(app) == 1
    return MailMessage.get_by_id(message.id), inbox.messages[-1]


def reply(to, subject, body="好的,谢谢", sender="wang@customer.example.cn", **headers):
    msg = EmailMessage()
    msg["From"] = f"王小明 <{sender}>"
    msg["To"] = to
    msg["Subject"] = subject
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content(body)
    return msg.as_bytes()


def test_a_reply_to_its_own_address_is_filed_on_the_record_and_flagged_seen(app, inbox, imap_port, sides):
    owner = sides["owner"]
    contact = make_contact(owner)
    message, sent = sent_message(app, inbox, owner, contact)
    token = message.reply_token
    assert len(token) == 32 and f"<replies+{token}@school.example>" in sent["Reply-To"]
    imap.append(imap_port, reply(f"replies+{token}@school.example", "Re: 报价", Message_ID="<r1@customer>"))
    result = mail.fetch(app)
    assert (result.filed, result.unfiled, result.skipped) == (1, 0, 0)
    got = InboundMail.get()
    assert (got.record_type, got.record_id, got.matched_by, got.reply_to_id) == ("contact", contact.id, "token",
                                                                               message.id)
    assert got.from_address == "wang@customer.example.cn" and got.from_name == "王小明"
    assert got.body.strip() == "好的,谢谢" and got.subject == "Re: 报价"
    assert all("\\Seen" in f for f in imap.flags(imap_port))
    assert mail.fetch(app).filed == 0                      # seen: not read again
    assert InboundMail.select().count() == 1


def test_a_guessed_token_does_not_match_and_in_reply_to_does(app, inbox, imap_port, sides):
    owner = sides["owner"]
    contact = make_contact(owner, email="other@customer.example.cn")
    message, _sent = sent_message(app, inbox, owner, contact)
    imap.append(imap_port, reply("replies+" + "0" * 32 + "@school.example", "Re: guessed",
                                 sender="stranger@nowhere.example", Message_ID="<guess@x>",
                                 In_Reply_To=message.message_id))
    imap.append(imap_port, reply("owner@school.example", "Re: thread", sender="stranger2@nowhere.example",
                                 Message_ID="<refs@x>", References=f"<old@x> {message.message_id}"))
    assert mail.fetch(app).filed == 2
    rows = {r.message_id: r for r in InboundMail.select()}
    assert {(r.matched_by, r.record_id) for r in rows.values()} == {("thread", contact.id)}


@pytest.mark.parametrize("app", [[]], indirect=True)          # no service module: nobody takes the third
def test_a_known_sender_is_filed_on_the_one_contact_or_lead_and_two_contacts_are_no_match(app, imap_port, sides):
    owner = sides["owner"]
    contact = make_contact(owner, email="Known@Customer.example.cn")
    lead = make_lead(owner)
    make_contact(owner, email="twice@customer.example.cn")
    make_contact(owner, email="twice@customer.example.cn")
    for n, sender in enumerate(("known@customer.example.cn", "li@lead.example.com", "twice@customer.example.cn")):
        imap.append(imap_port, reply("sales@school.example", f"hello {n}", sender=sender, Message_ID=f"<s{n}@x>"))
    result = mail.fetch(app)
    assert (result.filed, result.unfiled) == (2, 1)
    by_id = {r.message_id: (r.record_type, r.record_id, r.matched_by) for r in InboundMail.select()}
    assert by_id == {"<s0@x>": ("contact", contact.id, "sender"), "<s1@x>": ("lead", lead.id, "sender"),
                     "<s2@x>": ("", None, "")}


def test_chinese_subjects_html_only_mail_and_attachments(app, imap_port, sides):
    contact = make_contact(sides["owner"])
    html = MIMEText("<html><head><style>p{}</style><script>alert(1)</script></head><body><p>价格&amp;交期</p>"
                    "<p>第二行<br>第三行</p></body></html>", "html", "utf-8")
    html["From"] = contact.email
    html["To"] = "sales@school.example"
    html["Subject"] = Header("回复:关于报价单的问题", "utf-8").encode()
    html["Message-ID"] = "<html@x>"
    assert "=?utf-8?" in html["Subject"]
    imap.append(imap_port, html.as_bytes())
    with_file = EmailMessage()
    with_file["From"], with_file["To"], with_file["Subject"] = contact.email, "sales@school.example", "附件"
    with_file["Message-ID"] = "<file@x>"
    with_file.set_content("见附件")
    with_file.add_attachment(b"%PDF-1.4", maintype="application", subtype="pdf", filename="合同.pdf")
    imap.append(imap_port, with_file.as_bytes())
    assert mail.fetch(app).filed == 2
    got = InboundMail.get(InboundMail.message_id == "<html@x>")
    assert got.subject == "回复:关于报价单的问题"
    assert got.body == "价格&交期\n第二行\n第三行" and "alert" not in got.body
    attached = InboundMail.get(InboundMail.message_id == "<file@x>")
    assert attached.body.strip() == "见附件" and attached.dropped == "合同.pdf"


def test_malformed_and_oversized_mail_is_skipped_with_a_reason_and_the_rest_is_filed(app, imap_port, sides,
                                                                                     caplog):
    contact = make_contact(sides["owner"])
    imap.append(imap_port, b"This is not an e-mail at all\r\n")
    imap.append(imap_port, reply("sales@school.example", "big", body="x" * 3000, sender=contact.email,
                                 Message_ID="<big@x>"))
    imap.append(imap_port, reply("sales@school.example", "fine", sender=contact.email, Message_ID="<fine@x>"))
    app.config["IMAP_MAX_BYTES"] = 2000
    result = mail.fetch(app)
    assert (result.filed, result.skipped) == (1, 2), result.reasons
    assert any("malformed" in r for r in result.reasons) and any("IMAP_MAX_BYTES" in r for r in result.reasons)
    assert "inbound mail uid" in caplog.text
    assert [r.message_id for r in InboundMail.select()] == ["<fine@x>"]
    assert all("\\Seen" in f for f in imap.flags(imap_port))       # skipped ones are not read again either


def test_each_message_is_filed_once_by_reruns_and_by_two_threads(app, imap_port, sides):
    contact = make_contact(sides["owner"])
    for n in range(6):
        imap.append(imap_port, reply("sales@school.example", f"n{n}", sender=contact.email, Message_ID=f"<t{n}@x>"))
    results, errors = [], []

    def run():
        try:
            with app.app_context():
                results.append(mail.fetch(app))
        except Exception as exc:        # reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sum(r.filed for r in results) == 6 and InboundMail.select().count() == 6
    # a fetcher that died before flagging: the same messages unseen again are found stored, not filed twice
    with imap.connect(imap_port) as box:
        box.select("INBOX")
        box.store("1:*", "-FLAGS", "(\\Seen)")
    again = mail.fetch(app)
    assert (again.filed, again.duplicate) == (0, 6) and InboundMail.select().count() == 6


def test_an_unknown_sender_opens_service_feedback_assigned_by_the_rule(app, imap_port, sides):
    from plugins.service.models import Feedback
    imap.append(imap_port, reply("sales@school.example", "网站打不开", body="请帮忙", sender="new@unknown.example",
                                 Message_ID="<new@x>"))
    result = mail.fetch(app)
    assert (result.taken, result.unfiled) == (1, 0)
    item = Feedback.get()
    assert (item.subject, item.description.strip(), item.channel, item.submitter_email) == (
        "网站打不开", "请帮忙", "email", "new@unknown.example")
    assert item.owner_id is not None and item.status in ("new", "assigned")
    got = InboundMail.get()
    assert (got.record_type, got.record_id, got.taken_by) == ("feedback", item.id, "service")
    assert Contact.get(Contact.email == "new@unknown.example").id == item.contact_id
    assert list(inbound.unfiled()) == []


@pytest.mark.parametrize("app", [["calendar"]], indirect=True)
def test_with_the_service_module_off_unknown_mail_stays_unfiled_for_the_administrator(app, imap_port, sides, login):
    User.update(language="zh").execute()
    imap.append(imap_port, reply("sales@school.example", "无人认领 <b>", sender="new@unknown.example",
                                 Message_ID="<lost@x>"))
    assert mail.fetch(app).unfiled == 1
    assert [m.message_id for m in inbound.unfiled()] == ["<lost@x>"]
    admin = login(app.test_client(), sides["admin"])
    admin.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN"
    page = admin.get("/mail/unfiled")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "未归档的回复" in html and "无人认领 &lt;b&gt;" in html
    assert "Unfiled replies" not in html and "new@unknown.example" in html
    for side in ("owner", "superior", "peer"):
        assert login(app.test_client(), sides[side]).get("/mail/unfiled").status_code == 403


def test_the_reply_shows_in_the_log_and_timeline_as_readable_as_its_record(app, inbox, imap_port, sides, login):
    owner = sides["owner"]
    contact = make_contact(owner)
    message, _sent = sent_message(app, inbox, owner, contact)
    imap.append(imap_port, reply(f"replies+{message.reply_token}@school.example", "Re: 报价 <script>",
                                 body="<script>x</script>同意", Message_ID="<shown@x>"))
    assert mail.fetch(app).filed == 1
    User.update(language="zh").execute()
    for side, reads in (("owner", True), ("superior", True), ("admin", True), ("outsider", False)):
        client = login(app.test_client(), sides[side])
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN"
        page = client.get(f"/mail/contact/{contact.id}/log")
        assert page.status_code == (200 if reads else 404), side
        if reads:
            html = page.get_data(as_text=True)
            assert "收到的回复" in html and "&lt;script&gt;x&lt;/script&gt;同意" in html and "<script>x" not in html
            assert "Replies received" not in html and "回复地址" in html
            timeline = client.get(f"/records/account/{contact.account_id}/timeline")
            assert timeline.status_code == 200 and "Re: 报价 &lt;script&gt;" in timeline.get_data(as_text=True)
            detail = client.get(f"/records/contact/{contact.id}").get_data(as_text=True)
            assert "收到 1 封回复" in detail


def test_zhixin_mail_fetch_and_the_scheduled_job(app, imap_port, sides, database_url, tmp_path):
    contact = make_contact(sides["owner"])
    imap.append(imap_port, reply("sales@school.example", "cli", sender=contact.email, Message_ID="<cli@x>"))
    unconfigured = run_cli(["mail", "fetch"], database_url, tmp_path, ZHIXIN_IMAP_HOST=None)
    assert unconfigured.exit_code == 1 and "no IMAP server is configured" in unconfigured.output
    env = {f"ZHIXIN_{k}": str(v) for k, v in imap_config(imap_port).items()}
    result = run_cli(["mail", "fetch"], database_url, tmp_path, **env)
    assert result.exit_code == 0 and "Fetched: filed 1," in result.output and "fetched 1/1" in result.output
    imap.append(imap_port, reply("sales@school.example", "job", sender=contact.email, Message_ID="<job@x>"))
    assert [j.trigger_args for j in scheduler.core_jobs() if j.id == "core.mail_inbound"] == [{"minutes": 5}]
    assert scheduler.run_once(app)["core.mail_inbound"].filed == 1
    assert InboundMail.select().count() == 2


def test_merging_contacts_moves_their_replies_to_the_survivor(app, sides):
    from core.records.merge import merge
    owner = sides["owner"]
    survivor, other = make_contact(owner, email="keep@customer.example.cn"), make_contact(owner, email="go@x.example.cn")
    raw = b"From: go@x.example.cn\r\nTo: sales@school.example\r\nSubject: merged\r\nMessage-ID: <m@x>\r\n\r\nhi\r\n"
    assert inbound.store(app, raw) == "filed" and InboundMail.get().record_id == other.id
    merge("contact", survivor, other, owner)
    assert (InboundMail.get().record_type, InboundMail.get().record_id) == ("contact", survivor.id)
