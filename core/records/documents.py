"""Document files (文档): checked (size, extension and content), kept in the file store (core.filestore) under
a random name — never the user's file name — and served only after an access check."""
import os
import secrets

from flask import current_app

from core import filestore
from core.babel import gettext as _
from core.records import RecordError

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy Office (doc, xls, ppt)
ZIP = (b"PK\x03\x04", b"PK\x05\x06")       # zip and modern Office (docx, xlsx, pptx)
ALLOWED = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "doc": ("application/msword", (OLE,)),
    "xls": ("application/vnd.ms-excel", (OLE,)),
    "ppt": ("application/vnd.ms-powerpoint", (OLE,)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ZIP),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ZIP),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", ZIP),
    "odt": ("application/vnd.oasis.opendocument.text", ZIP),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet", ZIP),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "gif": ("image/gif", (b"GIF87a", b"GIF89a")),
    "webp": ("image/webp", (b"RIFF",)),
    "zip": ("application/zip", ZIP),
    "txt": ("text/plain; charset=utf-8", None),
    "csv": ("text/csv; charset=utf-8", None),
}


def _is_text(head):
    if b"\x00" in head:
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            head.decode(encoding)
            return True
        except UnicodeDecodeError as exc:
            if encoding == "utf-8" and exc.start >= len(head) - 3:  # a character cut by our 8 KB window
                return True
    return False


HEAD_BYTES = 8192  # what the content check looks at


def check(filename, head):
    """(extension, content type) from the file name and the first HEAD_BYTES of the file, or RecordError
    with the reason. The size is checked while the file is stored (see ``store``)."""
    if not head:
        raise RecordError(_("The file is empty."))
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if ext not in ALLOWED:
        raise RecordError(_("Files of this type cannot be uploaded. Allowed: %(types)s.",
                            types=", ".join(sorted(ALLOWED))))
    content_type, magics = ALLOWED[ext]
    if magics is None and not _is_text(head):
        raise RecordError(_("The file's content does not match its type (.%(ext)s).", ext=ext))
    if magics is not None and not any(head.startswith(m) for m in magics):
        raise RecordError(_("The file's content does not match its type (.%(ext)s).", ext=ext))
    return ext, content_type


def _limited(head, stream, limit):
    """The upload's bytes piece by piece, refused with a reason once they pass ``limit``."""
    size = 0
    piece = head
    while piece:
        size += len(piece)
        if size > limit:
            megabytes = "%g" % (limit / 1024 / 1024)
            raise RecordError(_("The file is larger than %(size)s MB.", size=megabytes))
        yield piece
        piece = stream.read(filestore.CHUNK_BYTES)


def store(upload):
    """Check and keep an uploaded FileStorage, streamed into the file store (part of the caller's
    transaction); returns dict(filename, stored_name, size, content_type)."""
    filename = os.path.basename((upload.filename or "").replace("\\", "/")).strip() or "file"
    head = upload.stream.read(HEAD_BYTES)
    _ext, content_type = check(filename, head)
    stored = secrets.token_hex(16)
    size = filestore.write(stored, _limited(head, upload.stream, current_app.config["MAX_UPLOAD_BYTES"]),
                           content_type)
    return {"filename": filename[:255], "stored_name": stored, "size": size, "content_type": content_type}
