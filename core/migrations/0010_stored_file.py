"""Files in the database (stored_file, stored_file_chunk), so that every app server sees every upload and a
backup holds them; ``zhixin files import`` moves the files of an older UPLOAD_FOLDER in.

Frozen: the tables are described here as they were when this migration was written, never by importing
core.models (which keeps changing)."""
import peewee


class _Id(peewee.AutoField):
    """core.db.IdField as it was: AUTOINCREMENT on SQLite (ids never reused), a plain serial elsewhere."""

    def ddl(self, ctx):
        nodes = super().ddl(ctx)
        if isinstance(self.model._meta.database, peewee.SqliteDatabase):
            return peewee.NodeList((nodes, peewee.SQL("AUTOINCREMENT")))
        return nodes


def _tables(db):
    class StoredFile(peewee.Model):
        id = _Id()
        name = peewee.CharField(max_length=100, unique=True)
        size = peewee.BigIntegerField(default=0)
        content_type = peewee.CharField(max_length=100, default="")
        created_at = peewee.DateTimeField()

        class Meta:
            database = db
            table_name = "stored_file"
            legacy_table_names = False

    class StoredFileChunk(peewee.Model):
        id = _Id()
        file = peewee.ForeignKeyField(StoredFile, on_delete="CASCADE")
        seq = peewee.IntegerField()
        data = peewee.BlobField()

        class Meta:
            database = db
            table_name = "stored_file_chunk"
            legacy_table_names = False
            indexes = ((("file", "seq"), True),)

    return [StoredFile, StoredFileChunk]


def up(migrator, db):
    db.create_tables(_tables(db), safe=False)


def down(migrator, db):
    db.drop_tables(list(reversed(_tables(db))))
