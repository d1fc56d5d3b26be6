"""The campaigns plugin's tables."""


def up(migrator, db):
    from plugins.campaigns.models import MODELS
    db.create_tables(MODELS)


def down(migrator, db):
    from plugins.campaigns.models import MODELS
    db.drop_tables(list(reversed(MODELS)))
