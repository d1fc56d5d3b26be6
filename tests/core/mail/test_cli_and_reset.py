"""``zhixin mail send`` runs the outbox once (and says so when no server is configured); a class reset takes the
messages of the class with it and leaves the other class's."""
from core.mail import plugin as mail_hooks
from core.mail.models import InboundMail, MailAttachment, MailMessage
from tests.cli import run_cli
from tests.core.mail.conftest import attach, make_contact


def test_mail_send_runs_the_outbox_once(mail_app, inbox, smtp_port, database_url, tmp_path, sides):
    contact = make_contact(sides["owner"])
    MailMessage.create(record_type="contact", record_id=contact.id, to_address=contact.email, subject="命令行",
                       body="正文", message_id="<cli@x>")
    unconfigured = run_cli(["mail", "send"], database_url, tmp_path, ZHIXIN_SMTP_HOST=None)
    assert unconfigured.exit_code == 1 and "no SMTP server is configured" in unconfigured.output
    assert MailMessage.get().status == "queued"
    result = run_cli(["mail", "send"], database_url, tmp_path, ZHIXIN_SMTP_HOST="127.0.0.1",
                     ZHIXIN_SMTP_PORT=str(smtp_port))
    assert result.exit_code == 0 and "Sent 1 messages." in result.output, result.output
    assert MailMessage.get().status == "sent" and len(inbox.messages) == 1


def test_a_class_reset_takes_the_class_messages_only(mail_app, make_school):
    school = make_school()
    mine = make_contact(school["alice"])                 # class A
    theirs = make_contact(school["carol"])               # class B
    for n, (contact, sender) in enumerate(((mine, school["alice"]), (theirs, school["carol"]),
                                           (theirs, school["alice"]))):
        message = MailMessage.create(record_type="contact", record_id=contact.id, to_address="x@example.cn",
                                     subject=str(n), message_id=f"<r{n}@x>", sender=sender.id)
        MailAttachment.create(message=message, document=attach("contact", contact, sender, f"f{n}.pdf"),
                              filename=f"f{n}.pdf")
    class_b = [school["carol"].id, school["lead_b"].id, school["manager_b"].id]
    rows = mail_hooks.zhixin_class_rows(user_ids=class_b)
    assert [r.model for r in rows] == [InboundMail, MailAttachment, MailMessage]   # dependents first
    for row in rows:
        row.model.delete().where(row.where).execute()
    assert [m.subject for m in MailMessage.select().order_by(MailMessage.id)] == ["0"]
    assert MailAttachment.select().count() == 1
