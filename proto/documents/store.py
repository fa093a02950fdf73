"""The document store: rows in the database, bytes in the content-addressed file store.

    [proto]
    data_dir = "var"    # files under <data_dir>/documents/

    store = DocumentStore(db, DocumentFileStore(data_dir / "documents"), max_bytes=..., max_depth=...)
    with store.intake() as intake:       # spool, parse, hash
        ...
    document = store.add(owner, "report.xml", "application/vnd.proto.document+xml", intake.finish())

A document is never half-stored: ``add`` moves the spooled file into place
(fsynced, renamed) before the row is committed, so a crash leaves the whole
document and its row, or at most an unreferenced file, which is harmless
because files are named by their content. Rows that share bytes share one
file; ``delete`` removes the file once no row refers to it.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import secrets
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from typing import BinaryIO, NamedTuple

from sqlalchemy import Select, bindparam, func, or_, select
from sqlalchemy.engine import Connection, Row

from proto.accounts import Account
from proto.documents.intake import DEFAULT_MAX_BYTES, DEFAULT_MAX_DEPTH, DocumentIntake, IntakeResult, Validator
from proto.kept import Kept
from proto.storage.database import Database, FastRead
from proto.storage.files import DocumentFileStore, fsync_path, storage_error
from proto.storage.tables import accounts, documents, utcnow

PAGE_SIZE = 20
# Pages of ids kept per store (see DocumentStore.page): some 1 MB at most.
PAGES_KEPT = 1024
DEFAULT_NAME = "document.xml"
MAX_NAME_LENGTH = 200
_ID = re.compile(r"[0-9a-f]{32}")
_SELECT = select(documents, accounts.c.username).join(accounts, accounts.c.id == documents.c.account_id)
_EVERYONES_COUNT = select(func.coalesce(func.sum(accounts.c.document_count), 0)).scalar_subquery()


def _visible_to(query: Select, viewer: Account) -> Select:
    """Limit a query to the documents the viewer may see: their own, or every one for an admin."""
    return query if viewer.is_admin else query.where(documents.c.account_id == viewer.id)


def _list_conditions(everyone: bool, searching: bool) -> list:
    """Return the WHERE of a list: the viewer's rows unless everyone's, matching ?q= when searching."""
    conditions = [] if everyone else [documents.c.account_id == bindparam("viewer")]
    if searching:
        pattern = bindparam("pattern")
        conditions.append(or_(func.lower(documents.c.name).like(pattern, escape="\\"),
                              func.lower(documents.c.root).like(pattern, escape="\\")))
    return conditions


@functools.cache
def _page_query(everyone: bool, searching: bool, ids_only: bool = False) -> FastRead:
    """Return the statement of one list page, built once: the rows (or their ids) and, in each, the list's total."""
    # Without a search the total is a stored count (migration 0004): the owner's, since every
    # row is the viewer's, or every account's for an admin. A search counts what it matched.
    total = func.count().over() if searching else _EVERYONES_COUNT if everyone else accounts.c.document_count
    query = _SELECT.with_only_columns(documents.c.id) if ids_only else _SELECT
    return FastRead(query.add_columns(total.label("total")).where(*_list_conditions(everyone, searching))
                    .order_by(documents.c.created_at.desc(), documents.c.id.desc())
                    .limit(bindparam("limit")).offset(bindparam("offset")))


@functools.cache
def _count_query(everyone: bool, searching: bool) -> Select:
    """Return the statement that counts a list, for when its page holds no row to carry the total."""
    return select(func.count()).select_from(documents).where(*_list_conditions(everyone, searching))


