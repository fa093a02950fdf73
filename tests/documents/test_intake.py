"""The streaming document intake: what it accepts, what it refuses, and what it leaves on disk."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import io
import os
import socket
import time
import tracemalloc
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from proto.documents import intake as intake_module
from proto.documents.intake import (
    BLOCK_SIZE,
    WRITEBACK_SIZE,
    DocumentIntake,
    IntakeError,
    IntakeResult,
    ingest_stream,
)
from proto.storage import files as files_module
from proto.storage.files import StorageFullError, StorageUnavailableError

MiB = 1024 * 1024
EXAMPLES = Path(__file__).resolve().parents[2] / "conf" / "examples"


@pytest.fixture
def spool_dir(tmp_path: Path) -> Path:
    """Return an empty folder for spool files."""
    path = tmp_path / "spool"
    path.mkdir()
    return path


def chunks(data: bytes, size: int) -> Iterator[bytes]:
    """Yield data in pieces of size bytes."""
    for start in range(0, len(data), size):
        yield data[start:start + size]


def take(data: bytes | Iterable[bytes], spool_dir: Path, *, chunk_size: int = 4096, **options: Any) -> IntakeResult:
    """Run data (bytes, or an iterable of chunks) through a fresh intake and return the result."""
    pieces = chunks(data, chunk_size) if isinstance(data, bytes) else data
    with DocumentIntake(spool_dir, **options) as intake:
        for piece in pieces:
            intake.feed(piece)
        return intake.finish()


def spooled(spool_dir: Path) -> list[str]:
    """Return the names of the files left in the spool folder."""
    return sorted(path.name for path in spool_dir.iterdir())


def deep(levels: int, *, newlines: bool = False) -> bytes:
    """Return a document nesting levels elements."""
    opening = b"<a>\n" if newlines else b"<a>"
    return opening * levels + b"</a>" * levels


# Each refused document: the status, the reason code and what the message says.
ATTACKS = [
    pytest.param(
        b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<lolz>&lol9;</lolz>""",
        400, "doctype", "DOCTYPE declarations are not allowed, at line 2",
        id="billion-laughs",
    ),
    pytest.param(
        b'<!DOCTYPE r [<!ENTITY a "' + b"x" * 100_000 + b'">]><r>' + b"&a;" * 10_000 + b"</r>",
        400, "doctype", "DOCTYPE declarations are not allowed",
        id="quadratic-blowup",
    ),
    pytest.param(
        b'<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><r>&xxe;</r>',
        400, "doctype", "DOCTYPE declarations are not allowed, at line 1",
        id="external-entity-file",
    ),
    pytest.param(
        b'<!DOCTYPE r [<!ENTITY xxe SYSTEM "http://127.0.0.1:9/secret">]><r>&xxe;</r>',
        400, "doctype", "DOCTYPE declarations are not allowed",
        id="external-entity-http",
    ),
    pytest.param(
        b'<!DOCTYPE r [<!ENTITY % remote SYSTEM "http://127.0.0.1:9/evil.dtd"> %remote;]><r/>',
        400, "doctype", "DOCTYPE declarations are not allowed",
        id="parameter-entity",
    ),
    pytest.param(
        b'<?xml version="1.0"?>\n<!DOCTYPE r SYSTEM "http://127.0.0.1:9/evil.dtd">\n<r/>',
        400, "doctype", "DOCTYPE declarations are not allowed, at line 2",
        id="external-dtd",
    ),
    pytest.param(
        b'<!DOCTYPE r PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN"\n'
        b'  "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd"><r/>',
        400, "doctype", "DOCTYPE declarations are not allowed",
        id="public-dtd",
    ),
    pytest.param(
        deep(10_000), 400, "too-deep", "elements nested deeper than 256 levels, at line 1, column 769",
        id="10000-deep",
    ),
    pytest.param(
        deep(300, newlines=True), 400, "too-deep", "elements nested deeper than 256 levels, at line 257, column 1",
        id="deep-with-lines",
    ),
    pytest.param(
        b"<r>\n<b>caf\xc3\xa9 \xff</b></r>", 400, "not-well-formed",
        "not well-formed (invalid token), at line 2, column 9",
        id="invalid-utf8",
    ),
    pytest.param(
        b"<r>\xc3</r>", 400, "not-well-formed", "at line 1, column 4",
        id="truncated-utf8-sequence",
    ),
    pytest.param(b"", 400, "empty", "empty document", id="empty"),
    pytest.param(b" \n\t\n", 400, "empty", "empty document: no root element", id="blank"),
    pytest.param(
        b'<?xml version="1.0"?>\n<!-- nothing else -->\n', 400, "empty", "empty document: no root element",
        id="declaration-only",
    ),
    pytest.param(
        b"<r>\n  <a>\n  </b>\n</r>", 400, "not-well-formed", "mismatched tag, at line 3, column 5",
        id="mismatched-tag",
    ),
    pytest.param(
        b"<r>\n<a>", 400, "not-well-formed", "no element found, at line 2, column 4",
        id="truncated",
    ),
    pytest.param(b"<r/>\n<r/>", 400, "not-well-formed", "junk after document element, at line 2, column 1",
                 id="two-roots"),
    pytest.param(b"<r/>trailing text", 400, "not-well-formed", "junk after document element, at line 1, column 5",
                 id="text-after-root"),
    pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", 400, "not-well-formed", "at line 1, column 1",
                 id="png"),
    pytest.param(b"Hello, this is not XML.\n", 400, "not-well-formed", "syntax error, at line 1, column 1",
                 id="plain-text"),
    pytest.param(b'{"json": true}', 400, "not-well-formed", "at line 1, column 1", id="json"),
    pytest.param(b"<r>&nbsp;</r>", 400, "not-well-formed", "undefined entity, at line 1, column 4",
                 id="undefined-entity"),
    pytest.param(b"<x:r/>", 400, "not-well-formed", "unbound prefix, at line 1, column 1", id="unbound-prefix"),
    pytest.param(b'<?xml version="1.0" encoding="Shift_JIS"?><r/>', 400, "not-well-formed",
                 "unsupported encoding: multi-byte encodings are not supported, at line 1",
                 id="multi-byte-encoding"),
    pytest.param(b'<?xml version="1.0" encoding="klingon"?><r/>', 400, "not-well-formed",
                 "unknown encoding: klingon, at line 1", id="unknown-encoding"),
]


