"""Fixtures for host tests: a prepared Proto site (config, data, account) and server processes on free ports."""

from __future__ import annotations

import dataclasses
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from proto.settings import PROJECT_ROOT
from tests.conftest import PASSWORD, require_program
from tests.hosts.scenario import Site

MAX_BYTES = 1024 * 1024  # small, so the 413 step sends little over a megabyte


def free_port() -> int:
    """Return a TCP port of 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def write_config(folder: Path, **extra: str) -> Path:
    """Write a production-like config with a 1 MiB document limit; return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = ["[global]", 'environment = "production"', "log.screen = False",
             f'log.error_file = "{folder / "error.log"}"', "",
             "[proto]", "migrate_on_start = True", f"document_max_bytes = {MAX_BYTES}",
             'trusted_proxies = ["127.0.0.1"]']
    lines += [f"{key} = {value}" for key, value in extra.items()]
    path = folder / "proto.conf"
    path.write_text("\n".join(lines) + "\n")
    return path


def proto_command(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    """Run ``python -m proto ...`` on the site's database; return its output, fail the test on error."""
    result = subprocess.run([sys.executable, "-m", "proto", *args], cwd=PROJECT_ROOT, input=stdin,
                            env={**os.environ, **env}, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


@dataclasses.dataclass
class ProtoSite:
    """A config file, a data directory and a database, with the PROTO_* variables that name them."""

    env: dict[str, str]
    folder: Path

    def with_account(self, username: str = "alice", *, admin: bool = True) -> Site:
        """Create the schema and an account with the command line, as an operator would."""
        proto_command(self.env, "init-db")
        flags = ["--admin"] if admin else []
        proto_command(self.env, "create-user", username, *flags, "--password-stdin", stdin=PASSWORD + "\n")
        return Site(username, PASSWORD, MAX_BYTES)


@pytest.fixture
def proto_site(environ: dict[str, str], tmp_path: Path) -> ProtoSite:
    """Return a site on this test's database, its config limiting documents to 1 MiB."""
    config = write_config(tmp_path / "site")
    return ProtoSite({**environ, "PROTO_CONFIG": str(config)}, tmp_path / "site")


class HostProcess:
    """A server started by a test in its own process group, its output in a log file."""

    def __init__(self, argv: Sequence[str], *, env: dict[str, str], log_path: Path, cwd: Path = PROJECT_ROOT) -> None:
        self.argv, self.log_path = list(argv), log_path
        self._log = open(log_path, "w")
        # A group of its own: the test stops the host and every worker it forked, and nothing else.
        self.process = subprocess.Popen(self.argv, cwd=cwd, env={**os.environ, **env}, stdin=subprocess.DEVNULL,
                                        stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)

    @property
    def output(self) -> str:
        """Return what the server printed so far."""
        return self.log_path.read_text(errors="replace")

    def wait_until_serving(self, url: str, timeout: float = 60) -> None:
        """Poll ``url`` until it answers 200; fail with the server's output if it dies or never does."""
        deadline = time.monotonic() + timeout
        last = ""
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"{self.argv[0]} exited with {self.process.returncode}:\n{self.output}")
            try:
                with urllib.request.urlopen(url, timeout=5) as answer:
                    if answer.status == 200:
                        return
            except urllib.error.HTTPError as error:
                last = f"HTTP {error.code}"
            except OSError as error:
                last = repr(error)
            time.sleep(0.1)
        raise AssertionError(f"{url} never answered 200 ({last}):\n{self.output}")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 20) -> int | None:
        """Stop the server with ``sig`` (SIGKILL for its whole group if it lingers); return its exit status."""
        try:
            if self.process.poll() is None:
                self.process.send_signal(sig)
            try:
                return self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                return None
        finally:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            if self.process.poll() is None:
                self.process.wait(timeout=10)
            self._log.close()


@pytest.fixture
def start_host(tmp_path: Path) -> Iterator:
    """Return ``start(argv, env=..., name=...)`` for server processes; every one is stopped after the test."""
    started: list[tuple[HostProcess, int]] = []

    def start(argv: Sequence[str], *, env: dict[str, str], name: str, cwd: Path = PROJECT_ROOT,
              stop_signal: int = signal.SIGTERM) -> HostProcess:
        host = HostProcess(argv, env=env, log_path=tmp_path / f"{name}.log", cwd=cwd)
        started.append((host, stop_signal))
        return host

    yield start
    for host, stop_signal in reversed(started):
        host.stop(stop_signal)


@pytest.fixture
def world_dir() -> Iterator[Path]:
    """Return a fresh folder under /tmp that other users (nginx's and Apache's workers) can reach."""
    folder = Path(tempfile.mkdtemp(prefix="proto-host-", dir="/tmp"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


NGINX_PROXY_CONF = PROJECT_ROOT / "conf" / "nginx-proxy.conf"


def nginx_proxy_config(port: int, backends: Sequence[str]) -> str:
    """Return conf/nginx-proxy.conf with its three documented edits made: listen, upstream servers, static alias."""
    text = NGINX_PROXY_CONF.read_text()
    edits = {
        "        server 127.0.0.1:8081;\n        server 127.0.0.1:8082;\n":
            "".join(f"        server {backend};\n" for backend in backends),
        "listen 127.0.0.1:8080;": f"listen 127.0.0.1:{port};",
        "alias /srv/proto/static/;": f"alias {PROJECT_ROOT}/static/;",
    }
    for old, new in edits.items():
        assert text.count(old) == 1, f"conf/nginx-proxy.conf no longer has {old!r}"
        text = text.replace(old, new)
    return text


@pytest.fixture
def start_nginx(start_host, world_dir: Path):
    """Return ``start(config_text, port)``: nginx on that config under a prefix of its own, stopped after the test."""

    def start(config: str, port: int) -> HostProcess:
        nginx = require_program("nginx")
        prefix = world_dir / "nginx"
        for folder in ("logs", "temp"):  # as conf/nginx-proxy.conf's header says
            (prefix / folder).mkdir(parents=True)
        (prefix / "nginx.conf").write_text(config)
        host = start_host([nginx, "-p", str(prefix), "-c", str(prefix / "nginx.conf"),
                           "-g", f"daemon off; pid {prefix / 'nginx.pid'};"],
                          env={}, name="nginx", stop_signal=signal.SIGQUIT)
        wait_for_port(host, port)
        return host

    return start


def wait_for_port(host: HostProcess, port: int, timeout: float = 30) -> None:
    """Wait until something listens on ``port`` of 127.0.0.1, failing if ``host`` dies first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if host.process.poll() is not None:
            raise AssertionError(f"{host.argv[0]} exited with {host.process.returncode}:\n{host.output}")
        with socket.socket() as probe:
            probe.settimeout(1)
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise AssertionError(f"nothing listens on port {port}:\n{host.output}")
