"""Bad input at the HTTP level, sent by hand over raw sockets to a real server: refused cleanly, never held."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from proto.settings import PROJECT_ROOT
from tests.live.browser import Browser
from tests.reliability.conftest import XML_TYPE, files_under, make_users, stored_rows

pytestmark = pytest.mark.live

SLOW_CLIENTS = 5  # half of cheroot's default thread pool of 10


def exchange(url: str, data: bytes, *, timeout: float = 20) -> bytes:
    """Send raw bytes, half-close, and return everything the server answers until it closes."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=timeout) as sock:
        try:
            sock.sendall(data)
            sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # the server may answer and close before it has read everything
        answer = b""
        try:
            while chunk := sock.recv(65536):
                answer += chunk
        except ConnectionResetError:
            pass
    return answer


def status_of(answer: bytes) -> int:
    """Return the status code of a raw HTTP answer."""
    assert answer.startswith(b"HTTP/1."), answer[:200]
    return int(answer.split(b" ", 2)[1])


def post_head(url: str, token: str, extra: str) -> bytes:
    """Return the head of a document upload with extra header lines."""
    return (f"POST /api/documents HTTP/1.1\r\nHost: {urlsplit(url).netloc}\r\nAuthorization: Bearer {token}\r\n"
            f"Content-Type: {XML_TYPE}\r\nConnection: close\r\n{extra}\r\n").encode()


@pytest.fixture
def quick_timeout_config(tmp_path: Path) -> Path:
    """Return the test config with a 3 s socket timeout, so a stalled request ends quickly."""
    config = tmp_path / "quick.conf"
    config.write_text((PROJECT_ROOT / "conf" / "test.conf").read_text().replace(
        "log.screen = False", "log.screen = False\nserver.socket_timeout = 3"))
    return config


def test_malformed_requests_are_refused_and_the_server_stays_healthy(live_server, live_db, environ):
    server = live_server()
    token = make_users(live_db, ["ann"])["ann"]
    url, host = server.url, urlsplit(server.url).netloc
    cases = {
        "malformed request line": (b"GARBAGE\r\n\r\n", {400}),
        "no HTTP version": (b"GET /\r\n\r\n", {400}),
        "unknown protocol": (b"GET / HTTP/9.9\r\nHost: x\r\n\r\n", {400, 505}),
        "huge headers": (f"GET / HTTP/1.1\r\nHost: {host}\r\nX-Big: {'a' * 600_000}\r\n\r\n".encode(),
                         {400, 413, 431}),
        "Content-Length 2**64": (post_head(url, token, f"Content-Length: {2 ** 64}\r\n") + b"<doc/>", {400, 413}),
        "negative Content-Length": (post_head(url, token, "Content-Length: -1\r\n") + b"<doc/>", {400}),
        "broken chunk size": (post_head(url, token, "Transfer-Encoding: chunked\r\n") + b"zz\r\n<doc/>\r\n0\r\n\r\n",
                              {400}),
        "chunk longer than declared": (post_head(url, token, "Transfer-Encoding: chunked\r\n")
                                       + b"2\r\n<doc/>\r\n0\r\n\r\n", {400}),
    }
    for name, (data, expected) in cases.items():
        status = status_of(exchange(url, data))
        assert status in expected, f"{name}: {status}"
        assert Browser(url).get("/status").status == 200, f"unhealthy after {name}"
    assert stored_rows(live_db) == []
    assert files_under(Path(environ["PROTO_DATA_DIR"]) / "documents") == []
    # A valid chunked upload is a document like any other.
    answer = exchange(url, post_head(url, token, "Transfer-Encoding: chunked\r\n")
                      + b"5\r\n<doc>\r\n7\r\nchunked\r\n6\r\n</doc>\r\n0\r\n\r\n")
    assert status_of(answer) == 201, answer
    assert b'"size":18' in answer
    assert len(stored_rows(live_db)) == 1
    assert server.process.poll() is None


def test_a_body_shorter_than_its_length_times_out_and_slow_clients_do_not_hold_the_server(
        live_server, live_db, environ, quick_timeout_config):
    server = live_server("--config", str(quick_timeout_config))
    token = make_users(live_db, ["ann"])["ann"]
    parts = urlsplit(server.url)
    stop = threading.Event()

    def trickle() -> None:
        """Send a request one byte a second, as a slowloris client does, until told to stop."""
        data = f"GET /status HTTP/1.1\r\nHost: {parts.netloc}\r\nX-Slow: {'s' * 100}\r\n\r\n".encode()
        with socket.create_connection((parts.hostname, parts.port), timeout=30) as sock:
            for byte in data:
                if stop.wait(1):
                    return
                try:
                    sock.sendall(bytes([byte]))
                except OSError:
                    return

    slow = [threading.Thread(target=trickle) for _ in range(SLOW_CLIENTS)]
    for thread in slow:
        thread.start()
    try:
        time.sleep(1.5)
        # A body that never arrives: the server gives up after its socket timeout.
        started = time.monotonic()
        short = exchange(server.url, post_head(server.url, token, "Content-Length: 1000\r\n") + b"<doc>", timeout=30)
        assert time.monotonic() - started < 20
        assert short == b"" or status_of(short) in (400, 408), short[:200]
        # Meanwhile everybody else is served, one request after another.
        browser = Browser(server.url)
        for _ in range(20):
            started = time.monotonic()
            assert browser.get("/status").status == 200
            assert time.monotonic() - started < 5
        assert all(thread.is_alive() for thread in slow), "the slow clients should still be trickling"
    finally:
        stop.set()
        for thread in slow:
            thread.join(timeout=10)
    assert stored_rows(live_db) == []
    assert files_under(Path(environ["PROTO_DATA_DIR"]) / "documents" / "tmp") == []
    assert Browser(server.url).get("/status").status == 200