@pytest.mark.parametrize("chunk_size", [7, BLOCK_SIZE])
@pytest.mark.parametrize(("body", "status", "kind", "message"), ATTACKS)
def test_refused_documents(spool_dir: Path, body: bytes, status: int, kind: str, message: str,
                           chunk_size: int) -> None:
    with pytest.raises(IntakeError) as caught:
        take(body, spool_dir, chunk_size=chunk_size)
    assert (caught.value.status, caught.value.kind) == (status, kind)
    assert message in caught.value.message
    assert str(caught.value) == caught.value.message
    assert spooled(spool_dir) == []


def test_parse_errors_carry_line_and_column(spool_dir: Path) -> None:
    with pytest.raises(IntakeError) as caught:
        take(b"<r>\n  <a>\n  </b>\n</r>", spool_dir)
    assert (caught.value.line, caught.value.column) == (3, 5)


def test_nothing_from_a_doctype_is_fetched(spool_dir: Path) -> None:
    with listening_socket() as (server, url):
        body = f'<!DOCTYPE r SYSTEM "{url}/evil.dtd"><r/>'.encode()
        with pytest.raises(IntakeError):
            take(body, spool_dir)
        assert_no_connection(server)


def test_xinclude_is_stored_verbatim_and_never_fetched(spool_dir: Path) -> None:
    with listening_socket() as (server, url):
        body = (
            '<doc xmlns:xi="http://www.w3.org/2001/XInclude">\n'
            '  <xi:include href="file:///etc/passwd" parse="text"/>\n'
            f'  <xi:include href="{url}/remote.xml"/>\n'
            "</doc>\n"
        ).encode()
        result = take(body, spool_dir)
        assert_no_connection(server)
    assert result.spool_path.read_bytes() == body
    assert (result.root, result.elements) == ("doc", 3)


