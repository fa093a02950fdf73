"""Many clients at once through the real server: every upload stored whole, for the right owner, nothing locked."""

from __future__ import annotations

import hashlib
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.conftest import PASSWORD
from tests.live.browser import Browser
from tests.reliability.conftest import assert_store_consistent, connect, make_document, make_users, upload

pytestmark = pytest.mark.live

CLIENTS = 16
PER_CLIENT = 25
OWNERS = ["ann", "ben", "cy", "dot"]


def upload_all(url: str, tokens: dict[str, str], sent: dict[str, tuple[str, str]], failures: list) -> None:
    """Run CLIENTS threads, each uploading PER_CLIENT distinct documents on its own connection."""

    def client(number: int) -> None:
        owner = OWNERS[number % len(OWNERS)]
        connection = connect(url)
        try:
            for index in range(PER_CLIENT):
                body = make_document(owner, number * 1000 + index)
                try:
                    status, answer = upload(connection, tokens[owner], body, f"c{number}-{index}.xml")
                except OSError as error:
                    failures.append((number, index, repr(error)))
                    connection.close()
                    continue
                if status != 201:
                    failures.append((status, answer[:300]))
                    continue
                document = json.loads(answer)
                sent[document["id"]] = (owner, hashlib.sha256(body).hexdigest())
        finally:
            connection.close()

    with ThreadPoolExecutor(CLIENTS) as pool:
        for future in [pool.submit(client, number) for number in range(CLIENTS)]:
            future.result(timeout=300)


def browse_until(url: str, stop: threading.Event, done: list, failures: list) -> None:
    """Log in, list, and download the first listed document, again and again, until stop is set."""
    while not stop.is_set():
        browser = Browser(url)
        try:
            steps = browse_once(browser)
        except OSError as error:
            steps = [repr(error)]
        (done if all(step is True for step in steps) else failures).append(steps)


def browse_once(browser: Browser) -> list:
    """Log in, list, download the newest document and open the documents page; say which steps worked."""
    steps = [browser.login("ann", PASSWORD).status == 303]
    listing = browser.get("/api/documents")
    steps.append(listing.status == 200)
    for document in listing.json()["documents"][:1] if listing.status == 200 else []:
        raw = browser.get(document["raw_url"])
        steps.append(raw.status == 200 and hashlib.sha256(raw.body).hexdigest() == document["sha256"])
    steps.append(browser.get("/documents/").status == 200)
    return steps


def test_400_concurrent_uploads_while_others_log_in_and_read_are_all_stored_whole(
        live_server, live_db, environ, logged_config, tmp_path):
    server = live_server("--config", str(logged_config))
    tokens = make_users(live_db, OWNERS)
    sent: dict[str, tuple[str, str]] = {}
    failures: list = []
    stop, browsed, browse_failures = threading.Event(), [], []
    readers = [threading.Thread(target=browse_until, args=(server.url, stop, browsed, browse_failures))
               for _ in range(4)]
    for reader in readers:
        reader.start()
    try:
        upload_all(server.url, tokens, sent, failures)
    finally:
        stop.set()
        for reader in readers:
            reader.join(timeout=60)
    assert failures == []
    assert len(sent) == CLIENTS * PER_CLIENT
    rows = assert_store_consistent(live_db, Path(environ["PROTO_DATA_DIR"]))
    assert len(rows) == CLIENTS * PER_CLIENT
    assert {row[0]: (row[1], row[2]) for row in rows} == sent
    assert browse_failures == [] and len(browsed) >= 4
    error_log = (tmp_path / "error.log").read_text() if (tmp_path / "error.log").exists() else ""
    for text in (server.output, error_log):
        assert "database is locked" not in text
        assert "Traceback" not in text
