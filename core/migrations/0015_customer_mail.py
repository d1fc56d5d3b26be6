"""E-mail to customers (core.mail): ``mail_template``, ``mail_message`` (the outbox and the send log of each
record) and ``mail_attachment``.

Frozen: the tables are described here as they were when this migration was written, never by importing
core.mail.models (which keeps changing)."""
import peewee


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

    class User(Base):       # existing tables, referred to only
        id = _Id()

        class Meta:
            table_name = "user"

    class Document(Base):
        id = _Id()

        class Meta:
            table_name = "document"

    class MailTemplate(Base):
        id = _Id()
        name = peewee.CharField(max_length=100)
        language = peewee.CharField(max_length=10, default="zh")
        subject = peewee.CharField(max_length=300)
        body = peewee.TextField(default="")
        created_at = peewee.DateTimeField()
        modified_at = peewee.DateTimeField()

        class Meta:
            table_name = "mail_template"
            indexes = ((("name", "language"), True),)

    class MailMessage(Base):
        id = _Id()
        record_type = peewee.CharField(max_length=64)
        record_id = peewee.IntegerField()
        to_address = peewee.CharField(max_length=254)
        to_name = peewee.CharField(max_length=200, default="")
        from_name = peewee.CharField(max_length=200, default="")
        reply_to = peewee.CharField(max_length=254, default="")
        subject = peewee.CharField(max_length=300)
        body = peewee.TextField(default="")
        template = peewee.ForeignKeyField(MailTemplate, null=True, on_delete="SET NULL")
        sender = peewee.ForeignKeyField(User, null=True, on_delete="SET NULL")
        message_id = peewee.CharField(max_length=191, unique=True)
        status = peewee.CharField(max_length=10, default="queued")
        attempts = peewee.IntegerField(default=0)
        next_attempt_at = peewee.DateTimeField(null=True)
        last_error = peewee.CharField(max_length=500, default="")
        created_at = peewee.DateTimeField()
        sent_at = peewee.DateTimeField(null=True)
        lease_until = peewee.DateTimeField(null=True)
        claim = peewee.CharField(max_length=100, default="")
        resent = peewee.BooleanField(default=False)

        class Meta:
            table_name = "mail_message"
            indexes = ((("record_type", "record_id", "id"), False), (("status", "next_attempt_at"), False))

    class MailAttachment(Base):
        id = _Id()
        message = peewee.ForeignKeyField(MailMessage, on_delete="CASCADE")
        document = peewee.ForeignKeyField(Document, null=True, on_delete="SET NULL")
        filename = peewee.CharField(max_length=255)

        class Meta:
            table_name = "mail_attachment"

    return [MailTemplate, MailMessage, MailAttachment]


def up(migrator, db):
    db.create_tables(_tables(db), safe=False)


def down(migrator, db):
    db.drop_tables(list(reversed(_tables(db))))
