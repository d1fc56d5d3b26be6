"""Campaign mailings (plugins.campaigns.mailings): ``campaigns_mailing``, ``campaigns_mailing_recipient`` and
``campaigns_unsubscribe``.

Frozen: the tables as they were when this was written, never imported from plugins.campaigns.models."""
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

    class Campaign(Base):
        id = _Id()

        class Meta:
            table_name = "campaigns_campaign"

    class CampaignMailing(Base):
        id = _Id()
        campaign = peewee.ForeignKeyField(Campaign, on_delete="CASCADE")
        subject = peewee.CharField(max_length=300)
        body = peewee.TextField(default="")
        status = peewee.CharField(max_length=12, default="draft", index=True)
        send_at = peewee.DateTimeField(null=True)
        link_base = peewee.CharField(max_length=500, default="")
        created_by = peewee.ForeignKeyField(User, null=True, on_delete="SET NULL")
        created_at = peewee.DateTimeField()
        finished_at = peewee.DateTimeField(null=True)

        class Meta:
            table_name = "campaigns_mailing"

    class CampaignMailingRecipient(Base):
        id = _Id()
        mailing = peewee.ForeignKeyField(CampaignMailing, on_delete="CASCADE")
        member_type = peewee.CharField(max_length=20)
        member_id = peewee.IntegerField()
        address = peewee.CharField(max_length=254, default="")
        status = peewee.CharField(max_length=20, default="queued")
        message_id = peewee.IntegerField(null=True)
        bounced = peewee.BooleanField(default=False)

        class Meta:
            table_name = "campaigns_mailing_recipient"
            indexes = ((("mailing", "member_type", "member_id"), True),)

    class CampaignUnsubscribe(Base):
        id = _Id()
        member_type = peewee.CharField(max_length=20)
        member_id = peewee.IntegerField()
        at = peewee.DateTimeField()

        class Meta:
            table_name = "campaigns_unsubscribe"
            indexes = ((("member_type", "member_id"), True),)

    return [CampaignMailing, CampaignMailingRecipient, CampaignUnsubscribe]


def up(migrator, db):
    db.create_tables(_tables(db), safe=False)


def down(migrator, db):
    db.drop_tables(list(reversed(_tables(db))))
