"""run.py --fastcgi ADDRESS and --scgi ADDRESS (flup) behind nginx's fastcgi_pass and scgi_pass."""

from __future__ import annotations

import sys
import time

import pytest

from proto.settings import PROJECT_ROOT
from run import socket_address
from tests.hosts.conftest import free_port
from tests.hosts.scenario import exercise

NGINX_GATEWAY = """
events {{ worker_connections 64; }}
error_log logs/error.log warn;
http {{
    access_log logs/access.log;
    client_body_temp_path temp/client_body; proxy_temp_path temp/proxy; fastcgi_temp_path temp/fastcgi;
    uwsgi_temp_path temp/uwsgi; scgi_temp_path temp/scgi;
    client_max_body_size 64m;
    server {{
        listen 127.0.0.1:{port};
        location / {{
            {kind}_param REQUEST_METHOD $request_method;
            {kind}_param REQUEST_URI $request_uri;
            {kind}_param QUERY_STRING $query_string;
            {kind}_param CONTENT_TYPE $content_type;
{content_length}            {kind}_param SCRIPT_NAME "";
            {kind}_param PATH_INFO $uri;
            {kind}_param SERVER_NAME $server_name;
            {kind}_param SERVER_PORT $server_port;
            {kind}_param SERVER_PROTOCOL $server_protocol;
            {kind}_param REMOTE_ADDR $remote_addr;
            {kind}_param REMOTE_PORT $remote_port;
            {kind}_pass 127.0.0.1:{backend};
        }}
    }}
}}
"""


@pytest.mark.parametrize("kind", ["fastcgi", "scgi"])
def test_run_py_serves_the_scenario_over_a_gateway_protocol(kind, proto_site, start_host, start_nginx):
    site = proto_site.with_account()
    backend = free_port()
    proto = start_host([sys.executable, str(PROJECT_ROOT / "run.py"), f"--{kind}", f"127.0.0.1:{backend}"],
                       env=proto_site.env, name=kind)
    deadline = time.monotonic() + 30
    while f"Proto {'FastCGI' if kind == 'fastcgi' else 'SCGI'} 127.0.0.1:{backend}" not in proto.output:
        assert proto.process.poll() is None and time.monotonic() < deadline, proto.output
        time.sleep(0.05)
    port = free_port()
    # nginx's SCGI module sends CONTENT_LENGTH itself, first, as SCGI requires; a second, empty one breaks flup.
    content_length = "            fastcgi_param CONTENT_LENGTH $content_length;\n" if kind == "fastcgi" else ""
    start_nginx(NGINX_GATEWAY.format(kind=kind, port=port, backend=backend, content_length=content_length), port)
    exercise(f"http://127.0.0.1:{port}", site)
    assert proto.stop() == 0  # flup's SIGTERM handler, then the engine's clean exit


def test_fastcgi_without_address_refuses_a_stdin_that_is_no_socket(proto_site, start_host):
    proto = start_host([sys.executable, str(PROJECT_ROOT / "run.py"), "--fastcgi"], env=proto_site.env,
                       name="fastcgi-stdin")
    assert proto.process.wait(timeout=60) == 2
    assert "proto: --fastcgi without ADDRESS serves on a socket passed as stdin" in proto.output
    assert "Traceback" not in proto.output


@pytest.mark.parametrize("text, address", [
    ("127.0.0.1:9000", ("127.0.0.1", 9000)),
    ("[::1]:9000", ("::1", 9000)),
    (":9000", ("127.0.0.1", 9000)),
    ("/run/proto/fcgi.sock", "/run/proto/fcgi.sock"),
    ("proto.sock", "proto.sock"),
])
def test_gateway_addresses_are_host_port_or_a_socket_path(text, address):
    assert socket_address(text) == address
