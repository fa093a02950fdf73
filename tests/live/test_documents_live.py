"""Documents through the real server: big bodies, memory, a body over the limit, a killed upload."""

from __future__ import annotations

import http.client
import os
import socket
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from proto import accounts
from proto.settings import PROJECT_ROOT
from proto.storage.database import Database, create_database_engine
from proto.storage.tables import documents

pytestmark = pytest.mark.live

MiB = 1024 * 1024
XML_TYPE = "application/vnd.proto.document+xml"
ITEM = b"<item n='1'>some text &amp; more text</item>\n"


def make_token(database_url: str) -> str:
    """Create the account "alice" in the live server's database and return an API token of hers."""
    db = Database(create_database_engine(database_url))
    try:
        alice = accounts.create_account(db, "alice", "correct horse battery")
        return accounts.create_token(db, alice, "live")
    finally:
        db.dispose()


def row_count(database_url: str) -> int:
    db = Database(create_database_engine(database_url))
    try:
        with db.read() as connection:
            return connection.execute(select(func.count()).select_from(documents)).scalar_one()
    finally:
        db.dispose()


def document_body(size: int) -> tuple[int, object]:
    """Return the exact length of a generated document of about size bytes and an iterator of its chunks."""
    block = ITEM * (64 * 1024 // len(ITEM))
    count = size // len(block)
    length = len(b"<doc>\n") + count * len(block) + len(b"</doc>")

    def chunks():
        yield b"<doc>\n"
        for _ in range(count):
            yield block
        yield b"</doc>"

    return length, chunks()


def memory_kib(pid: int, field: str) -> int:
    """Return a memory figure of a process from /proc (VmRSS, VmHWM) in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise AssertionError(f"no {field} for {pid}")


def files_under(path: Path) -> list[Path]:
    return sorted(p for p in path.rglob("*") if p.is_file()) if path.exists() else []


@pytest.fixture
def big_config(tmp_path: Path) -> Path:
    """Return a config like the test one that accepts 100 MB documents."""
    config = tmp_path / "big.conf"
    config.write_text((PROJECT_ROOT / "conf" / "test.conf").read_text().replace(
        'data_dir = "../var/test"', f'data_dir = "{tmp_path / "data"}"\ndocument_max_bytes = {128 * MiB}'))
    return config


def test_a_100_mb_upload_streams_in_flat_memory(live_server, environ, big_config, tmp_path):
    server = live_server("--config", str(big_config))
    token = make_token(environ["PROTO_DATABASE_URL"])
    url = urlsplit(server.url)
    pid = server.process.pid
    length, chunks = document_body(100 * 10**6)
    before = memory_kib(pid, "VmRSS")
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=120)
    started = time.monotonic()
    connection.request("POST", "/api/documents", body=chunks, headers={
        "Authorization": f"Bearer {token}", "Content-Type": XML_TYPE, "Content-Length": str(length),
        "Slug": "big.xml"})
    answer = connection.getresponse()
    body = answer.read()
    seconds = time.monotonic() - started
    connection.close()
    assert answer.status == 201, body
    peak_growth = memory_kib(pid, "VmHWM") - before
    print(f"\n100 MB upload: {length / MiB / seconds:.0f} MiB/s, server peak RSS growth {peak_growth / 1024:.1f} MiB")
    assert peak_growth < 64 * 1024
    objects = files_under(tmp_path / "data" / "documents" / "objects")
    assert len(objects) == 1 and objects[0].stat().st_size == length
    assert files_under(tmp_path / "data" / "documents" / "tmp") == []


def raw_upload(server_url: str, token: str, head_extra: str, send_body) -> bytes:
    """Send a request by hand, writing the body from another thread while the answer is read."""
    url = urlsplit(server_url)
    sock = socket.create_connection((url.hostname, url.port), timeout=60)
    sock.sendall((f"POST /api/documents HTTP/1.1\r\nHost: {url.netloc}\r\nAuthorization: Bearer {token}\r\n"
                  f"Content-Type: {XML_TYPE}\r\n{head_extra}\r\n").encode())

    def writer():
        try:
            send_body(sock)
        except OSError:
            pass  # the server answered and closed: expected

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    answer = b""
    try:
        while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
            data = sock.recv(65536)
            if not data:
                break
            answer += data
    finally:
        sock.close()
        thread.join(timeout=30)
    return answer


@pytest.mark.parametrize("framing", ["content-length", "chunked"])
def test_a_64_mib_body_against_the_32_mib_limit_is_413(live_server, environ, tmp_path, framing):
    server = live_server()
    token = make_token(environ["PROTO_DATABASE_URL"])
    block = ITEM * (MiB // len(ITEM))
    count = 64 * MiB // len(block) + 1

    if framing == "content-length":
        head = f"Content-Length: {len(b'<doc>') + count * len(block)}\r\n"

        def send(sock):
            sock.sendall(b"<doc>")
            for _ in range(count):
                sock.sendall(block)
    else:
        head = "Transfer-Encoding: chunked\r\n"

        def send(sock):
            for _ in range(count):
                sock.sendall(b"%x\r\n%s\r\n" % (len(block), block))
            sock.sendall(b"0\r\n\r\n")

    answer = raw_upload(server.url, token, head, send)
    assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]
    assert b"application/problem+json" in answer
    assert b'"detail":"document exceeds 33554432 bytes"' in answer
    assert row_count(environ["PROTO_DATABASE_URL"]) == 0
    assert files_under(tmp_path / "data" / "documents" / "objects") == []
    assert files_under(tmp_path / "data" / "documents" / "tmp") == []


def test_a_killed_upload_leaves_no_row_and_no_file(live_server, environ, tmp_path):
    server = live_server()
    token = make_token(environ["PROTO_DATABASE_URL"])
    spool = tmp_path / "data" / "documents" / "tmp"
    url = urlsplit(server.url)
    half = b"<doc>" + ITEM * 50_000
    sock = socket.create_connection((url.hostname, url.port), timeout=30)
    sock.sendall((f"POST /api/documents HTTP/1.1\r\nHost: {url.netloc}\r\nAuthorization: Bearer {token}\r\n"
                  f"Content-Type: {XML_TYPE}\r\nContent-Length: {2 * len(half)}\r\n\r\n").encode() + half)
    deadline = time.monotonic() + 10
    while not files_under(spool) or files_under(spool)[0].stat().st_size < len(half) // 2:
        assert time.monotonic() < deadline, "the upload never reached the spool"
        time.sleep(0.05)
    server.stop(9)
    sock.close()
    assert row_count(environ["PROTO_DATABASE_URL"]) == 0
    assert files_under(tmp_path / "data" / "documents" / "objects") == []
    [orphan] = files_under(spool)
    # A fresh orphan may be another process's upload in progress: a restart keeps it...
    live_server().stop()
    assert files_under(spool) == [orphan]
    # ...and removes it once it is older than any live upload can be.
    old = time.time() - 2 * 3600
    os.utime(orphan, (old, old))
    live_server().stop()
    assert files_under(spool) == []
    assert row_count(environ["PROTO_DATABASE_URL"]) == 0
    assert files_under(tmp_path / "data" / "documents" / "objects") == []
