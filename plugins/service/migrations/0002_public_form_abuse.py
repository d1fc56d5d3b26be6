"""The public form's abuse controls: single-use challenges (``service_public_challenge``) and a ceiling for
the whole form (``service_settings.public_global_limit``)."""
from peewee import CharField, DateTimeField, IntegerField, Model

from core.db import IdField

TABLE, SETTINGS, COLUMN = "service_public_challenge", "service_settings", "public_global_limit"


def up(migrator, db):
    class PublicChallenge(Model):
        id = IdField()
        token = CharField(max_length=64, unique=True)
        answer = IntegerField()
        asked_at = DateTimeField(index=True)
        used_at = DateTimeField(null=True)

        class Meta:
            database = db
            legacy_table_names = False  # index names from the table name, as BaseModel
            table_name = TABLE
    db.create_tables([PublicChallenge])
    migrator.migrate(migrator.add_column(SETTINGS, COLUMN, IntegerField(default=100)))


def down(migrator, db):
    migrator.migrate(migrator.drop_column(SETTINGS, COLUMN), migrator.drop_table(TABLE))
