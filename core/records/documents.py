"""Document files (文档): checked (size, extension and content), stored under UPLOAD_FOLDER with a random
name — never the user's file name as a path — and served only after an access check."""
import os
import secrets

from flask import current_app
from flask_babel import gettext as _

from core.files import create_private, private_folder
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


def folder():
    return private_folder(os.path.join(current_app.config["UPLOAD_FOLDER"], "documents"))


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


def check(filename, data):
    """(extension, content type) or RecordError with the reason."""
    limit = current_app.config["MAX_UPLOAD_BYTES"]
    if not data:
        raise RecordError(_("The file is empty."))
    if len(data) > limit:
        megabytes = "%g" % (limit / 1024 / 1024)
        raise RecordError(_("The file is larger than %(size)s MB.", size=megabytes))
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if ext not in ALLOWED:
        raise RecordError(_("Files of this type cannot be uploaded. Allowed: %(types)s.",
                            types=", ".join(sorted(ALLOWED))))
    content_type, magics = ALLOWED[ext]
    head = data[:8192]
    if magics is None and not _is_text(head):
        raise RecordError(_("The file's content does not match its type (.%(ext)s).", ext=ext))
    if magics is not None and not any(head.startswith(m) for m in magics):
        raise RecordError(_("The file's content does not match its type (.%(ext)s).", ext=ext))
    return ext, content_type


def store(upload):
    """Check and keep an uploaded FileStorage; returns dict(filename, stored_name, size, content_type)."""
    data = upload.read(current_app.config["MAX_UPLOAD_BYTES"] + 1)
    filename = os.path.basename((upload.filename or "").replace("\\", "/")).strip() or "file"
    ext, content_type = check(filename, data)
    stored = secrets.token_hex(16)
    create_private(os.path.join(folder(), stored), data)
    return {"filename": filename[:255], "stored_name": stored, "size": len(data), "content_type": content_type}


def path_of(document):
    name = document.stored_name or ""
    if not name or not all(c in "0123456789abcdef" for c in name):
        return None
    path = os.path.join(folder(), name)
    return path if os.path.isfile(path) else None


def remove_file(stored_name):
    if stored_name and all(c in "0123456789abcdef" for c in stored_name):
        try:
            os.remove(os.path.join(folder(), stored_name))
        except FileNotFoundError:
            pass
