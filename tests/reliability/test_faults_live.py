"""Faults on a real server: killed mid-upload, the database gone and back, the disk full."""

from __future__ import annotations

import http.client
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest

from tests.conftest import PASSWORD, POSTGRES_URL
from tests.live.browser import Browser
from tests.reliability.conftest import XML_TYPE, assert_store_consistent, connect, files_under, make_document, \
    make_users, stored_rows, upload

pytestmark = pytest.mark.live

UPLOADERS = 6
KILLS = 3


def keep_uploading(url: str, token: str, number: int, acknowledged: dict, stop: threading.Event) -> None:
    """Upload documents of a few hundred KiB until the server dies; note every 201 and what was sent."""
    index = 0
    while not stop.is_set():
        body = make_document(f"u{number}", index, size=random.randint(1_000, 400_000))
        index += 1
        connection = connect(url, timeout=20)
        try:
            status, answer = upload(connection, token, body, f"k{number}-{index}.xml")
        except (OSError, http.client.HTTPException):
            return  # killed mid-request: the client never heard a 201
        finally:
            connection.close()
        if status == 201:
            acknowledged[json.loads(answer)["id"]] = body


def test_sigkill_during_uploads_loses_no_acknowledged_document(live_server, live_db, environ):
    data_dir = Path(environ["PROTO_DATA_DIR"])
    server = live_server()
    token = make_users(live_db, ["ann"])["ann"]
    browser = Browser(server.url)
    assert browser.login("ann", PASSWORD).status == 303
    cookie = {"Cookie": f"session_id={browser.session_cookie()}"}
    acknowledged: dict[str, bytes] = {}
    for _ in range(KILLS):
        stop = threading.Event()
        threads = [threading.Thread(target=keep_uploading, args=(server.url, token, n, acknowledged, stop))
                   for n in range(UPLOADERS)]
        for thread in threads:
            thread.start()
        time.sleep(random.uniform(0.3, 1.5))
        server.stop(signal.SIGKILL)
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
        # Spool files of the cut uploads, made old enough that a restart may remove them.
        old = time.time() - 2 * 3600
        for spool in files_under(data_dir / "documents" / "tmp"):
            os.utime(spool, (old, old))
        server = live_server()
        assert files_under(data_dir / "documents" / "tmp") == []
    assert acknowledged, "no upload finished before the kills"
    rows = {row[0]: row for row in assert_store_consistent(live_db, data_dir, unreferenced_ok=True)}
    for document_id, body in acknowledged.items():
        assert document_id in rows
        answer = Browser(server.url).get(f"/api/documents/{document_id}", headers={"Authorization": f"Bearer {token}"})
        assert answer.status == 200 and answer.body == body
    # The session made before the first kill still logs its browser in.
    assert Browser(server.url).get("/api/whoami", headers=cookie).json()["username"] == "ann"


class CuttableProxy:
    """A TCP forwarder on 127.0.0.1 to the shared PostgreSQL that a test can cut and restore."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = 0
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None
        self.restore()

    def restore(self) -> None:
        """Listen (again, on the same port) and forward every connection."""
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        """Stop listening and reset every forwarded connection: the database is unreachable."""
        with self._lock:
            try:
                # close() alone leaves a socket blocked in accept() listening on Linux.
                self._listener.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self._listener.close()
            for sock in self._sockets:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()
            self._sockets.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self._lock:
                self._sockets += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        for sock in (source, sink):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def wait_for(condition, timeout: float = 20, what: str = "the condition") -> None:
    """Poll condition until it holds; fail after timeout seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


@pytest.mark.skipif(not POSTGRES_URL, reason="needs PROTO_TEST_DATABASE_URL (PostgreSQL)")
# Only the PostgreSQL half of the database parametrization: the cut is a TCP connection.
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_postgresql_unreachable_is_503_everywhere_and_service_resumes_by_itself(live_server, live_db, environ,
                                                                                  database_url):
    proxy = CuttableProxy(("127.0.0.1", 5432))
    try:
        host_port = database_url.split("@")[-1].split("/")[0] if "@" in database_url else \
            database_url.split("//", 1)[1].split("/")[0]
        through_proxy = database_url.replace(host_port, f"127.0.0.1:{proxy.port}", 1)
        server = live_server(env={"PROTO_DATABASE_URL": through_proxy})
        token = make_users(live_db, ["ann"])["ann"]
        browser = Browser(server.url)
        assert browser.login("ann", PASSWORD).status == 303
        api = {"Authorization": f"Bearer {token}"}
        assert browser.get("/status").status == 200
        proxy.cut()
        wait_for(lambda: browser.get("/status").status == 503, what="/status to say 503")
        status = browser.get("/status")
        assert status.json()["database"] == "unavailable"
        page = browser.get("/documents/")
        assert page.status == 503 and page.headers["Content-Type"].startswith("text/html")
        # The test config shows tracebacks (as development does); production shows the message only.
        assert "The database is unavailable" in page.text
        problem = Browser(server.url).get("/api/documents", headers=api)
        assert problem.status == 503 and problem.headers["Content-Type"] == "application/problem+json"
        assert problem.json()["status"] == 503
        refused = Browser(server.url).post("/api/documents", b"<doc/>", headers={**api, "Content-Type": XML_TYPE})
        assert refused.status == 503
        proxy.restore()
        wait_for(lambda: browser.get("/status").status == 200, what="/status to recover")
        assert browser.get("/documents/").status == 200
        assert Browser(server.url).post("/api/documents", b"<doc/>",
                                        headers={**api, "Content-Type": XML_TYPE}).status == 201
        assert server.process.poll() is None
        assert len(stored_rows(live_db)) == 1
    finally:
        proxy.cut()


@pytest.fixture
def small_disk(tmp_path: Path):
    """Mount a 1 MiB tmpfs for the data folder (root only); unmount it after the test."""
    mount = shutil.which("mount")
    if os.geteuid() != 0 or mount is None:
        pytest.skip("mounting a tmpfs needs root")
    folder = tmp_path / "small"
    folder.mkdir()
    if subprocess.run([mount, "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(folder)]).returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    yield folder
    subprocess.run(["umount", "-l", str(folder)], check=False)


def test_a_full_disk_answers_507_and_keeps_nothing_then_a_read_only_one_503(live_server, live_db, environ,
                                                                           small_disk):
    # The database stays on the big disk: only the documents' folder is full.
    server = live_server(env={"PROTO_DATA_DIR": str(small_disk)})
    token = make_users(live_db, ["ann"])["ann"]
    api = {"Authorization": f"Bearer {token}", "Content-Type": XML_TYPE}
    big = make_document("ann", 1, size=2 * 1024 * 1024)
    answer = Browser(server.url).post("/api/documents", big, headers=api)
    assert answer.status == 507, answer.text
    assert answer.headers["Content-Type"] == "application/problem+json"
    assert "No space left on device" in answer.json()["detail"]
    assert stored_rows(live_db) == []
    assert files_under(small_disk / "documents") == []
    # Small documents still fit.
    assert Browser(server.url).post("/api/documents", b"<doc/>", headers=api).status == 201
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    try:
        refused = Browser(server.url).post("/api/documents", b"<doc>2</doc>", headers=api)
        assert refused.status == 503, refused.text
        assert "Read-only file system" in refused.json()["detail"]
        assert len(stored_rows(live_db)) == 1
    finally:
        subprocess.run(["mount", "-o", "remount,rw", str(small_disk)], check=True)
    assert Browser(server.url).post("/api/documents", b"<doc>3</doc>", headers=api).status == 201
    assert server.process.poll() is None
