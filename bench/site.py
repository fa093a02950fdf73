"""A Proto site ready to measure: an account, a session cookie, an API token, seeded documents."""

from __future__ import annotations

import dataclasses
import http.client
import re
import sys
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import sqlalchemy

from bench import servers
from bench.documents import api_token, seed_documents
from proto.accounts import create_account
from proto.app import make_app
from proto.settings import load_settings
from proto.startup import prepare

BENCH_CONFIG = servers.ROOT / "bench" / "bench.conf"
USERNAME, PASSWORD = "bench", "benchmark password"
SMALL_DOCUMENT = (b'<?xml version="1.0"?><document xmlns="urn:proto:document:1"><title>Quarterly report</title>'
                  b"<body><section><heading>Summary</heading><para>All is well.</para></section></body></document>")


@dataclasses.dataclass
class Site:
    """Where the site's data lives and how to act as its user."""

    data_dir: Path
    database_url: str
    token: str


def postgres_schema_url(base_url: str) -> str:
    """Create a fresh schema in PostgreSQL and return a URL whose search_path is that schema."""
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    engine = sqlalchemy.create_engine(base_url)
    with engine.begin() as connection:
        connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
    engine.dispose()
    separator = "&" if "?" in base_url else "?"
    return f"{base_url}{separator}options={urllib.parse.quote(f'-csearch_path={schema}')}"


def prepare_site(data_dir: Path, database_url: str | None, documents: int) -> Site:
    """Create the schema, the account and ``documents`` documents owned by it."""
    env = {"PROTO_DATA_DIR": str(data_dir)}
    if database_url:
        env["PROTO_DATABASE_URL"] = database_url
    settings = load_settings(BENCH_CONFIG, env)
    app = make_app(settings)
    prepare(app)
    create_account(app.services.db, USERNAME, PASSWORD)
    app.services.db.dispose()
    site = Site(data_dir, settings.database_url, api_token(settings.database_url, USERNAME))
    if documents:
        server = servers.proto(data_dir.parent, data_dir, site.database_url, name=f"seed-{data_dir.name}")
        try:
            first = upload(server.url, site.token, SMALL_DOCUMENT)
        finally:
            server.stop()
        seed_documents(site.database_url, USERNAME, documents, first)
    return site


def upload(base_url: str, token: str, body: bytes | Path) -> str:
    """POST a document to /api/documents (streamed from a file when given a path); return its id."""
    host, port = urllib.parse.urlsplit(base_url).netloc.split(":")
    size = body.stat().st_size if isinstance(body, Path) else len(body)
    connection = http.client.HTTPConnection(host, int(port), timeout=600)
    connection.putrequest("POST", "/api/documents?name=bench.xml")
    for name, value in (("Authorization", f"Bearer {token}"), ("Content-Length", str(size)),
                        ("Content-Type", "application/vnd.proto.document+xml")):
        connection.putheader(name, value)
    connection.endheaders()
    if isinstance(body, Path):
        with open(body, "rb") as file:
            while chunk := file.read(256 * 1024):
                connection.send(chunk)
    else:
        connection.send(body)
    answer = connection.getresponse()
    payload = answer.read()
    connection.close()
    if answer.status != 201:
        raise RuntimeError(f"upload answered {answer.status}: {payload[:300]!r}")
    return re.search(rb'"id":"([0-9a-f]+)"', payload).group(1).decode()


def login_form(login_page: bytes) -> bytes:
    """Return the benchmark user's login form, filled in with the page's CSRF token."""
    token = re.search(rb'name="csrf_token" value="([^"]+)"', login_page).group(1).decode()
    return urllib.parse.urlencode({"username": USERNAME, "password": PASSWORD, "csrf_token": token}).encode()


def session_cookie(base_url: str) -> str:
    """Log in through the form and return the ``Cookie`` header value of the session."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
    page = opener.open(base_url + "/account/login", timeout=30).read()
    opener.open(base_url + "/account/login", login_form(page), timeout=30)
    jar = next(h.cookiejar for h in opener.handlers if isinstance(h, urllib.request.HTTPCookieProcessor))
    return "session_id=" + next(cookie.value for cookie in jar if cookie.name == "session_id")


def gunicorn(log_dir: Path, site: Site, workers: int = 2) -> servers.Server:
    """Start Proto under gunicorn with ``workers`` worker processes."""
    port = servers.free_port()
    url = f"http://127.0.0.1:{port}"
    server = servers.Server(
        "gunicorn", [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{port}",
                     "--no-control-socket", "proto.wsgi:application"], log_dir,
        {"PROTO_CONFIG": str(BENCH_CONFIG), "PROTO_DATA_DIR": str(site.data_dir),
         "PROTO_DATABASE_URL": site.database_url}, url=url)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/status", timeout=5):
                return server
        except OSError:
            time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"gunicorn did not start:\n{server.log_path.read_text()}")
