"""Built-in HTTPS with client certificates: real TLS handshakes against run.py on a free port.

Certificates come from the project's own ``python -m proto make-certs``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import ssl
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from proto.certificates import format_fingerprint, make_client_certificate
from proto.settings import PROJECT_ROOT
from tests.live.browser import Browser

TEST_CONFIG = PROJECT_ROOT / "conf" / "test.conf"


def proto(*args: str, env: dict[str, str], stdin: str | None = None) -> subprocess.CompletedProcess:
    """Run ``python -m proto`` as an operator would."""
    result = subprocess.run([sys.executable, "-m", "proto", "--config", str(TEST_CONFIG), *args], input=stdin,
                            capture_output=True, text=True, env={**os.environ, **env}, cwd=PROJECT_ROOT, timeout=60)
    assert result.returncode == 0, result.stderr
    return result


@pytest.fixture
def certs(tmp_path: Path, environ: dict[str, str]) -> Path:
    """Make a development PKI with clients alice, bob (never bound) and carol."""
    directory = tmp_path / "certs"
    proto("make-certs", str(directory), "--client", "alice", "--client", "bob", "--client", "carol", env=environ)
    return directory


def client_context(certs: Path, name: str | None = None) -> ssl.SSLContext:
    """Return a client TLS context trusting the dev CA, presenting NAME's certificate if given."""
    context = ssl.create_default_context(cafile=str(certs / "ca.pem"))
    if name:
        context.load_cert_chain(str(certs / f"{name}.pem"), str(certs / f"{name}-key.pem"))
    return context


def get(url: str, context: ssl.SSLContext) -> tuple[int, dict, bytes]:
    """GET a URL over TLS; return status, headers and body whatever the status."""
    try:
        with urllib.request.urlopen(url, context=context, timeout=15) as answer:
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def config_with(tmp_path: Path, certs: Path, verify: str) -> str:
    """Write a config like test.conf serving HTTPS with this client verification."""
    path = tmp_path / f"tls-{verify}.conf"
    path.write_text(
        f'[global]\nenvironment = "test_suite"\nlog.screen = False\n'
        f'server.ssl_certificate = "{certs / "server.pem"}"\n'
        f'server.ssl_private_key = "{certs / "server-key.pem"}"\n'
        f'[proto]\nmigrate_on_start = True\ntemplate_reload = False\n'
        f'client_ca = "{certs / "ca.pem"}"\nclient_verify = "{verify}"\n')
    return str(path)


def test_certs_flag_serves_https_with_hsts_and_secure_cookies(live_server, certs):
    server = live_server("--certs", str(certs))
    assert server.url.startswith("https://127.0.0.1:")
    status, headers, _ = get(server.url + "/status", client_context(certs))
    assert status == 200
    assert headers["Strict-Transport-Security"].startswith("max-age=")
    status, headers, _ = get(server.url + "/account/login", client_context(certs))
    assert status == 200
    assert "secure" in headers["Set-Cookie"].lower().split("; ")


def test_a_missing_certificate_file_stops_the_start_with_one_line(tmp_path, environ):
    result = subprocess.run([sys.executable, "run.py", "--config", str(TEST_CONFIG), "--port", "0",
                             "--certs", str(tmp_path / "nowhere")], cwd=PROJECT_ROOT, capture_output=True,
                            text=True, env={**os.environ, **environ}, timeout=60)
    assert result.returncode == 2
    assert result.stderr.startswith("proto: cannot read server certificate ")
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr + result.stdout


def test_a_certificate_from_another_ca_is_refused_in_the_handshake(live_server, certs, tmp_path, environ):
    other = tmp_path / "other"
    proto("make-certs", str(other), "--client", "alice", env=environ)
    server = live_server("--certs", str(certs))
    context = client_context(certs)
    context.load_cert_chain(str(other / "alice.pem"), str(other / "alice-key.pem"))
    with pytest.raises((ssl.SSLError, urllib.error.URLError, ConnectionError)):
        get(server.url + "/status", context)


def test_required_mode_refuses_a_client_without_certificate(live_server, certs, tmp_path):
    server = live_server("--config", config_with(tmp_path, certs, "required"))
    assert server.url.startswith("https://")
    with pytest.raises((ssl.SSLError, urllib.error.URLError, ConnectionError)):
        get(server.url + "/status", client_context(certs))
    status, _, _ = get(server.url + "/status", client_context(certs, "bob"))
    assert status == 200


@pytest.fixture
def bound(certs: Path, environ: dict[str, str]) -> Path:
    """Create accounts alice and carol, and bind each one's certificate to it; bob stays unbound."""
    proto("init-db", env=environ)
    for name in ("alice", "carol"):
        proto("create-user", name, "--password-stdin", env=environ, stdin="a long password\n")
        proto("bind-cert", name, str(certs / f"{name}.pem"), env=environ)
    return certs


def test_certificate_login_over_real_tls(live_server, bound, environ):
    server = live_server("--certs", str(bound))
    status, _, body = get(server.url + "/api/whoami", client_context(bound, "alice"))
    assert (status, json.loads(body)) == (200, {"username": "alice", "admin": False, "auth": "certificate"})
    status, _, body = get(server.url + "/api/whoami", client_context(bound))
    assert status == 401
    status, _, body = get(server.url + "/api/whoami", client_context(bound, "bob"))
    bob = format_fingerprint(load_fingerprint(bound / "bob.pem"))
    assert status == 403 and "not bound" in json.loads(body)["detail"] and bob in json.loads(body)["detail"]
    proto("revoke-cert", load_fingerprint(bound / "carol.pem"), env=environ)
    status, _, body = get(server.url + "/api/whoami", client_context(bound, "carol"))
    assert status == 403 and "revoked" in json.loads(body)["detail"]


def load_fingerprint(path: Path) -> str:
    from proto.certificates import fingerprint, load_certificate
    return fingerprint(load_certificate(path.read_bytes()))


def test_an_expired_certificate_is_refused(live_server, bound, tmp_path):
    past = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=10)
    old = make_client_certificate(bound / "ca.pem", bound / "ca-key.pem", "old", tmp_path / "old",
                                  not_before=past, not_after=past + dt.timedelta(days=1))
    server = live_server("--certs", str(bound))
    context = client_context(bound)
    context.load_cert_chain(str(old.certificate), str(old.private_key))
    try:
        status, _, _ = get(server.url + "/api/whoami", context)
    except (ssl.SSLError, urllib.error.URLError, ConnectionError):
        return  # refused in the handshake: OpenSSL checks the dates
    assert status == 403


def test_a_browser_with_a_bound_certificate_gets_a_session_on_its_first_page(live_server, bound):
    server = live_server("--certs", str(bound))
    browser = Browser(server.url, context=client_context(bound, "alice"))
    page = browser.get("/account/")
    assert page.status == 200 and 'title="How you signed in">certificate</span>' in page.text
    assert browser.session_cookie() is not None
    assert "secure" in page.headers["Set-Cookie"].lower().split("; ")
