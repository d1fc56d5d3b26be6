"""The forecast plugin's tables: quotas, commits, snapshots."""


def up(migrator, db):
    from plugins.forecast.models import MODELS
    db.create_tables(MODELS)


def down(migrator, db):
    from plugins.forecast.models import MODELS
    db.drop_tables(list(reversed(MODELS)))
