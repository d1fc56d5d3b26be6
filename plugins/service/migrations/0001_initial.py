"""The service plugin's tables (feedback, complaints, cases, replies, timeline, settings, targets, form log)."""


def up(migrator, db):
    from plugins.service.models import MODELS
    db.create_tables(MODELS)


def down(migrator, db):
    from plugins.service.models import MODELS
    db.drop_tables(list(reversed(MODELS)))
