"""Proto as FastCGI spawned by lighttpd (conf/lighttpd.conf): two processes via bin-path, /static/ served by lighttpd."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from proto.settings import PROJECT_ROOT
from tests.conftest import require_program
from tests.hosts.conftest import free_port
from tests.hosts.scenario import exercise
from tests.live.browser import Browser

LIGHTTPD_CONF = PROJECT_ROOT / "conf" / "lighttpd.conf"


def processes_with(marker: str) -> list[int]:
    """Return the pids whose environment carries ``marker`` (the processes this test made)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if f"PROTO_TEST_MARK={marker}".encode() in environ.split(b"\0"):
            found.append(int(entry.name))
    return found


def lighttpd_env(proto_env: dict[str, str], state: Path, port: int) -> dict[str, str]:
    """Return the variables conf/lighttpd.conf reads, plus a marker to find the spawned processes by."""
    state.mkdir(parents=True, exist_ok=True)
    return {**proto_env, "PROTO_ROOT": str(PROJECT_ROOT), "PROTO_PYTHON": sys.executable,
            "PROTO_LIGHTTPD_DIR": str(state), "PROTO_LIGHTTPD_PORT": str(port), "PROTO_TEST_MARK": str(state)}


def test_lighttpd_spawns_two_fastcgi_processes_that_serve_the_scenario(proto_site, start_host, tmp_path):
    lighttpd = require_program("lighttpd")
    site = proto_site.with_account()
    port, state = free_port(), tmp_path / "lighttpd"
    env = lighttpd_env(proto_site.env, state, port)
    host = start_host([lighttpd, "-D", "-f", str(LIGHTTPD_CONF)], env=env, name="lighttpd")
    try:
        host.wait_until_serving(f"http://127.0.0.1:{port}/status")
        exercise(f"http://127.0.0.1:{port}", site)
        static = Browser(f"http://127.0.0.1:{port}").get("/static/css/proto.css")
        assert static.headers["Server"].startswith("lighttpd")  # served from disk, not by Proto
        spawned = [pid for pid in processes_with(str(state)) if pid != host.process.pid]
        assert len(spawned) == 2, (state / "lighttpd-error.log").read_text()
        assert all(b"--fastcgi" in Path(f"/proc/{pid}/cmdline").read_bytes() for pid in spawned)
        # lighttpd 1.4.69 sometimes exits 1 after a clean "server stopped" (nothing logged): what matters
        # is that it stops in time and takes its FastCGI processes with it.
        assert host.stop() is not None
        assert "server stopped" in (state / "lighttpd-error.log").read_text()
        deadline = time.monotonic() + 15
        while processes_with(str(state)) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert processes_with(str(state)) == []  # SIGTERM to lighttpd stops the Proto processes too
    finally:
        for pid in processes_with(str(state)):
            os.kill(pid, 9)