def test_depth_limit_is_inclusive(spool_dir: Path) -> None:
    assert take(deep(256), spool_dir).elements == 256
    with pytest.raises(IntakeError, match="deeper than 256"):
        take(deep(257), spool_dir)
    assert take(deep(10), spool_dir, max_depth=10).elements == 10
    with pytest.raises(IntakeError, match="deeper than 9 levels"):
        take(deep(10), spool_dir, max_depth=9)


def test_over_max_bytes_is_refused_as_soon_as_the_limit_is_crossed(spool_dir: Path) -> None:
    body = b"<r>" + b"<p>some text</p>" * (2 * MiB // 16) + b"</r>"
    fed = 0
    with pytest.raises(IntakeError) as caught:
        with DocumentIntake(spool_dir, max_bytes=1 * MiB) as intake:
            for piece in chunks(body, BLOCK_SIZE):
                intake.feed(piece)
                fed += len(piece)
    assert (caught.value.status, caught.value.kind) == (413, "too-large")
    assert caught.value.message == "document exceeds 1048576 bytes"
    # The chunk that crossed the limit raised; nothing after it was read.
    assert fed == 1 * MiB
    assert spooled(spool_dir) == []


def test_a_document_of_exactly_max_bytes_is_accepted(spool_dir: Path) -> None:
    body = b"<r>" + b"x" * (1 * MiB - 7) + b"</r>"
    assert take(body, spool_dir, max_bytes=1 * MiB).size == 1 * MiB
    with pytest.raises(IntakeError, match="exceeds"):
        take(body + b"\n", spool_dir, max_bytes=1 * MiB)


def test_ingest_stream_stops_reading_at_the_limit(spool_dir: Path) -> None:
    body = io.BytesIO(b"<r>" + b"x" * (3 * MiB) + b"</r>")
    with pytest.raises(IntakeError) as caught:
        ingest_stream(body.read, spool_dir, max_bytes=1 * MiB)
    assert caught.value.status == 413
    assert body.tell() <= 1 * MiB + BLOCK_SIZE
    assert spooled(spool_dir) == []


@pytest.mark.parametrize("chunk_size", [1024, BLOCK_SIZE])
def test_a_1_mib_attribute_value_is_accepted_quickly(spool_dir: Path, chunk_size: int) -> None:
    body = b'<r a="' + b"x" * MiB + b'"/>'
    started = time.perf_counter()
    result = take(body, spool_dir, chunk_size=chunk_size, max_bytes=32 * MiB)
    elapsed = time.perf_counter() - started
    assert (result.size, result.elements) == (len(body), 1)
    # expat 2.5 re-scans an unfinished token on every Parse: fed naively in
    # 1 KiB chunks, 1 MiB takes ~0.8 s and 4 MiB ~12 s; the intake stays linear.
    assert elapsed < 1.0


@pytest.mark.parametrize("token", [
    pytest.param((b'<r a="', b"x", b'"/>'), id="attribute"),
    pytest.param((b"<r><!--", b"x", b"--></r>"), id="comment"),
    pytest.param((b"<r><?pi ", b"x", b"?></r>"), id="processing-instruction"),
    pytest.param((b"<r><![CDATA[", b"x", b"]]></r>"), id="cdata"),
    pytest.param((b"<r", b"x", b"/>"), id="element-name"),
])
def test_huge_tokens_parse_in_linear_time(spool_dir: Path, token: tuple[bytes, bytes, bytes]) -> None:
    opening, filler, closing = token
    body = opening + filler * (8 * MiB) + closing
    started = time.perf_counter()
    result = take(body, spool_dir, chunk_size=1024)
    assert result.size == len(body)
    assert time.perf_counter() - started < 3.0


def test_namespaced_document_is_described_exactly(spool_dir: Path) -> None:
    body = (EXAMPLES / "report.xml").read_bytes()
    result = take(body, spool_dir)
    assert result.root == "{urn:proto:document:1}document"
    assert result.elements == sum(1 for _ in ElementTree.fromstring(body).iter())
    assert result.size == len(body)
    assert result.sha256 == hashlib.sha256(body).hexdigest()
    assert result.encoding == "UTF-8"
    assert result.spool_path.parent == spool_dir
    assert result.spool_path.read_bytes() == body


@pytest.mark.parametrize(("body", "root"), [
    (b"<plain/>", "plain"),
    (b'<p:r xmlns:p="urn:x"/>', "{urn:x}r"),
    (b'<r xmlns="http://example.org/ns#v1"><child xmlns=""/></r>', "{http://example.org/ns#v1}r"),
])
def test_root_is_in_clark_notation(spool_dir: Path, body: bytes, root: str) -> None:
    assert take(body, spool_dir).root == root


@pytest.mark.parametrize(("body", "encoding"), [
    (b"<r/>", "UTF-8"),
    (b'<?xml version="1.0"?><r/>', "UTF-8"),
    (b'<?xml version="1.0" encoding="ISO-8859-1"?>\n<r>caf\xe9 cr\xe8me</r>', "ISO-8859-1"),
    (b'<?xml version="1.0" encoding="windows-1252"?><r>\x80</r>', "windows-1252"),
    ("<r>\u00e9t\u00e9</r>".encode("utf-16"), "UTF-16"),
    ('<?xml version="1.0" encoding="UTF-16"?><r/>'.encode("utf-16"), "UTF-16"),
])
def test_encoding_comes_from_the_declaration(spool_dir: Path, body: bytes, encoding: str) -> None:
    result = take(body, spool_dir)
    assert result.encoding == encoding
    assert result.spool_path.read_bytes() == body


def test_latin1_bytes_invalid_as_utf8_are_refused_without_declaration(spool_dir: Path) -> None:
    with pytest.raises(IntakeError, match=r"invalid token\), at line 1, column 7"):
        take(b"<r>caf\xe9</r>", spool_dir)


@pytest.mark.parametrize("example", sorted(EXAMPLES.glob("*.xml")), ids=lambda path: path.name)
def test_one_byte_chunks_give_the_same_result(spool_dir: Path, example: Path) -> None:
    body = example.read_bytes()
    whole = take([body], spool_dir)
    bytewise = take(chunks(body, 1), spool_dir)
    assert describe(bytewise) == describe(whole)
    assert bytewise.spool_path.read_bytes() == body


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cuts=st.lists(st.integers(min_value=0, max_value=2000), max_size=12))
def test_any_chunk_boundaries_give_the_same_result(spool_dir: Path, cuts: list[int]) -> None:
    body = (EXAMPLES / "report.xml").read_bytes()
    points = sorted({0, len(body), *(min(cut, len(body)) for cut in cuts)})
    pieces = [body[start:end] for start, end in zip(points, points[1:])]
    result = take(pieces, spool_dir)
    assert describe(result) == ("{urn:proto:document:1}document", 21, len(body),
                                hashlib.sha256(body).hexdigest(), "UTF-8")
    result.spool_path.unlink()