class Document(NamedTuple):
    """One stored document as its owner and admins see it."""

    # A named tuple, not a frozen dataclass: as immutable, and a list page builds
    # twenty of them five times faster.
    id: str
    owner_id: int
    owner: str
    name: str
    content_type: str
    size: int
    sha256: str
    root: str
    elements: int
    encoding: str
    created_at: dt.datetime

    @classmethod
    def from_row(cls, row: Row) -> Document:
        """Build a Document from a ``documents`` row joined with its owner's name (``_SELECT``)."""
        document_id, owner_id, name, content_type, size, sha256, root, elements, encoding, created_at, owner = row[:11]
        return cls(document_id, owner_id, owner, name, content_type, size, sha256, root, elements, encoding, created_at)


def new_document_id() -> str:
    """Return a fresh, unguessable document id (128 random bits, hex)."""
    return secrets.token_hex(16)


def clean_name(name: str | None, default: str = DEFAULT_NAME) -> str:
    """Return a safe display and download name: no folders, no control characters, not too long."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    # Control and format characters (bidi overrides among them) could disguise a name.
    name = "".join(char for char in name if unicodedata.category(char) not in ("Cc", "Cf", "Cs"))
    name = " ".join(name.split()).strip(". ")
    return name[:MAX_NAME_LENGTH] or default


class DocumentStore:
    """Add, find, list, open and delete documents for an account."""

    def __init__(self, db: Database, files: DocumentFileStore, *, max_bytes: int = DEFAULT_MAX_BYTES,
                 max_depth: int = DEFAULT_MAX_DEPTH, validator: Validator | None = None) -> None:
        self.db = db
        self.files = files
        self.max_bytes = max_bytes
        self.max_depth = max_depth
        self.validator = validator
        # (owner id, documents version, page, per page) -> ids.
        self._kept_pages: Kept[list[str]] = Kept(PAGES_KEPT)

    def intake(self, size_hint: int | None = None) -> DocumentIntake:
        """Start receiving one document (of the declared size, if known) with this store's limits and schema."""
        return DocumentIntake(self.files.spool_dir, max_bytes=self.max_bytes, max_depth=self.max_depth,
                              validator=self.validator, size_hint=size_hint)

    def add(self, owner: Account, name: str, content_type: str, result: IntakeResult) -> Document:
        """Store a received document for owner: its file first, then its row; return it."""
        try:
            # The slow flush happens before the lock, so the one under it is cheap.
            fsync_path(result.spool_path)
        except OSError as exc:
            result.spool_path.unlink(missing_ok=True)
            raise storage_error(exc, "store the document") from exc
        document_id = new_document_id()
        values = dict(id=document_id, account_id=owner.id, name=clean_name(name), content_type=content_type[:100],
                      size=result.size, sha256=result.sha256, root=result.root[:1000], elements=result.elements,
                      encoding=result.encoding[:40], created_at=utcnow())
        committed = False
        try:
            with self._locked(result.sha256) as connection:
                # Under the lock, a concurrent delete of the last row with these
                # bytes cannot remove the file between its commit and our row.
                committed = True
                self.files.commit(result.spool_path, result.sha256)
                connection.execute(documents.insert().values(**values))
        finally:
            if not committed:
                # The database failed first: the spool is still ours to drop.
                result.spool_path.unlink(missing_ok=True)
        return Document(owner_id=owner.id, owner=owner.username,
                        **{key: value for key, value in values.items() if key != "account_id"})

    def get(self, document_id: str, viewer: Account) -> Document | None:
        """Return the document if the viewer owns it or is an admin, else None (as if it did not exist)."""
        if not isinstance(document_id, str) or not _ID.fullmatch(document_id):
            return None
        query = _visible_to(_SELECT.where(documents.c.id == document_id), viewer)
        with self.db.read() as connection:
            row = connection.execute(query).first()
        return Document.from_row(row) if row is not None else None

    def list(self, viewer: Account, page: int = 1, q: str = "", *,
             per_page: int = PAGE_SIZE) -> tuple[list[Document], int]:
        """Return one page of the viewer's documents (an admin's: everyone's), newest first, and the total."""
        rows, total = self._page(viewer, page, q, per_page, ids_only=False)
        return [Document.from_row(row) for row in rows], total

    def page(self, viewer: Account, page: int = 1, q: str = "", *,
             per_page: int = PAGE_SIZE) -> tuple[list[str], int]:
        """Return the ids on one page of what ``list`` returns, in its order, and the total.

        The viewer must be as read for this request: an owner's own pages are kept by
        its ``documents_version``, which database triggers bump whenever its documents
        change (migration 0005), and its ``document_count`` is their total.
        """
        # For a page that keeps its rows' markup (documents never change): ids are all it needs
        # to find it, and the rows' columns are read only when it is rendered (``documents``).
        if viewer.is_admin or q.strip():
            rows, total = self._page(viewer, page, q, per_page, ids_only=True)
            return [row.id for row in rows], total
        key = (viewer.id, viewer.documents_version, page, per_page)
        ids = self._kept_pages.get(key)
        if ids is None:
            rows, _ = self._page(viewer, page, q, per_page, ids_only=True)
            ids = [row.id for row in rows]
            self._kept_pages.keep(key, ids)
        return ids, viewer.document_count

    def _page(self, viewer: Account, page: int, q: str, per_page: int, *, ids_only: bool) -> tuple[list, int]:
        q = q.strip()
        if "\x00" in q:
            # No name or root holds a NUL (names are cleaned, XML forbids it), and PostgreSQL refuses one.
            return [], 0
        params = {"viewer": viewer.id, "limit": per_page, "offset": (max(page, 1) - 1) * per_page}
        if q:
            params["pattern"] = "%" + q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        rows = _page_query(viewer.is_admin, bool(q), ids_only).all(self.db, **params)
        if not rows:
            # An empty list, or a page past the end: only a count can tell the total.
            with self.db.read() as connection:
                return [], connection.execute(_count_query(viewer.is_admin, bool(q)), params).scalar_one()
        return rows, int(rows[0].total)

    def documents(self, ids: list[str], viewer: Account) -> list[Document]:
        """Return the documents with these ids that the viewer may see, in the order of ``ids``."""
        query = _visible_to(_SELECT.where(documents.c.id.in_(ids)), viewer)
        with self.db.read() as connection:
            found = {row.id: Document.from_row(row) for row in connection.execute(query)}
        return [found[document_id] for document_id in ids if document_id in found]

    def count(self) -> tuple[int, int]:
        """Return how many documents are stored and their total size in bytes."""
        with self.db.read() as connection:
            number, size = connection.execute(
                select(func.count(), func.coalesce(func.sum(documents.c.size), 0))).one()
        return number, int(size)

    def open(self, document: Document) -> BinaryIO:
        """Open the document's bytes for reading."""
        return self.files.open(document.sha256)

    def delete(self, document_id: str, viewer: Account) -> Document | None:
        """Delete a document the viewer may see and return it; its file goes once no row uses it."""
        document = self.get(document_id, viewer)
        if document is None:
            return None
        with self.db.write() as connection:
            deleted = connection.execute(documents.delete().where(documents.c.id == document.id)).rowcount
        if not deleted:
            return None
        # Only after the row is gone for good: a crash here leaves an unused
        # file, never a row without its file.
        with self._locked(document.sha256) as connection:
            still_used = connection.execute(
                select(func.count()).select_from(documents).where(documents.c.sha256 == document.sha256)).scalar_one()
            if not still_used:
                self.files.remove(document.sha256)
        return document

    @contextmanager
    def _locked(self, sha256: str) -> Iterator[Connection]:
        """Yield a write transaction that holds the lock for one file's bytes."""
        with self.db.write() as connection:
            if connection.dialect.name == "postgresql":
                # SQLite's BEGIN IMMEDIATE already serializes every writer.
                # 60 bits of the digest: a bigint key, and collisions only cost a wait.
                connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({int(sha256[:15], 16)})")
            yield connection
