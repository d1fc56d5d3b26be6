"""The public form's abuse controls: single-use challenges (``service_public_challenge``) and a ceiling for
the whole form (``service_settings.public_global_limit``). Databases made by a newer 0001 have both already
(0001 creates every current model), hence the look first."""
import peewee

TABLE, SETTINGS, COLUMN = "service_public_challenge", "service_settings", "public_global_limit"


def up(migrator, db):
    from plugins.service.models import PublicChallenge
    if TABLE not in db.get_tables():
        db.create_tables([PublicChallenge])
    if COLUMN not in {c.name for c in db.get_columns(SETTINGS)}:
        migrator.migrate(migrator.add_column(SETTINGS, COLUMN, peewee.IntegerField(default=100)))


def down(migrator, db):
    from plugins.service.models import PublicChallenge
    migrator.migrate(migrator.drop_column(SETTINGS, COLUMN))
    db.drop_tables([PublicChallenge])
