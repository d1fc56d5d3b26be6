"""Classroom tables: exercise results and per-class modules."""


def up(migrator, db):
    from core.classroom.models import MODELS
    db.create_tables(MODELS)


def down(migrator, db):
    from core.classroom.models import MODELS
    db.drop_tables(list(reversed(MODELS)))
