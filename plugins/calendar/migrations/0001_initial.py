"""Calendar tables: events, invitees, tasks, feed tokens."""


def up(migrator, db):
    from plugins.calendar.models import MODELS
    db.create_tables(MODELS)


def down(migrator, db):
    from plugins.calendar.models import MODELS
    db.drop_tables(list(reversed(MODELS)))
