"""The hook test plugin's table."""


def up(migrator, db):
    from tests.core.hook_plugin import HookThing
    db.create_tables([HookThing])


def down(migrator, db):
    from tests.core.hook_plugin import HookThing
    db.drop_tables([HookThing])
