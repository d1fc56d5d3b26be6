"""Inbound replies (core.mail.inbound): ``mail_message.reply_token`` (the unguessable part of a message's
plus-addressed reply address; NULL on older messages, unique otherwise) and ``mail_inbound``, the replies read
from the IMAP mailbox, one row per Message-ID.

Frozen: the tables are described here as they were when this migration was written."""
import peewee
from playhouse.migrate import make_index_name


class _Id(peewee.AutoField):
    """core.db.IdField as it was: AUTOINCREMENT on SQLite (ids never reused), a plain serial elsewhere."""

    def ddl(self, ctx):
        nodes = super().ddl(ctx)
        if isinstance(self.model._meta.database, peewee.SqliteDatabase):
            return peewee.NodeList((nodes, peewee.SQL("AUTOINCREMENT")))
        return nodes


def _tables(db):
    class Base(peewee.Model):
        class Meta:
            database = db
            legacy_table_names = False

    class MailMessage(Base):        # existing, referred to only
        id = _Id()

        class Meta:
            table_name = "mail_message"

    class InboundMail(Base):
        id = _Id()
        message_id = peewee.CharField(max_length=191, unique=True)
        from_address = peewee.CharField(max_length=254, default="")
        from_name = peewee.CharField(max_length=200, default="")
        subject = peewee.CharField(max_length=300, default="")
        body = peewee.TextField(default="")
        dropped = peewee.CharField(max_length=500, default="")
        sent_at = peewee.DateTimeField(null=True)
        received_at = peewee.DateTimeField()
        record_type = peewee.CharField(max_length=64, default="")
        record_id = peewee.IntegerField(null=True)
        matched_by = peewee.CharField(max_length=20, default="")
        taken_by = peewee.CharField(max_length=64, default="")
        reply_to = peewee.ForeignKeyField(MailMessage, null=True, on_delete="SET NULL")

        class Meta:
            table_name = "mail_inbound"
            indexes = ((("record_type", "record_id", "id"), False),)

    return [InboundMail]


def up(migrator, db):
    migrator.migrate(
        migrator.add_column("mail_message", "reply_token", peewee.CharField(max_length=32, null=True)),
        migrator.add_index("mail_message", ("reply_token",), True))
    db.create_tables(_tables(db), safe=False)


def down(migrator, db):
    db.drop_tables(_tables(db))
    migrator.migrate(migrator.drop_index("mail_message", make_index_name("mail_message", ("reply_token",))),
                     migrator.drop_column("mail_message", "reply_token"))
