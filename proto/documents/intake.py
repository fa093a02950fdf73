"""Streaming intake of an uploaded XML document: parse, hash and spool in one pass.

    [proto]
    document_max_bytes = 33554432    # 32 MiB; larger bodies get 413
    document_max_depth = 256         # deeper nesting gets 400
    schema = "document.xsd"          # optional: also validate (needs lxml, see schema.py)

Feed the body chunk by chunk as it comes off the socket, then call finish::

    with DocumentIntake(store.spool_dir, max_bytes=..., max_depth=...) as intake:
        for chunk in chunks:
            intake.feed(chunk)
        result = intake.finish()
    store.commit(result.spool_path, result.sha256)

Memory stays flat: no chunk is kept once parsed, hashed and written. The
parser refuses any DOCTYPE, so no DTD, entity or external reference is ever
processed; it never resolves XInclude either (expat does not know it), so such
elements are stored as sent, inert. Every refusal raises IntakeError (or a
StorageError from proto.storage.files when the disk fails) and removes the
spool file first, so nothing half-received stays behind.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import NoReturn
from xml.parsers import expat

from proto.storage.files import SPOOL_PREFIX, reserve_space, start_writeback, storage_error

MiB = 1024 * 1024
DEFAULT_MAX_BYTES = 32 * MiB
DEFAULT_MAX_DEPTH = 256
# Bytes handed to expat (and to the hash and the disk) at a time. Large enough
# that per-call overhead vanishes, small enough to stay flat in memory.
BLOCK_SIZE = 64 * 1024
# Spooled bytes between two writeback requests: the disk writes while the
# upload is still arriving, instead of all at once in the commit's fsync.
WRITEBACK_SIZE = 4 * MiB
# expat's separator between namespace and local name; "}" makes Clark notation
# one "{" away, as xml.etree does.
_NS_SEPARATOR = "}"

Validator = Callable[[Path], None]

_KIND_BY_STATUS = {400: "not-well-formed", 413: "too-large", 415: "unsupported-type", 422: "invalid"}


class IntakeError(Exception):
    """Refuse an uploaded document, saying what is wrong and which HTTP status fits.

    kind is a short reason code for the audit log: "empty", "not-well-formed",
    "doctype", "too-deep", "too-large", "unsupported-type", "invalid".
    line and column (1-based) locate parse errors, None elsewhere.
    """

    def __init__(
        self,
        status: int,
        message: str,
        *,
        kind: str | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.kind = kind or _KIND_BY_STATUS.get(status, "rejected")
        self.line = line
        self.column = column


@dataclass(frozen=True)
class IntakeResult:
    """Describe a document that was received whole, well-formed and within the limits."""

    spool_path: Path
    size: int
    sha256: str
    root: str
    elements: int
    encoding: str


class DocumentIntake:
    """Parse, hash and spool one document as its chunks arrive, refusing it as early as possible.

    feed and finish raise IntakeError for a refused document and
    StorageError (proto.storage.files) when the spool cannot be written; in
    both cases the spool file is already gone and the intake is spent.
    """

    def __init__(
        self,
        spool_dir: Path,
        *,
        max_bytes: int = DEFAULT_MAX_BYTES,
        max_depth: int = DEFAULT_MAX_DEPTH,
        validator: Validator | None = None,
        size_hint: int | None = None,
    ) -> None:
        if max_bytes < 1 or max_depth < 1:
            raise ValueError("max_bytes and max_depth must be positive")
        self.spool_dir = Path(spool_dir)
        self.max_bytes = max_bytes
        self.max_depth = max_depth
        self.validator = validator
        # The size the sender declared (a raw body's Content-Length): reserved on disk at once.
        self.size_hint = size_hint
        self.spool_path: Path | None = None
        self._fd: int | None = None
        self._size = 0
        # Bytes written to the spool file, and how many of them were sent to disk.
        self._spooled = 0
        self._written_back = 0
        # Bytes given to expat so far, and the pending ones not given yet.
        self._parsed = 0
        self._pending = bytearray()
        self._threshold = BLOCK_SIZE
        self._hash = hashlib.sha256()
        self._encoding: str | None = None
        self._root: str | None = None
        self._finished = False
        self._parser: expat.XMLParserType | None = self._make_parser()

    def __enter__(self) -> DocumentIntake:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is not None:
            self.discard()

    def feed(self, chunk: bytes) -> None:
        """Take the next chunk of the body; raise IntakeError as soon as the document is refused."""
        if self._parser is None or self._finished:
            raise RuntimeError("this intake is finished or discarded")
        if not chunk:
            return
        try:
            self._size += len(chunk)
            if self._size > self.max_bytes:
                raise IntakeError(413, f"document exceeds {self.max_bytes} bytes", kind="too-large")
            if not self._pending and len(chunk) >= self._threshold:
                self._process(chunk, final=False)
            else:
                self._pending += chunk
                if len(self._pending) >= self._threshold:
                    self._process(self._pending, final=False)
                    self._pending.clear()
        except BaseException as exc:
            self._fail(exc)

    def finish(self) -> IntakeResult:
        """Check the end of the document, run the validator and describe what was spooled."""
        if self._parser is None or self._finished:
            raise RuntimeError("this intake is finished or discarded")
        try:
            if self._size == 0:
                raise IntakeError(400, "empty document", kind="empty")
            self._process(self._pending, final=True)
            self._pending = bytearray()
            self._finished = True
            if self.size_hint and self._spooled != self.size_hint:
                os.ftruncate(self._fd, self._spooled)  # fewer bytes came than were reserved
            self._close_spool()
            assert self.spool_path is not None and self._root is not None
            if self.validator is not None:
                self.validator(self.spool_path)
        except BaseException as exc:
            self._fail(exc)
        self._parser = None
        return IntakeResult(
            spool_path=self.spool_path,
            size=self._size,
            sha256=self._hash.hexdigest(),
            root=self._root,
            elements=self._element_count(),
            encoding=self._encoding or "UTF-8",
        )

    def discard(self) -> None:
        """Drop the document: close and delete the spool file. Safe to call again."""
        self._parser = None
        self._pending = bytearray()
        try:
            self._close_spool()
        except OSError:
            pass
        if self.spool_path is not None:
            try:
                os.unlink(self.spool_path)
            except FileNotFoundError:
                pass
            self.spool_path = None

    # The parser and its handlers.

    def _make_parser(self) -> expat.XMLParserType:
        """Return an expat parser that counts elements and refuses DTDs and deep nesting."""
        # No intern dict: names are dropped at once (only the root's is kept),
        # so looking each one up in a dict is work for nothing.
        parser = expat.ParserCreate(namespace_separator=_NS_SEPARATOR, intern=None)
        parser.buffer_text = True
        # pyexpat builds the attributes for every element; a list is cheaper
        # than a dict, and without a DTD every attribute is a specified one.
        parser.ordered_attributes = True
        parser.specified_attributes = True
        # Nothing outside the document may be read, even if a DOCTYPE slipped by.
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        parser.StartDoctypeDeclHandler = self._refuse_doctype
        parser.EntityDeclHandler = self._refuse_entity
        parser.UnparsedEntityDeclHandler = self._refuse_entity
        parser.ExternalEntityRefHandler = self._refuse_entity
        parser.XmlDeclHandler = self._xml_declaration

        max_depth = self.max_depth
        depth = 0
        elements = 0

        # The hot path: one call per start and end tag. Closures over plain
        # ints are the cheapest Python handlers; nothing else happens here.
        def start(name: str, attributes: list[str]) -> None:
            nonlocal depth, elements
            depth += 1
            elements += 1
            if depth > max_depth:
                self._refuse_depth()

        def end(name: str) -> None:
            nonlocal depth
            depth -= 1

        def first_start(name: str, attributes: list[str]) -> None:
            # Only the root needs its name kept; later elements skip this.
            self._root = "{" + name if _NS_SEPARATOR in name else name
            parser.StartElementHandler = start
            start(name, attributes)

        def count() -> int:
            return elements

        parser.StartElementHandler = first_start
        parser.EndElementHandler = end
        self._element_count = count
        return parser

    def _refuse_doctype(self, *args: object) -> NoReturn:
        raise self._error_here("DOCTYPE declarations are not allowed", kind="doctype")

    def _refuse_entity(self, *args: object) -> NoReturn:
        raise self._error_here("entity declarations and references are not allowed", kind="doctype")

    def _refuse_depth(self) -> NoReturn:
        raise self._error_here(f"elements nested deeper than {self.max_depth} levels", kind="too-deep")

    def _xml_declaration(self, version: str, encoding: str | None, standalone: int) -> None:
        self._encoding = encoding

    def _error_here(self, problem: str, *, kind: str) -> IntakeError:
        """Return a 400 IntakeError located where the parser is now."""
        assert self._parser is not None
        line = self._parser.CurrentLineNumber
        column = self._parser.CurrentColumnNumber + 1
        return IntakeError(400, f"{problem}, at line {line}, column {column}", kind=kind, line=line, column=column)

    # Moving bytes.

    def _process(self, block: bytes | bytearray, *, final: bool) -> None:
        """Parse, hash and spool one block."""
        parser = self._parser
        assert parser is not None
        if block:
            if self._fd is None:
                self._open_spool(block)
            self._hash.update(block)
            self._write(block)
        try:
            parser.Parse(block, final)
        except expat.ExpatError as exc:
            raise self._parse_error(exc) from None
        except (LookupError, ValueError) as exc:
            # pyexpat maps an encoding expat lacks through Python's codecs: an
            # unknown name is a LookupError, a multi-byte one a ValueError.
            problem = str(exc) if isinstance(exc, LookupError) else f"unsupported encoding: {exc}"
            raise self._error_here(problem, kind="not-well-formed") from None
        self._parsed += len(block)
        # expat 2.5 re-scans an unfinished token from its start on every Parse
        # call, so a huge token fed in fixed blocks costs quadratic time. Wait
        # for at least as many new bytes as expat is holding (as expat 2.6's
        # reparse deferral does): total work stays linear.
        token_start = parser.CurrentByteIndex
        held = self._parsed - token_start if token_start >= 0 else 0
        self._threshold = max(BLOCK_SIZE, held)

    def _parse_error(self, exc: expat.ExpatError) -> IntakeError:
        """Translate an expat error into a located 400."""
        line = exc.lineno
        column = exc.offset + 1
        if exc.code == expat.errors.codes[expat.errors.XML_ERROR_NO_ELEMENTS] and self._root is None:
            problem, kind = "empty document: no root element", "empty"
        else:
            problem, kind = expat.errors.messages[exc.code], "not-well-formed"
        return IntakeError(400, f"{problem}, at line {line}, column {column}", kind=kind, line=line, column=column)

    def _open_spool(self, first_block: bytes | bytearray) -> None:
        """Create the spool file, and note a byte-order mark's encoding."""
        if first_block[:2] in (b"\xff\xfe", b"\xfe\xff"):
            # Without a declaration, a BOM is the only word on the encoding.
            self._encoding = "UTF-16"
        fd, name = tempfile.mkstemp(prefix=SPOOL_PREFIX, dir=self.spool_dir)
        self._fd = fd
        self.spool_path = Path(name)
        if self.size_hint:
            # Reserved in one go (a 100 MB upload: about 2 % faster); finish() cuts what did not come.
            reserve_space(fd, self.size_hint)

    def _write(self, block: bytes | bytearray) -> None:
        """Write the whole block to the spool file."""
        assert self._fd is not None
        view = memoryview(block)
        while view:
            written = os.write(self._fd, view)
            view = view[written:]
        self._spooled += len(block)
        if self._spooled - self._written_back >= WRITEBACK_SIZE:
            start_writeback(self._fd, self._written_back, self._spooled - self._written_back)
            self._written_back = self._spooled

    def _close_spool(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            os.close(fd)

    def _fail(self, exc: BaseException) -> NoReturn:
        """Discard the document and raise exc, or the StorageError an OSError stands for."""
        self.discard()
        if isinstance(exc, OSError):
            raise storage_error(exc, "receive the document") from exc
        raise exc


def ingest_stream(
    read: Callable[[int], bytes],
    spool_dir: Path,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_depth: int = DEFAULT_MAX_DEPTH,
    validator: Validator | None = None,
    chunk_size: int = BLOCK_SIZE,
) -> IntakeResult:
    """Read a whole body with read(n) and take it in; the spool file is removed on any error."""
    with DocumentIntake(spool_dir, max_bytes=max_bytes, max_depth=max_depth, validator=validator) as intake:
        while chunk := read(chunk_size):
            intake.feed(chunk)
        return intake.finish()
