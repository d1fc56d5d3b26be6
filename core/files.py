"""Instance files are the owner's only: the SQLite database (its -wal and -shm take the database file's mode),
backups and the secret key are created 0600 in folders created 0700, whatever the process umask."""
import os

FILE_MODE = 0o600
FOLDER_MODE = 0o700


def private_folder(path):
    """Create ``path`` (and missing parents) owner-only; a folder that exists already is left as it is."""
    path = os.path.abspath(path)
    if not os.path.isdir(path):
        private_folder(os.path.dirname(path))
        os.makedirs(path, mode=FOLDER_MODE, exist_ok=True)
    return path


def create_private(path, data=None, exclusive=True):
    """Create the file ``path`` owner-only and write ``data`` (bytes) into it. With ``exclusive`` an existing
    file is a FileExistsError; without, an existing file is left untouched."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if exclusive else 0)
    fd = os.open(path, flags, FILE_MODE)
    with os.fdopen(fd, "wb") as fh:
        if data:
            fh.write(data)


def open_private(path):
    """``path`` opened for writing bytes, created owner-only (an existing file is truncated, its mode kept)."""
    return os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE), "wb")
