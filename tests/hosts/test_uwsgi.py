"""Proto under uWSGI (conf/uwsgi.ini): its HTTP router, two lazy-app processes, at the root and under /proto."""

from __future__ import annotations

import re

from proto.settings import PROJECT_ROOT
from tests.conftest import require_program
from tests.hosts.conftest import free_port
from tests.hosts.scenario import exercise

UWSGI_INI = PROJECT_ROOT / "conf" / "uwsgi.ini"


def start_uwsgi(start_host, env: dict[str, str], port: int, name: str = "uwsgi"):
    """Start uWSGI with the example config on ``port``."""
    uwsgi = require_program("uwsgi")
    return start_host([uwsgi, "--ini", str(UWSGI_INI)], env={**env, "PROTO_UWSGI_HTTP": f"127.0.0.1:{port}"},
                      name=name)


def test_uwsgi_two_processes_serve_the_scenario(proto_site, start_host):
    site = proto_site.with_account()
    port = free_port()
    host = start_uwsgi(start_host, proto_site.env, port)
    host.wait_until_serving(f"http://127.0.0.1:{port}/status")
    exercise(f"http://127.0.0.1:{port}", site)
    workers = set(re.findall(r"WSGI app 0 \(mountpoint=''\) ready .* pid: (\d+)", host.output))
    assert len(workers) == 2  # lazy-apps: each worker loaded Proto itself
    assert host.stop() == 0
    assert "goodbye to uWSGI" in host.output


def test_uwsgi_mounts_proto_under_a_prefix(proto_site, start_host):
    site = proto_site.with_account()
    port = free_port()
    host = start_uwsgi(start_host, {**proto_site.env, "PROTO_PREFIX": "/proto"}, port)
    host.wait_until_serving(f"http://127.0.0.1:{port}/proto/status")
    exercise(f"http://127.0.0.1:{port}/proto", site, prefix="/proto")


def test_a_bad_setting_stops_uwsgi_with_one_line(proto_site, start_host, tmp_path):
    config = tmp_path / "bogus.conf"
    config.write_text("[proto]\nbogus_key = 1\n")
    host = start_uwsgi(start_host, {**proto_site.env, "PROTO_CONFIG": str(config)}, free_port(), name="uwsgi-bad")
    assert host.process.wait(timeout=60) == 22  # need-app: the master gives up instead of respawning
    assert f"proto: {config}: [proto] bogus_key: unknown setting" in host.output
    assert "Traceback" not in host.output
