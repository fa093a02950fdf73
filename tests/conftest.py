"""Shared fixtures: a fresh database per test, the app, a WebTest client, a live server.

The suite runs on SQLite by default; with PROTO_TEST_DATABASE_URL set to a
PostgreSQL URL, each test gets its own schema in that database instead.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
import sqlalchemy
from webtest import TestApp

from proto.app import make_app
from proto.settings import PROJECT_ROOT, Settings, load_settings
from proto.startup import prepare

TEST_CONFIG = PROJECT_ROOT / "conf" / "test.conf"
POSTGRES_URL = os.environ.get("PROTO_TEST_DATABASE_URL", "")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require_program(name: str) -> str:
    """Return the path of an outside program; skip without it, but fail in CI."""
    path = shutil.which(name)
    if path is None:
        message = f"{name} is not installed"
        if IN_CI:
            pytest.fail(f"{message}, and CI must run every test", pytrace=False)
        pytest.skip(message)
    return path


# Every test that touches the database runs on SQLite, and on PostgreSQL too when one is named.
DATABASES = ["sqlite", "postgresql"] if POSTGRES_URL else ["sqlite"]


@pytest.fixture(params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Return the URL of an empty database that lives as long as the test."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'data' / 'proto.sqlite3'}"
        return
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = sqlalchemy.create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
    separator = "&" if "?" in POSTGRES_URL else "?"
    yield f"{POSTGRES_URL}{separator}options={quote(f'-csearch_path={schema}')}"
    with admin.begin() as connection:
        connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
    admin.dispose()


@pytest.fixture
def environ(tmp_path: Path, database_url: str) -> dict[str, str]:
    """Return the PROTO_* variables that point Proto at this test's data and database."""
    return {"PROTO_DATA_DIR": str(tmp_path / "data"), "PROTO_DATABASE_URL": database_url}


@pytest.fixture
def settings(environ: dict[str, str]) -> Settings:
    """Return the test settings, on this test's data directory and database."""
    return load_settings(TEST_CONFIG, environ)


@pytest.fixture
def app(settings: Settings):
    """Return a fresh application with its schema in place."""
    application = make_app(settings)
    prepare(application)
    yield application
    application.services.db.dispose()


@pytest.fixture
def app_factory():
    """Return a function that makes extra applications, closed after the test."""
    made = []

    def make(settings: Settings, **kwargs):
        application = make_app(settings, **kwargs)
        made.append(application)
        return application

    yield make
    for application in made:
        application.services.db.dispose()


@pytest.fixture
def client(app) -> TestApp:
    """Return a WebTest client that drives the application in-process."""
    return TestApp(app)


class LiveServer:
    """A ``run.py`` process serving on a free port of 127.0.0.1, its output in a log file."""

    URL_LINE = re.compile(r"^Proto (https?://\S+) ", re.MULTILINE)

    def __init__(self, args: list[str], env: dict[str, str], log_path: Path) -> None:
        self.log_path = log_path
        self._log = open(log_path, "w")
        self.process = subprocess.Popen(
            [sys.executable, str(PROJECT_ROOT / "run.py"), *args],
            cwd=PROJECT_ROOT, env={**os.environ, **env}, stdout=self._log, stderr=subprocess.STDOUT, text=True)
        self.url = self._wait_for_url()

    @property
    def output(self) -> str:
        """Return what the server printed so far."""
        return self.log_path.read_text()

    def _wait_for_url(self, timeout: float = 30) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            match = self.URL_LINE.search(self.output)
            if match:
                return match.group(1).rstrip("/")
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        self.stop(signal.SIGKILL)
        raise RuntimeError(f"run.py did not start (exit {self.process.returncode}):\n{self.output}")

    def stop(self, sig: int = signal.SIGTERM) -> int:
        """Stop the server and return its exit status."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            return self.process.wait(timeout=15)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()
            self._log.close()


@pytest.fixture
def live_server(environ: dict[str, str], tmp_path: Path):
    """Start run.py with the test config on a free port; stop it after the test."""
    servers: list[LiveServer] = []

    def start(*args: str, env: dict[str, str] | None = None) -> LiveServer:
        log_path = tmp_path / f"server-{len(servers)}.log"
        server = LiveServer(["--config", str(TEST_CONFIG), "--port", "0", *args], {**environ, **(env or {})},
                            log_path)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


PASSWORD = "correct horse battery"


@pytest.fixture
def make_account(app):
    """Create an account directly in the database: ``make_account("alice", admin=True)``."""
    from proto import accounts

    def make(username: str, password: str = PASSWORD, *, admin: bool = False):
        return accounts.create_account(app.services.db, username, password, is_admin=admin)

    return make


def login(client: TestApp, username: str, password: str = PASSWORD, *, next: str | None = None):
    """Log in through the form, as a browser does; return the answer to the POST."""
    path = "/account/login" + (f"?next={next}" if next else "")
    form = client.get(path).forms[0]
    form["username"] = username
    form["password"] = password
    if next is not None:
        form["next"] = next
    return form.submit(expect_errors=True)


def csrf_from(page) -> str:
    """Return the CSRF token embedded in a page's first form."""
    return page.html.find("input", attrs={"name": "csrf_token"})["value"]


@pytest.fixture
def user_client(client, make_account):
    """Return a client logged in as the ordinary user "alice"."""
    make_account("alice")
    assert login(client, "alice").status_int == 303
    return client


@pytest.fixture
def admin_client(app, make_account):
    """Return a client logged in as the admin "root"."""
    make_account("root", admin=True)
    admin = TestApp(app)
    assert login(admin, "root").status_int == 303
    return admin