def test_memory_stays_flat_for_a_large_document(spool_dir: Path) -> None:
    section = b"<section><heading>Heading</heading><para>" + b"Some text. " * 40 + b"</para></section>\n"
    count = 32 * MiB // len(section)

    def body() -> Iterator[bytes]:
        yield b"<document><body>\n"
        block = section * (BLOCK_SIZE // len(section))
        for _ in range(count // (BLOCK_SIZE // len(section))):
            yield block
        yield b"</body></document>\n"

    tracemalloc.start()
    try:
        result = take(body(), spool_dir, max_bytes=64 * MiB)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.size > 30 * MiB
    assert peak < 2 * MiB


def large_document(size: int) -> bytes:
    """Return a well-formed document of about size bytes, many writeback ranges long."""
    section = b"<section><heading>Heading</heading><para>" + b"Some text. " * 40 + b"</para></section>\n"
    return b"<document>" + section * (size // len(section)) + b"</document>"


def test_a_document_spooled_across_writebacks_is_kept_byte_for_byte(spool_dir: Path) -> None:
    body = large_document(3 * WRITEBACK_SIZE + 12345)
    result = take(body, spool_dir, chunk_size=BLOCK_SIZE, max_bytes=64 * MiB)
    assert result.spool_path.read_bytes() == body
    assert result.sha256 == hashlib.sha256(body).hexdigest()
    result.spool_path.unlink()


def test_a_refusal_after_writeback_began_leaves_nothing(spool_dir: Path) -> None:
    body = large_document(2 * WRITEBACK_SIZE) + b"<trailing/>"
    with pytest.raises(IntakeError) as caught:
        take(body, spool_dir, chunk_size=BLOCK_SIZE, max_bytes=64 * MiB)
    assert caught.value.kind == "not-well-formed"
    assert spooled(spool_dir) == []


def test_a_refused_writeback_hint_still_stores_the_document(spool_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    hints: list[int] = []

    def refused(fd: int, offset: int, length: int, advice: int) -> None:
        hints.append(length)
        raise OSError(errno.EINVAL, "Invalid argument")

    monkeypatch.setattr(files_module.os, "posix_fadvise", refused, raising=False)
    body = large_document(2 * WRITEBACK_SIZE)
    result = take(body, spool_dir, chunk_size=BLOCK_SIZE, max_bytes=64 * MiB)
    monkeypatch.undo()
    assert hints, "the document was too small to ask for a writeback"
    assert result.spool_path.read_bytes() == body
    result.spool_path.unlink()


def test_context_manager_discards_on_error(spool_dir: Path) -> None:
    with pytest.raises(ConnectionResetError):
        with DocumentIntake(spool_dir) as intake:
            intake.feed(b"<r>" + b"x" * (2 * BLOCK_SIZE))
            assert spooled(spool_dir) != []
            raise ConnectionResetError("client went away")
    assert spooled(spool_dir) == []


def test_discard_is_safe_twice_and_after_finish(spool_dir: Path) -> None:
    intake = DocumentIntake(spool_dir)
    intake.feed(b"<r/>")
    result = intake.finish()
    assert result.spool_path.exists()
    intake.discard()
    intake.discard()
    assert spooled(spool_dir) == []


def test_a_finished_intake_takes_no_more(spool_dir: Path) -> None:
    intake = DocumentIntake(spool_dir)
    intake.feed(b"<r/>")
    intake.finish()
    with pytest.raises(RuntimeError):
        intake.feed(b"<r/>")
    with pytest.raises(RuntimeError):
        intake.finish()


def test_a_refused_intake_takes_no_more(spool_dir: Path) -> None:
    intake = DocumentIntake(spool_dir)
    with pytest.raises(IntakeError):
        intake.feed(b"<!DOCTYPE r><r/>" + b" " * BLOCK_SIZE)
    with pytest.raises(RuntimeError):
        intake.feed(b"<r/>")


def test_empty_chunks_are_ignored(spool_dir: Path) -> None:
    assert take([b"", b"<r>", b"", b"</r>", b""], spool_dir).size == 7


def test_ingest_stream_reads_to_the_end(spool_dir: Path) -> None:
    body = (EXAMPLES / "minimal.xml").read_bytes()
    result = ingest_stream(io.BytesIO(body).read, spool_dir, chunk_size=10)
    assert result.spool_path.read_bytes() == body


def test_validator_sees_the_spool_file_and_its_refusal_removes_it(spool_dir: Path) -> None:
    seen: list[bytes] = []

    def validator(path: Path) -> None:
        seen.append(path.read_bytes())
        raise IntakeError(422, "document is not valid against the schema, line 1: nope")

    with pytest.raises(IntakeError) as caught:
        take(b"<r/>", spool_dir, validator=validator)
    assert (caught.value.status, caught.value.kind) == (422, "invalid")
    assert seen == [b"<r/>"]
    assert spooled(spool_dir) == []


def test_validator_is_not_called_for_a_refused_document(spool_dir: Path) -> None:
    calls: list[Path] = []
    with pytest.raises(IntakeError):
        take(b"<r>", spool_dir, validator=calls.append)
    assert calls == []


def test_unwritable_spool_folder_is_storage_unavailable(tmp_path: Path) -> None:
    # A file where the folder should be: mkstemp fails even for root.
    not_a_folder = tmp_path / "spool"
    not_a_folder.write_bytes(b"")
    with pytest.raises(StorageUnavailableError) as caught:
        take(b"<r/>", not_a_folder)
    assert caught.value.status == 503
    assert str(tmp_path) not in caught.value.message


def test_full_disk_while_spooling_is_storage_full(spool_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(fd: int, data: bytes) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(intake_module.os, "write", full)
    with pytest.raises(StorageFullError) as caught:
        take(b"<r>" + b"x" * (2 * BLOCK_SIZE) + b"</r>", spool_dir)
    monkeypatch.undo()
    assert caught.value.status == 507
    assert caught.value.message == "cannot receive the document: No space left on device"
    assert isinstance(caught.value.__cause__, OSError)
    assert spooled(spool_dir) == []


def describe(result: IntakeResult) -> tuple[str, int, int, str, str]:
    """Return everything about a result but where it was spooled."""
    return result.root, result.elements, result.size, result.sha256, result.encoding


@contextlib.contextmanager
def listening_socket() -> Iterator[tuple[socket.socket, str]]:
    """Listen on a free local port, to prove that nothing connects to it."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        server.setblocking(False)
        yield server, f"http://127.0.0.1:{server.getsockname()[1]}"


def assert_no_connection(server: socket.socket) -> None:
    """Fail if anyone connected to server."""
    with pytest.raises(BlockingIOError):
        connection, _ = server.accept()
        connection.close()


@pytest.mark.parametrize("extra", [0, 5000])
def test_a_declared_size_is_reserved_and_the_spool_keeps_only_what_came(spool_dir: Path, extra: int,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    reserved: list[int] = []
    allocate = files_module.os.posix_fallocate

    def recorded(fd: int, offset: int, length: int) -> None:
        reserved.append(length)
        allocate(fd, offset, length)

    monkeypatch.setattr(files_module.os, "posix_fallocate", recorded)
    body = large_document(WRITEBACK_SIZE + 4321)
    with DocumentIntake(spool_dir, max_bytes=64 * MiB, size_hint=len(body) + extra) as intake:
        for chunk in chunks(body, BLOCK_SIZE):
            intake.feed(chunk)
        result = intake.finish()
    assert reserved == [len(body) + extra]
    assert result.spool_path.read_bytes() == body  # no reserved tail left over
    result.spool_path.unlink()


@pytest.mark.parametrize(("code", "stored"), [(errno.ENOSPC, False), (errno.EOPNOTSUPP, True)])
def test_a_disk_too_full_for_the_declared_size_refuses_at_once(spool_dir: Path, code: int, stored: bool,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    def refused(fd: int, offset: int, length: int) -> None:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(files_module.os, "posix_fallocate", refused)
    body = b"<r>" + b"x" * (2 * BLOCK_SIZE) + b"</r>"
    intake = DocumentIntake(spool_dir, size_hint=len(body))
    if not stored:  # refused at the first block, before the rest is read
        with pytest.raises(StorageFullError):
            intake.feed(body[:BLOCK_SIZE])
        assert spooled(spool_dir) == []
        return
    intake.feed(body)  # a file system without the call allocates as it writes
    assert intake.finish().spool_path.read_bytes() == body
