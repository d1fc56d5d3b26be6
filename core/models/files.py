"""Stored files (文件): the documents' and the logo's bytes, kept in the database so every app server sees
the same files and a backup holds them (see core.filestore)."""
import peewee

from core import clock
from core.db import BaseModel


class StoredFile(BaseModel):
    """One file, by the random ``name`` the document or the organisation keeps; its bytes are its chunks."""
    name = peewee.CharField(max_length=100, unique=True)
    size = peewee.BigIntegerField(default=0)
    content_type = peewee.CharField(max_length=100, default="")
    created_at = peewee.DateTimeField(default=clock.real_utcnow)  # storage time, not the lab's story


class StoredFileChunk(BaseModel):
    """A piece of a file, in order of ``seq``; each fits MySQL/MariaDB's BLOB (64 KiB, see core.filestore)."""
    file = peewee.ForeignKeyField(StoredFile, backref="chunks", on_delete="CASCADE")
    seq = peewee.IntegerField()
    data = peewee.BlobField()

    class Meta:
        indexes = ((("file", "seq"), True),)
