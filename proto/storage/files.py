"""The document file store: content-addressed files under the data folder.

    [proto]
    data_dir = "var"    # documents live in <data_dir>/documents/objects/

A document's bytes are stored once, at ``objects/<sha256[:2]>/<sha256[2:]>``.
Uploads are spooled in ``tmp/`` (same file system, so the final rename is
atomic) and committed whole: a crash leaves either the complete object or a
spool file that ``clean_orphans`` removes at the next start, never a torn object.
"""

from __future__ import annotations

import errno
import os
import re
import time
from pathlib import Path
from typing import BinaryIO

# The intake names its spool files with this prefix, so clean_orphans can
# recognise them and leave anything else in tmp/ alone.
SPOOL_PREFIX = ".intake-"

DIR_MODE = 0o750

_SHA256 = re.compile(r"[0-9a-f]{64}")
# A full disk and a full quota mean "try later with less"; EFBIG is what a
# file-size limit (RLIMIT_FSIZE, a small file system) looks like.
_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})


class StorageError(Exception):
    """Say that the file store could not take a document, and which HTTP status fits."""

    status = 503
    kind = "storage-unavailable"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class StorageFullError(StorageError):
    """Refuse a document because the disk or the quota is full (HTTP 507)."""

    status = 507
    kind = "storage-full"


class StorageUnavailableError(StorageError):
    """Refuse a document because the store cannot be written: read-only, denied, broken (HTTP 503)."""

    status = 503
    kind = "storage-unavailable"


def storage_error(exc: OSError, action: str) -> StorageError:
    """Return the StorageError that stands for an OSError met while doing action."""
    cls = StorageFullError if exc.errno in _FULL_ERRNOS else StorageUnavailableError
    # strerror only: the message may reach the client, and paths are ours to keep.
    reason = exc.strerror or type(exc).__name__
    return cls(f"cannot {action}: {reason}")


class DocumentFileStore:
    """Keep document bytes by SHA-256, committing spooled uploads atomically."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    @property
    def objects_dir(self) -> Path:
        """Return the folder that holds the stored documents."""
        return self.root / "objects"

    @property
    def spool_dir(self) -> Path:
        """Return the folder where uploads are spooled, creating it on first use."""
        path = self.root / "tmp"
        try:
            _make_dir(self.root, parents=True)
            _make_dir(path)
        except OSError as exc:
            raise storage_error(exc, "prepare the document store") from exc
        return path

    def path_for(self, sha256: str) -> Path:
        """Return where the document with this SHA-256 (lowercase hex) is stored."""
        if not isinstance(sha256, str) or not _SHA256.fullmatch(sha256):
            # The digest becomes a path: anything else could climb out of the store.
            raise ValueError(f"not a lowercase hex SHA-256 digest: {sha256!r}")
        return self.objects_dir / sha256[:2] / sha256[2:]

    def commit(self, spool_path: Path, sha256: str) -> Path:
        """Move a finished spool file to its content address and return that path.

        The spool file is consumed whatever happens: moved into place, removed
        because the same bytes are already stored, or removed on failure. The
        digest is trusted: it is the one the intake computed while spooling.
        """
        target = self.path_for(sha256)
        try:
            # Data first, then the rename: otherwise a crash could leave a
            # complete-looking name with missing bytes behind it.
            fsync_path(spool_path)
            if target.is_file():
                spool_path.unlink()
                return target
            created = _make_dir(self.objects_dir) | _make_dir(target.parent)
            os.replace(spool_path, target)
            fsync_path(target.parent)
            if created:
                # A new fan-out folder is itself a directory entry to persist.
                fsync_path(self.objects_dir)
                fsync_path(self.root)
        except OSError as exc:
            _remove_quietly(spool_path)
            raise storage_error(exc, "store the document") from exc
        return target

    def exists(self, sha256: str) -> bool:
        """Say whether the document with this SHA-256 is stored."""
        return self.path_for(sha256).is_file()

    def open(self, sha256: str) -> BinaryIO:
        """Open the stored document for reading; FileNotFoundError when it is missing."""
        return open(self.path_for(sha256), "rb")

    def remove(self, sha256: str) -> None:
        """Delete the stored document; a missing one is not an error.

        Several rows may share one object (same bytes): the caller removes it
        only once no row refers to it.
        """
        self.path_for(sha256).unlink(missing_ok=True)

    def clean_orphans(self, min_age: float = 3600.0) -> int:
        """Remove spool files left by a crash and untouched for min_age seconds; return how many.

        The age guard matters when several processes share the store (uWSGI,
        gunicorn, mod_wsgi workers): a worker starting up must not delete an
        upload another worker is still receiving. Pass 0 to remove them all.
        """
        path = self.root / "tmp"
        cutoff = time.time() - min_age
        removed = 0
        try:
            entries = list(os.scandir(path))
        except FileNotFoundError:
            return 0
        for entry in entries:
            if not entry.name.startswith(SPOOL_PREFIX) or not entry.is_file(follow_symlinks=False):
                continue
            try:
                if entry.stat(follow_symlinks=False).st_mtime > cutoff:
                    continue
                os.unlink(entry.path)
            except FileNotFoundError:
                continue
            removed += 1
        return removed


def _make_dir(path: Path, *, parents: bool = False) -> bool:
    """Create a folder with DIR_MODE unless it exists; say whether it was created."""
    try:
        # mode only applies to the last component; the store's own levels are
        # created one by one for that reason.
        path.mkdir(mode=DIR_MODE, parents=parents)
    except FileExistsError:
        if not path.is_dir():
            raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(path)) from None
        return False
    return True


def start_writeback(fd: int, offset: int, length: int) -> None:
    """Ask the kernel to start writing a range of a file to disk now, without waiting for it."""
    try:
        # On Linux, DONTNEED starts writeback of the range's dirty pages (and
        # drops only clean ones), so the fsync at commit finds little left to
        # write. A hint: where it is missing or refused, fsync does it all.
        os.posix_fadvise(fd, offset, length, os.POSIX_FADV_DONTNEED)
    except (AttributeError, OSError):
        pass


def reserve_space(fd: int, size: int) -> None:
    """Allocate a file's blocks up front (its size becomes size); raise only when the disk is too full."""
    try:
        # One allocation instead of one per page as they are written back, and a full disk
        # refuses the file now rather than once all its bytes have arrived.
        os.posix_fallocate(fd, 0, size)
    except AttributeError:
        pass  # not on this platform
    except OSError as error:
        if error.errno in _FULL_ERRNOS:
            raise
        # A file system without it (EOPNOTSUPP, EINVAL): blocks are allocated as they are written.


def fsync_path(path: Path) -> None:
    """Flush a file's or a folder's contents to the disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove_quietly(path: Path) -> None:
    """Delete a file, ignoring every error: the caller is already reporting one."""
    try:
        os.unlink(path)
    except OSError:
        pass
