"""The reports plugin's tables: saved reports and the positions they are shared with."""


def up(migrator, db):
    from plugins.reports.models import MODELS
    db.create_tables(MODELS)


def down(migrator, db):
    from plugins.reports.models import MODELS
    db.drop_tables(list(reversed(MODELS)))
