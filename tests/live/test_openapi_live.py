"""Schemathesis fuzzes the real server against its own /api/openapi.json: no 5xx, every answer as described."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.request import urlopen

import pytest

from tests.live.test_documents_live import make_token

pytestmark = pytest.mark.live

CONFIG = Path(__file__).with_name("schemathesis.toml")
# Bounded so CI stays fast; the fuzzing and stateful phases still send a few hundred requests.
MAX_EXAMPLES = 25


def test_schemathesis_finds_nothing_wrong_with_the_api(live_server, environ, tmp_path):
    server = live_server()
    token = make_token(environ["PROTO_DATABASE_URL"])
    # From a file: loaded from its URL, schemathesis would leave out the operation that serves it.
    described = urlopen(f"{server.url}/api/openapi.json").read()
    (tmp_path / "openapi.json").write_bytes(described)
    operations = sum(len(item) for item in json.loads(described)["paths"].values())
    # The CLI, in its own process: its output stays whole for the report, and no plugin meets pytest's.
    command = [sys.executable, "-m", "schemathesis.cli", "--config-file", str(CONFIG), "--no-color", "run",
               str(tmp_path / "openapi.json"), f"--url={server.url}", f"--max-examples={MAX_EXAMPLES}",
               "--workers=1"]
    done = subprocess.run(command, env={**os.environ, "PROTO_TOKEN": token}, cwd=tmp_path,
                          capture_output=True, text=True, timeout=600)
    # Every check that runs by default, with no operation and no check excluded.
    report = f"{done.stdout}\n{done.stderr}\n--- server ---\n{server.output}"
    assert done.returncode == 0, report
    assert "No issues found" in done.stdout, report
    assert re.search(rf"Selected: {operations}/{operations}\s+Tested: {operations}\b", done.stdout), report
