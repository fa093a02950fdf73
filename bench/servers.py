"""Start and stop the servers under test, each a child process on a free port of 127.0.0.1."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
READY = re.compile(r"^(?:ready|Proto) (https?://[^/\s]+)", re.MULTILINE)


def free_port() -> int:
    """Return a port that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """A server process whose output goes to a log file; ready once it prints its URL."""

    def __init__(self, name: str, command: list[str], log_dir: Path, env: dict[str, str] | None = None,
                 ready: re.Pattern = READY, url: str | None = None) -> None:
        self.name = name
        self.log_path = log_dir / f"{name}.log"
        self._log = open(self.log_path, "w")
        self.started = time.monotonic()
        self.process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **(env or {})},
                                        stdout=self._log, stderr=subprocess.STDOUT, text=True)
        self.url = url or self._wait(ready)

    def _wait(self, ready: re.Pattern, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            match = ready.search(self.log_path.read_text())
            if match:
                return match.group(1).rstrip("/")
            if self.process.poll() is not None:
                break
            time.sleep(0.02)
        self.stop()
        raise RuntimeError(f"{self.name} did not start:\n{self.log_path.read_text()}")

    def rss_kib(self) -> int:
        """Return the resident memory of the process, in KiB."""
        return _status_field(self.process.pid, "VmRSS")

    def stop(self) -> None:
        """Stop the process (SIGTERM, then SIGKILL after 10 s)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


def _status_field(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def proto(log_dir: Path, data_dir: Path, database_url: str | None = None, *, name: str = "proto") -> Server:
    """Start Proto with the benchmark config on the built-in server."""
    env = {"PROTO_DATA_DIR": str(data_dir)}
    if database_url:
        env["PROTO_DATABASE_URL"] = database_url
    return Server(name, [sys.executable, "run.py", "--config", "bench/bench.conf", "--port", "0"], log_dir, env)


def hello_cherrypy(log_dir: Path) -> Server:
    """Start the bare CherryPy hello app."""
    return Server("cherrypy-hello", [sys.executable, "-m", "bench.apps.hello_cherrypy", "0"], log_dir)


def hello_cheroot(log_dir: Path) -> Server:
    """Start the raw cheroot WSGI hello app."""
    return Server("cheroot-hello", [sys.executable, "-m", "bench.apps.hello_cheroot", "0"], log_dir)
