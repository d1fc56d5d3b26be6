"""The file store: uploaded files (documents, the logo) live in the database, in chunks, so every app server
behind a load balancer sees every file and ``zhixin backup`` holds them. A file is written chunk by chunk from
its upload stream and read back chunk by chunk, so a large file never sits whole in memory. Files are
immutable: replacing one stores a new file and deletes the old one in the same transaction as the record that
names it, so a failed save keeps the old file and leaves no new one behind."""
import io
import mimetypes
import os

from flask import send_file

from core import clock
from core.db import db
from core.models import Document, Organisation, StoredFile, StoredFileChunk

CHUNK_BYTES = 60 * 1024  # a chunk fits MySQL/MariaDB's BLOB column (at most 65,535 bytes)
CHUNKS_PER_READ = 16     # ~1 MB a query when a file is read back


def write(name, pieces, content_type=""):
    """Store the bytes of the iterable ``pieces`` as the file ``name``; returns its size. An exception from
    ``pieces`` (a size limit, say) rolls the whole file back."""
    size, seq, buffer = 0, 0, bytearray()
    with db.atomic():
        stored = StoredFile.create(name=name, content_type=content_type, created_at=clock.real_utcnow())
        for piece in pieces:
            buffer += piece
            size += len(piece)
            while len(buffer) >= CHUNK_BYTES:
                StoredFileChunk.create(file=stored, seq=seq, data=bytes(buffer[:CHUNK_BYTES]))
                del buffer[:CHUNK_BYTES]
                seq += 1
        if buffer:
            StoredFileChunk.create(file=stored, seq=seq, data=bytes(buffer))
        StoredFile.update(size=size).where(StoredFile.id == stored.id).execute()
    return size


def exists(name):
    return bool(name) and StoredFile.select().where(StoredFile.name == name).exists()


def remove(name):
    """Delete the file ``name`` (nothing if there is none); part of the caller's transaction."""
    ids = StoredFile.select(StoredFile.id).where(StoredFile.name == name)
    with db.atomic():
        StoredFileChunk.delete().where(StoredFileChunk.file.in_(ids)).execute()
        StoredFile.delete().where(StoredFile.name == name).execute()


class Reader(io.RawIOBase):
    """The stored file's bytes as a read-only stream, fetched ``CHUNKS_PER_READ`` chunks at a time. A response
    is sent after the request's connection is closed, so a fetch then opens (and closes) its own."""

    def __init__(self, stored):
        super().__init__()
        self.stored, self.next_seq, self.buffer = stored, 0, b""

    def readable(self):
        return True

    def readinto(self, target):
        if not self.buffer:
            self.buffer = self._fetch()
        count = min(len(target), len(self.buffer))
        target[:count] = self.buffer[:count]
        self.buffer = self.buffer[count:]
        return count

    def _fetch(self):
        opened_here = db.is_closed()
        if opened_here:
            db.connect()
        try:
            rows = list(StoredFileChunk.select(StoredFileChunk.seq, StoredFileChunk.data)
                        .where((StoredFileChunk.file == self.stored.id) & (StoredFileChunk.seq >= self.next_seq))
                        .order_by(StoredFileChunk.seq).limit(CHUNKS_PER_READ).tuples())
        finally:
            if opened_here:
                db.close()
        if rows:
            self.next_seq = rows[-1][0] + 1
        return b"".join(bytes(data) for _seq, data in rows)


def response(name, mimetype, download_name=None, max_age=0):
    """A streamed response of the file ``name`` (an attachment when ``download_name`` is given), or None
    when there is no such file."""
    stored = StoredFile.get_or_none(StoredFile.name == name) if name else None
    if stored is None:
        return None
    resp = send_file(Reader(stored), mimetype=mimetype or stored.content_type or "application/octet-stream",
                     as_attachment=download_name is not None, download_name=download_name or name,
                     max_age=max_age, etag=False, conditional=False)
    resp.content_length = stored.size
    return resp


def import_folder(folder):
    """Move the files an older version kept under ``folder`` (UPLOAD_FOLDER: the logo, documents/<name>) into
    the store, keeping their names so the records still point at them. Each file is stored in its own
    transaction and deleted from the folder only after that commits; running it again moves what is left.
    Returns the names moved."""
    wanted = [(os.path.join(folder, "documents", d.stored_name), d.stored_name, d.content_type)
              for d in Document.select(Document.stored_name, Document.content_type).where(Document.stored_name != "")]
    logo = Organisation.get_profile().logo
    if logo:
        wanted.append((os.path.join(folder, logo), logo, mimetypes.guess_type(logo)[0] or ""))
    moved = []
    for path, name, content_type in wanted:
        if os.path.basename(name) != name or not os.path.isfile(path) or exists(name):
            continue
        with open(path, "rb") as fh:
            write(name, iter(lambda: fh.read(CHUNK_BYTES), b""), content_type)  # its own transaction
        os.remove(path)
        moved.append(name)
    return moved


def left_in_folder(folder):
    """The files still under ``folder`` (UPLOAD_FOLDER) that ``zhixin files import`` would move."""
    return [name for name in _folder_names(folder) if not exists(name)]


def _folder_names(folder):
    documents = os.path.join(folder, "documents")
    names = [n for n in os.listdir(folder) if n.startswith("logo-")] if os.path.isdir(folder) else []
    return names + (os.listdir(documents) if os.path.isdir(documents) else [])
