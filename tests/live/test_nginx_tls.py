"""conf/nginx-tls.conf in front of run.py: a real nginx terminates TLS and forwards client certificates."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from proto.settings import PROJECT_ROOT
from tests.conftest import require_program
from tests.live.test_tls import client_context, get, proto

NGINX_CONF = PROJECT_ROOT / "conf" / "nginx-tls.conf"


def free_port() -> int:
    """Return a port that was free a moment ago."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, log: Path, timeout: float = 15) -> None:
    """Wait until something listens on the port, or fail with nginx's error log."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nginx did not start:\n{log.read_text() if log.exists() else ''}")


@pytest.fixture
def nginx(tmp_path: Path):
    """Start the example config on a free port in front of an upstream; stop it with QUIT."""
    program = require_program("nginx")
    started: list[subprocess.Popen] = []

    def start(certs: Path, upstream_port: int) -> str:
        prefix = tmp_path / "nginx"
        for folder in ("logs", "temp"):
            (prefix / folder).mkdir(parents=True, exist_ok=True)
        port = free_port()
        text = (NGINX_CONF.read_text()
                .replace("/etc/proto/certs/", f"{certs}/")
                .replace("server 127.0.0.1:8080;", f"server 127.0.0.1:{upstream_port};")
                .replace("listen 443 ssl;", f"listen 127.0.0.1:{port} ssl;"))
        if os.geteuid() == 0:
            # Workers would run as nobody and could not use the temp folders under a private tmp_path.
            text = "user root;\n" + text
        conf = prefix / "nginx.conf"
        conf.write_text(text)
        with open(prefix / "logs" / "stderr.log", "w") as stderr:
            process = subprocess.Popen([program, "-p", str(prefix), "-c", str(conf),
                                        "-g", f"daemon off; pid {prefix}/nginx.pid;"],
                                       stdout=subprocess.DEVNULL, stderr=stderr)
        started.append(process)
        wait_for_port(port, process, prefix / "logs" / "stderr.log")
        return f"https://127.0.0.1:{port}"

    yield start
    for process in started:
        if process.poll() is None:
            process.send_signal(signal.SIGQUIT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_nginx_terminates_tls_and_forwards_the_client_certificate(live_server, nginx, tmp_path, environ):
    certs = tmp_path / "certs"
    proto("make-certs", str(certs), "--client", "alice", "--client", "bob", env=environ)
    proto("init-db", env=environ)
    proto("create-user", "alice", "--password-stdin", env=environ, stdin="a long password\n")
    proto("bind-cert", "alice", str(certs / "alice.pem"), env=environ)
    config = tmp_path / "proxied.conf"
    config.write_text('[global]\nenvironment = "test_suite"\nlog.screen = False\n'
                      '[proto]\nmigrate_on_start = True\ntemplate_reload = False\ntrusted_proxies = ["127.0.0.1"]\n')
    server = live_server("--config", str(config))
    base = nginx(certs, int(server.url.rsplit(":", 1)[1]))

    status, headers, body = get(base + "/api/whoami", client_context(certs, "alice"))
    assert (status, json.loads(body)) == (200, {"username": "alice", "admin": False, "auth": "certificate"})
    # The scheme came through X-Forwarded-Proto from the trusted proxy.
    assert "Strict-Transport-Security" in headers
    status, _, _ = get(base + "/api/whoami", client_context(certs))
    assert status == 401
    status, _, body = get(base + "/api/whoami", client_context(certs, "bob"))
    assert status == 403 and "not bound" in json.loads(body)["detail"]
    # A client's own certificate headers do not get through nginx.
    spoofed = urllib.request.Request(base + "/api/whoami", headers={
        "X-SSL-Client-Cert": urllib.parse.quote((certs / "alice.pem").read_text(), safe=""),
        "X-SSL-Client-Verify": "SUCCESS"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(spoofed, context=client_context(certs), timeout=15)
    assert refused.value.code == 401
    refused.value.close()
