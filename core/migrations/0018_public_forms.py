"""The public forms' abuse controls in core (core.publicforms): ``public_challenge`` (single-use questions)
and ``public_submission`` (admitted posts, for the per-address and per-form ceilings), each row naming its
form. They replace the service plugin's own two tables (its migration 0004 drops them).

Frozen: the tables as they were when this was written (core.models declares the same)."""
from peewee import CharField, DateTimeField, IntegerField, Model

from core.db import IdField

CHALLENGE, SUBMISSION = "public_challenge", "public_submission"


def up(migrator, db):
    class PublicChallenge(Model):
        id = IdField()
        form = CharField(max_length=64)
        token = CharField(max_length=64, unique=True)
        answer = IntegerField()
        asked_at = DateTimeField(index=True)
        used_at = DateTimeField(null=True)

        class Meta:
            database = db
            legacy_table_names = False  # index names from the table name, as BaseModel
            table_name = CHALLENGE

    class PublicSubmission(Model):
        id = IdField()
        form = CharField(max_length=64)
        address = CharField(max_length=64)
        at = DateTimeField(index=True)

        class Meta:
            database = db
            legacy_table_names = False
            table_name = SUBMISSION
            indexes = ((("form", "at"), False), (("form", "address", "at"), False))
    db.create_tables([PublicChallenge, PublicSubmission])


def down(migrator, db):
    migrator.migrate(migrator.drop_table(SUBMISSION), migrator.drop_table(CHALLENGE))
