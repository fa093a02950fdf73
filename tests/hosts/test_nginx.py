"""Proto behind nginx as reverse proxy (conf/nginx-proxy.conf): two run.py processes, /static/ served by nginx."""

from __future__ import annotations

from tests.hosts.conftest import free_port, nginx_proxy_config
from tests.hosts.scenario import exercise
from tests.live.browser import Browser


def test_nginx_in_front_of_two_run_py_processes_serves_the_scenario(proto_site, live_server, start_nginx):
    site = proto_site.with_account()
    config = proto_site.env["PROTO_CONFIG"]
    backends = [live_server("--config", config, env=proto_site.env) for _ in range(2)]
    port = free_port()
    start_nginx(nginx_proxy_config(port, [backend.url.removeprefix("http://") for backend in backends]), port)
    browser = exercise(f"http://127.0.0.1:{port}", site)
    # nginx serves static files from disk: none of Proto's headers on them.
    assert "Content-Security-Policy" not in browser.get("/static/css/proto.css").headers
    assert "frame-ancestors 'none'" in browser.get("/status").headers["Content-Security-Policy"]
    for backend in backends:
        assert backend.stop() == 0
