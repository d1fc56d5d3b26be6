"""A reply to the customer is e-mailed through core.mail, filed on the service item (its send log shows it);
an internal comment, or a customer without an address, sends nothing."""
from core import mail
from core.mail.models import MailMessage
from core.models import Contact
from plugins.service import services
import pytest

from tests.smtp import Inbox, smtp_server


@pytest.fixture
def inbox():
    return Inbox()


@pytest.fixture
def mail_app(make_app, inbox):
    with smtp_server(inbox) as port:
        app = make_app(plugins=["service"], SMTP_HOST="127.0.0.1", SMTP_PORT=port)
        with app.test_request_context():
            yield app


def test_a_reply_to_the_customer_is_queued_on_the_item_and_sent_once(mail_app, inbox, make_item, team, login):
    app = mail_app
    owner = team["owner"]
    contact = Contact.create(first_name="芳", last_name="李", email="li.fang@customer.example.cn",
                             owner=owner.id)
    item = make_item("complaint", owner, subject="包装破损", contact=contact.id)
    client = login(app.test_client(), owner)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN"
    r = client.post(f"/service/complaint/{item.id}/reply", data={"body": "我们已补发。", "to_customer": "y"})
    assert r.status_code == 302
    assert client.post(f"/service/complaint/{item.id}/reply", data={"body": "内部备注"}).status_code == 302
    [message] = MailMessage.select()
    assert (message.record_type, message.record_id) == ("complaint", item.id)
    assert message.to_address == "li.fang@customer.example.cn" and message.to_name == "李芳"
    assert message.body == "我们已补发。" and message.status == "queued"
    page = client.get(f"/service/complaint/{item.id}").get_data(as_text=True)
    assert 'data-section="mail"' in page and 'data-status="queued"' in page and "排队中" in page
    assert mail.send_due(app) == 1 and mail.send_due(app) == 0
    assert len(inbox.messages) == 1 and inbox.messages[0]["To"].endswith("<li.fang@customer.example.cn>")
    page = client.get(f"/service/complaint/{item.id}").get_data(as_text=True)
    assert 'data-status="sent"' in page
    # a peer who may not read the item sees neither it nor its log
    peer = login(app.test_client(), team["outsider"])
    assert peer.get(f"/service/complaint/{item.id}").status_code == 404
    assert peer.get(f"/mail/complaint/{item.id}/log").status_code == 404


def test_a_customer_without_an_address_gets_the_reply_recorded_not_sent(app, make_item, team, login):
    item = make_item("feedback", team["owner"], subject="建议")
    services.add_reply("feedback", item, team["owner"], "谢谢", to_customer=True)
    assert MailMessage.select().count() == 0
    client = login(app.test_client(), team["owner"])
    r = client.post(f"/service/feedback/{item.id}/reply", data={"body": "再次感谢", "to_customer": "y"},
                    follow_redirects=True)
    assert r.status_code == 200 and "客户没有电子邮件地址，因此未发送" in r.get_data(as_text=True)
    assert MailMessage.select().count() == 0
