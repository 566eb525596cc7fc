"""Uploaded files on the local disk, named by their SHA-256.

Layout: `root/ab/cd/abcd...` (the first two byte pairs of the digest as folders, so no
folder grows past 65,536 entries). A file appears under its name only complete and
synced: it is written to a temporary file in the same folder, flushed to disk, then
renamed into place (`os.replace` is atomic on one file system). Two threads or processes
putting the same bytes both write a temporary file and both rename it; whichever rename
comes last leaves the same bytes, so both succeed and neither sees a half-written file.

Files are 0600 and folders 0700: drawings and attachments are the plant's and its
customers' data, readable by the server's user only.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
from pathlib import Path

from orderforge.services.ports import DamagedBlob, StoredBlob

_DIGEST = re.compile(r"[0-9a-f]{64}")
_CHUNK = 1024 * 1024


def _digest_of_file(path: Path) -> str:
    hasher = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            hasher.update(chunk)
    return hasher.hexdigest()


class DiskFileStore:
    """The FileStore port on a local (or shared, for several servers) file system."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_of(self, sha256: str) -> Path:
        """Where the bytes named `sha256` are kept; KeyError for anything that is not a
        SHA-256 in lower-case hex, so no caller-supplied text ever becomes a path."""
        if not isinstance(sha256, str) or not _DIGEST.fullmatch(sha256):
            raise KeyError(f"'{str(sha256)[:80]}' is not a SHA-256 digest.")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, data: bytes) -> StoredBlob:
        sha256 = hashlib.sha256(data).hexdigest()
        path = self.path_of(sha256)
        blob = StoredBlob(sha256=sha256, size=len(data))
        # Same bytes already kept: nothing to write. A damaged copy (wrong digest) is
        # replaced by these bytes, which are by definition what the name means.
        with contextlib.suppress(FileNotFoundError):
            if path.stat().st_size == len(data) and _digest_of_file(path) == sha256:
                return blob
        self._make_folders(path.parent)
        self._write_atomically(path, data)
        return blob

    def get(self, sha256: str) -> bytes:
        path = self.path_of(sha256)
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except FileNotFoundError:
            raise KeyError(f"No file is kept under {sha256}.") from None
        with os.fdopen(fd, "rb") as handle:
            data = handle.read()
        if hashlib.sha256(data).hexdigest() != sha256:
            raise DamagedBlob(
                f"The file kept under {sha256} has changed on disk since it was stored "
                f"({path}); it is not served. Restore it from a backup."
            )
        return data

    def exists(self, sha256: str) -> bool:
        try:
            return self.path_of(sha256).is_file()
        except KeyError:
            return False

    def _make_folders(self, folder: Path) -> None:
        """root, root/ab and root/ab/cd, each created 0700 (whatever the umask) when
        missing; an existing folder is left as its owner set it."""
        for level in (self.root, folder.parent, folder):
            try:
                level.mkdir(mode=0o700, parents=level == self.root)
            except FileExistsError:
                continue
            level.chmod(0o700)

    @staticmethod
    def _write_atomically(path: Path, data: bytes) -> None:
        # mkstemp creates the file 0600 with O_EXCL: never shared, never readable by others
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            Path(temporary).replace(path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        _sync_folder(path.parent)


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable: a power cut after `put` returns keeps the file."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
