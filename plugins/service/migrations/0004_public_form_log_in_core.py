"""The public form's challenges and post log moved to core (core.publicforms, core migration 0018): the
plugin's own two tables go. Their rows live two days at most, so nothing worth keeping is lost.

Frozen: ``down`` makes the tables as migrations 0001 and 0002 made them."""
from peewee import CharField, DateTimeField, IntegerField, Model

from core.db import IdField

SUBMISSION, CHALLENGE = "service_public_submission", "service_public_challenge"


def up(migrator, db):
    migrator.migrate(migrator.drop_table(SUBMISSION), migrator.drop_table(CHALLENGE))


def down(migrator, db):
    class PublicSubmission(Model):
        id = IdField()
        address = CharField(index=True, max_length=64)
        at = DateTimeField(index=True)

        class Meta:
            database = db
            legacy_table_names = False
            table_name = SUBMISSION

    class PublicChallenge(Model):
        id = IdField()
        token = CharField(max_length=64, unique=True)
        answer = IntegerField()
        asked_at = DateTimeField(index=True)
        used_at = DateTimeField(null=True)

        class Meta:
            database = db
            legacy_table_names = False
            table_name = CHALLENGE
    db.create_tables([PublicSubmission, PublicChallenge])
