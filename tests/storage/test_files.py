"""The content-addressed document file store: commit, dedup, removal, orphans and disk failures."""

from __future__ import annotations

import errno
import hashlib
import os
import stat
import tempfile
import time
from pathlib import Path

import pytest

from proto.documents.intake import DocumentIntake
from proto.storage import files as files_module
from proto.storage.files import (
    SPOOL_PREFIX,
    DocumentFileStore,
    StorageError,
    StorageFullError,
    StorageUnavailableError,
    storage_error,
)


@pytest.fixture
def store(tmp_path: Path) -> DocumentFileStore:
    """Return a store in a folder that does not exist yet."""
    return DocumentFileStore(tmp_path / "documents")


def spool(store: DocumentFileStore, data: bytes) -> tuple[Path, str]:
    """Write data to a spool file the way the intake does; return its path and digest."""
    fd, name = tempfile.mkstemp(prefix=SPOOL_PREFIX, dir=store.spool_dir)
    with os.fdopen(fd, "wb") as file:
        file.write(data)
    return Path(name), hashlib.sha256(data).hexdigest()


def stored_files(store: DocumentFileStore) -> list[Path]:
    """Return every stored object."""
    return sorted(path for path in store.objects_dir.rglob("*") if path.is_file())


def mode(path: Path) -> int:
    """Return the permission bits of path."""
    return stat.S_IMODE(path.stat().st_mode)


def test_commit_puts_the_bytes_at_their_content_address(store: DocumentFileStore) -> None:
    path, digest = spool(store, b"<r>hello</r>")
    target = store.commit(path, digest)
    assert target == store.root / "objects" / digest[:2] / digest[2:]
    assert target == store.path_for(digest)
    assert target.read_bytes() == b"<r>hello</r>"
    assert not path.exists()
    assert store.exists(digest)
    with store.open(digest) as file:
        assert file.read() == b"<r>hello</r>"


def test_committing_the_same_bytes_twice_keeps_one_file(store: DocumentFileStore) -> None:
    first, digest = spool(store, b"<r>same</r>")
    second, _ = spool(store, b"<r>same</r>")
    assert store.commit(first, digest) == store.commit(second, digest)
    assert stored_files(store) == [store.path_for(digest)]
    assert list(store.spool_dir.iterdir()) == []


def test_permissions(store: DocumentFileStore) -> None:
    path, digest = spool(store, b"<r/>")
    target = store.commit(path, digest)
    assert mode(target) == 0o600
    # Never more than rwxr-x---, whatever the umask takes away.
    for folder in (store.root, store.objects_dir, target.parent, store.spool_dir):
        assert mode(folder) & ~0o750 == 0, folder


@pytest.mark.parametrize("digest", [
    "../../etc/passwd",
    "A" * 64,
    "0" * 63,
    "0" * 65,
    "g" * 64,
    "0" * 62 + "/x",
    "",
])
def test_only_sha256_digests_name_objects(store: DocumentFileStore, digest: str) -> None:
    with pytest.raises(ValueError, match="not a lowercase hex SHA-256 digest"):
        store.path_for(digest)


def test_remove(store: DocumentFileStore) -> None:
    path, digest = spool(store, b"<r/>")
    store.commit(path, digest)
    store.remove(digest)
    assert not store.exists(digest)
    store.remove(digest)
    with pytest.raises(FileNotFoundError):
        store.open(digest)


def test_clean_orphans_removes_old_spool_files_only(store: DocumentFileStore) -> None:
    old, _ = spool(store, b"<r>crashed</r>")
    long_ago = time.time() - 2 * 3600
    os.utime(old, (long_ago, long_ago))
    recent, _ = spool(store, b"<r>still uploading</r>")
    other = store.spool_dir / "keep-me"
    other.write_bytes(b"not a spool file")
    assert store.clean_orphans() == 1
    assert sorted(path.name for path in store.spool_dir.iterdir()) == sorted([recent.name, "keep-me"])
    assert store.clean_orphans(min_age=0) == 1
    assert [path.name for path in store.spool_dir.iterdir()] == ["keep-me"]


def test_clean_orphans_on_a_new_store(store: DocumentFileStore) -> None:
    assert store.clean_orphans(min_age=0) == 0


def test_an_intake_left_behind_by_a_crash_is_cleaned(store: DocumentFileStore) -> None:
    intake = DocumentIntake(store.spool_dir)
    intake.feed(b"<r>" + b"x" * 200_000)
    # The process dies here: no finish, no discard.
    assert intake.spool_path is not None and intake.spool_path.exists()
    assert store.clean_orphans(min_age=0) == 1
    assert list(store.spool_dir.iterdir()) == []


def test_intake_then_commit(store: DocumentFileStore) -> None:
    body = b'<?xml version="1.0"?>\n<r xmlns="urn:x"><a/></r>\n'
    with DocumentIntake(store.spool_dir) as intake:
        intake.feed(body)
        result = intake.finish()
    target = store.commit(result.spool_path, result.sha256)
    assert target.read_bytes() == body
    assert list(store.spool_dir.iterdir()) == []


def test_an_unwritable_store_is_unavailable_and_keeps_nothing(store: DocumentFileStore) -> None:
    path, digest = spool(store, b"<r/>")
    # A file where the objects folder belongs: mkdir fails, even for root
    # (chmod would not stop root).
    store.objects_dir.write_bytes(b"")
    with pytest.raises(StorageUnavailableError) as caught:
        store.commit(path, digest)
    assert (caught.value.status, caught.value.kind) == (503, "storage-unavailable")
    assert caught.value.message == "cannot store the document: Not a directory"
    assert str(store.root) not in caught.value.message
    assert isinstance(caught.value.__cause__, OSError)
    assert not path.exists()
    assert not store.exists(digest)


def test_an_unusable_spool_folder_is_unavailable(store: DocumentFileStore) -> None:
    store.root.mkdir()
    (store.root / "tmp").write_bytes(b"")
    with pytest.raises(StorageUnavailableError):
        store.spool_dir


def test_a_full_disk_is_storage_full_and_keeps_nothing(store: DocumentFileStore,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    path, digest = spool(store, b"<r/>")

    def full(source: object, target: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(files_module.os, "replace", full)
    with pytest.raises(StorageFullError) as caught:
        store.commit(path, digest)
    monkeypatch.undo()
    assert (caught.value.status, caught.value.kind) == (507, "storage-full")
    assert not path.exists()
    assert not store.exists(digest)


@pytest.mark.parametrize(("number", "error_type", "status"), [
    (errno.ENOSPC, StorageFullError, 507),
    (errno.EDQUOT, StorageFullError, 507),
    (errno.EFBIG, StorageFullError, 507),
    (errno.EROFS, StorageUnavailableError, 503),
    (errno.EACCES, StorageUnavailableError, 503),
    (errno.EIO, StorageUnavailableError, 503),
])
def test_os_errors_map_to_storage_errors(number: int, error_type: type[StorageError], status: int) -> None:
    error = storage_error(OSError(number, os.strerror(number), "/secret/path"), "store the document")
    assert type(error) is error_type
    assert error.status == status
    assert error.message == f"cannot store the document: {os.strerror(number)}"
    assert str(error) == error.message
