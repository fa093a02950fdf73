"""What the reliability tests share: accounts and tokens made in a live server's database, a look at the store."""

from __future__ import annotations

import hashlib
import http.client
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from proto import accounts
from proto.settings import PROJECT_ROOT
from proto.storage.database import Database, create_database_engine
from proto.storage.tables import accounts as account_rows, documents
from tests.conftest import PASSWORD
from tests.live.test_documents_live import files_under

XML_TYPE = "application/vnd.proto.document+xml"


def make_document(owner: str, number: int, size: int = 600) -> bytes:
    """Return a distinct well-formed document of about size bytes."""
    filler = b"<p>" + b"x" * max(0, size - 120) + b"</p>"
    return (f'<doc owner="{owner}" n="{number}">'.encode() + filler + f"<end n='{number}'/></doc>".encode())


@pytest.fixture
def live_db(environ: dict[str, str]) -> Iterator[Database]:
    """Return a Database on the live server's database (its own engine, closed after the test)."""
    db = Database(create_database_engine(environ["PROTO_DATABASE_URL"]))
    yield db
    db.dispose()


def make_users(db: Database, names: list[str], *, admin: str | None = None) -> dict[str, str]:
    """Create accounts (the schema must exist: start the server first) and return an API token for each."""
    tokens = {}
    for name in names:
        account = accounts.create_account(db, name, PASSWORD, is_admin=name == admin)
        tokens[name] = accounts.create_token(db, account, "reliability")
    return tokens


def stored_rows(db: Database) -> list[tuple[str, str, str, int]]:
    """Return (id, owner name, sha256, size) of every document row."""
    query = select(documents.c.id, account_rows.c.username, documents.c.sha256, documents.c.size).join(
        account_rows, account_rows.c.id == documents.c.account_id)
    with db.read() as connection:
        return [tuple(row) for row in connection.execute(query).all()]


def object_path(data_dir: Path, sha256: str) -> Path:
    """Return where the store keeps the bytes with this digest."""
    return data_dir / "documents" / "objects" / sha256[:2] / sha256[2:]


def assert_store_consistent(db: Database, data_dir: Path, *, unreferenced_ok: bool = False) -> list[tuple]:
    """Fail unless every row has its whole file and every file is whole; return the rows.

    A file without a row is what a kill between the file's rename and the row's
    commit leaves (harmless: files are named by their bytes); only then pass unreferenced_ok.
    """
    rows = stored_rows(db)
    digests = {row[2] for row in rows}
    for _, _, sha256, size in rows:
        data = object_path(data_dir, sha256).read_bytes()
        assert len(data) == size and hashlib.sha256(data).hexdigest() == sha256
    objects = files_under(data_dir / "documents" / "objects")
    for path in objects:
        assert hashlib.sha256(path.read_bytes()).hexdigest() == path.parent.name + path.name, f"half file {path}"
    if not unreferenced_ok:
        assert {p.parent.name + p.name for p in objects} <= digests, "files without a row"
    return rows


def upload(connection: http.client.HTTPConnection, token: str, body: bytes, name: str) -> tuple[int, bytes]:
    """POST one document on a kept-alive connection; return status and body."""
    connection.request("POST", "/api/documents", body=body, headers={
        "Authorization": f"Bearer {token}", "Content-Type": XML_TYPE, "Slug": name})
    answer = connection.getresponse()
    return answer.status, answer.read()


def connect(url: str, timeout: float = 60) -> http.client.HTTPConnection:
    """Open a connection to a live server's URL."""
    parts = urlsplit(url)
    return http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)


@pytest.fixture
def logged_config(tmp_path: Path) -> Path:
    """Return the test config with an error log file, so the test can read what the server logged."""
    config = tmp_path / "logged.conf"
    config.write_text((PROJECT_ROOT / "conf" / "test.conf").read_text().replace(
        "log.screen = False", f'log.screen = False\nlog.error_file = "{tmp_path / "error.log"}"'))
    return config
