"""The hook test plugin's table (frozen, as every migration: never imported from the plugin's model)."""
from peewee import CharField, DateTimeField, ForeignKeyField, Model

from core.db import IdField


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            legacy_table_names = False  # index names from the table name, as BaseModel
            table_name = "user"

    class HookThing(Model):
        id = IdField()
        owner = ForeignKeyField(User, on_delete="RESTRICT")
        created_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        modified_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        created_at = DateTimeField(index=True)
        modified_at = DateTimeField()
        name = CharField(max_length=100)

        class Meta:
            database = db
            legacy_table_names = False  # index names from the table name, as BaseModel
            table_name = "hooktest_thing"
    db.create_tables([HookThing])


def down(migrator, db):
    migrator.migrate(migrator.drop_table("hooktest_thing"))
