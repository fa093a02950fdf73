"""Proto under gunicorn, two workers, configured by conf/gunicorn.conf.py, at the root and under /proto."""

from __future__ import annotations

import re
import sys

from proto.settings import PROJECT_ROOT
from tests.conftest import PASSWORD, require_program
from tests.hosts.conftest import MAX_BYTES, free_port
from tests.hosts.scenario import Site, exercise

GUNICORN_CONF = PROJECT_ROOT / "conf" / "gunicorn.conf.py"


def gunicorn_argv(port: int) -> list[str]:
    """Return the command that serves Proto with the example config on ``port``."""
    require_program("gunicorn")
    return [sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONF), "--bind", f"127.0.0.1:{port}"]


def test_gunicorn_two_workers_serve_the_scenario(proto_site, start_host):
    site = proto_site.with_account()
    port = free_port()
    host = start_host(gunicorn_argv(port), env=proto_site.env, name="gunicorn")
    host.wait_until_serving(f"http://127.0.0.1:{port}/status")
    exercise(f"http://127.0.0.1:{port}", site)
    assert len(set(re.findall(r"Booting worker with pid: (\d+)", host.output))) == 2
    assert host.stop() == 0


def test_gunicorn_under_a_prefix_with_the_first_run_link(proto_site, start_host):
    port = free_port()
    host = start_host(gunicorn_argv(port), env={**proto_site.env, "SCRIPT_NAME": "/proto"}, name="gunicorn")
    host.wait_until_serving(f"http://127.0.0.1:{port}/proto/status")
    setup_path = re.search(r"create the first admin at <this site>(\S+)", host.output).group(1)
    site = Site("root", PASSWORD, MAX_BYTES, setup_path=setup_path)
    exercise(f"http://127.0.0.1:{port}/proto", site, prefix="/proto")
    assert PASSWORD not in host.output


def test_a_bad_setting_stops_gunicorn_with_one_line(proto_site, start_host, tmp_path):
    config = tmp_path / "bogus.conf"
    config.write_text("[proto]\nbogus_key = 1\n")
    host = start_host(gunicorn_argv(free_port()), env={**proto_site.env, "PROTO_CONFIG": str(config)},
                      name="gunicorn-bad")
    assert host.process.wait(timeout=60) == 4
    assert f"proto: {config}: [proto] bogus_key: unknown setting" in host.output
    assert "Traceback" not in host.output
