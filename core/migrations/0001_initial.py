"""Core tables. (Default rows come from the ``zhixin_defaults`` hook, run after every upgrade.)"""


def up(migrator, db):
    from core import models as m
    db.create_tables(m.CORE_MODELS)


def down(migrator, db):
    from core import models as m
    db.drop_tables(list(reversed(m.CORE_MODELS)))
