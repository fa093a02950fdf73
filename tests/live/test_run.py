"""run.py as a person runs it: it prints its URL, serves, stops cleanly, refuses bad settings in one line."""

import json
import signal
import subprocess
import sys
import urllib.request

from proto.settings import PROJECT_ROOT


def get(url):
    with urllib.request.urlopen(url, timeout=10) as answer:
        return answer.status, dict(answer.headers), answer.read()


def test_run_py_serves_status_and_stops_on_sigterm(live_server):
    server = live_server()
    assert server.url.startswith("http://127.0.0.1:")
    status, headers, body = get(server.url + "/status")
    assert status == 200
    assert json.loads(body) == {"status": "ok", "database": "ok", "version": "0.1.0"}
    assert headers["X-Content-Type-Options"] == "nosniff"
    status, _, body = get(server.url + "/")
    assert b"Proto, the XML document exchange" in body
    assert server.stop(signal.SIGTERM) == 0


def test_run_py_stops_on_ctrl_c(live_server):
    server = live_server()
    assert server.stop(signal.SIGINT) == 0


def run_py(*args, env=None):
    import os
    return subprocess.run([sys.executable, "run.py", *args], cwd=PROJECT_ROOT, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=60)


def test_a_bogus_setting_stops_the_start_with_one_line(tmp_path):
    config = tmp_path / "bogus.conf"
    config.write_text("[proto]\nbogus_key = 1\n")
    result = run_py("--config", str(config), "--port", "0", env={"PROTO_DATA_DIR": str(tmp_path)})
    assert result.returncode == 2
    assert result.stderr.startswith(f"proto: {config}: [proto] bogus_key: unknown setting")
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr + result.stdout


def test_an_unreachable_database_stops_the_start_with_one_line(tmp_path):
    result = run_py("--config", str(PROJECT_ROOT / "conf" / "test.conf"), "--port", "0",
                    env={"PROTO_DATA_DIR": str(tmp_path), "PROTO_DATABASE_URL": "postgresql+psycopg://127.0.0.1:1/x"})
    assert result.returncode == 2
    assert result.stderr.startswith("proto: cannot reach the database postgresql+psycopg://127.0.0.1:1/x")
    assert result.stderr.count("\n") == 1


def test_production_refuses_an_outdated_schema(tmp_path):
    config = tmp_path / "prod.conf"
    config.write_text('[global]\nenvironment = "production"\nlog.screen = False\n[proto]\nmigrate_on_start = False\n')
    result = run_py("--config", str(config), "--port", "0", env={"PROTO_DATA_DIR": str(tmp_path)})
    assert result.returncode == 2
    assert "the database is empty, this code needs" in result.stderr
    assert "run `python -m proto init-db`" in result.stderr
