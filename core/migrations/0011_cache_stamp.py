"""The settings cache's version stamp (cache_stamp, one row): app servers keep the organisation, sharing modes,
stages, modules per class and the position tree per process and read this row on each request; every write
to those tables bumps it (core.stamp).

Frozen: the table is described here as it was when this migration was written, never by importing
core.models or core.stamp (which keep changing)."""
import peewee


def _table(db):
    class CacheStamp(peewee.Model):
        slot = peewee.IntegerField(primary_key=True)  # one row, slot 1 (not an id: never a second row)
        version = peewee.BigIntegerField(default=1)

        class Meta:
            database = db
            table_name = "cache_stamp"
            legacy_table_names = False

    return CacheStamp


def up(migrator, db):
    table = _table(db)
    db.create_tables([table], safe=False)
    table.insert(slot=1, version=1).execute()


def down(migrator, db):
    db.drop_tables([_table(db)])
