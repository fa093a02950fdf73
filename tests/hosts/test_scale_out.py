"""Scale-out: two Proto processes on one PostgreSQL and one data directory, behind nginx.

A session made through any process is valid on every one; a logout through one ends it everywhere.
"""

from __future__ import annotations

import re

import pytest

from tests.conftest import IN_CI, POSTGRES_URL
from tests.hosts.conftest import free_port, nginx_proxy_config
from tests.hosts.scenario import DOCUMENT, DOCUMENT_TYPE, exercise
from tests.live.browser import Browser

# Several machines share PostgreSQL, never an SQLite file: this test runs on PostgreSQL only.
pytestmark = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)


@pytest.fixture
def shared_site(request: pytest.FixtureRequest):
    """Return a Proto site on this test's PostgreSQL schema; skip without PostgreSQL (fail in CI)."""
    if not POSTGRES_URL:
        message = "PROTO_TEST_DATABASE_URL is not set: scale-out needs PostgreSQL"
        if IN_CI:
            pytest.fail(f"{message}, and CI must run every test", pytrace=False)
        pytest.skip(message)
    return request.getfixturevalue("proto_site")


def whoami(base_url: str, cookie: str):
    """Ask one server who the session cookie belongs to, from a browser that has no cookie of its own."""
    return Browser(base_url).get("/api/whoami", headers={"Cookie": f"session_id={cookie}"})


def test_two_processes_on_postgresql_behind_nginx_share_sessions_and_logout(shared_site, live_server, start_nginx):
    site = shared_site.with_account()
    config = shared_site.env["PROTO_CONFIG"]
    one, two = (live_server("--config", config, env=shared_site.env) for _ in range(2))
    port = free_port()
    start_nginx(nginx_proxy_config(port, [one.url.removeprefix("http://"), two.url.removeprefix("http://")]), port)
    front = f"http://127.0.0.1:{port}"
    browser = exercise(front, site)
    cookie = browser.session_cookie()
    for backend in (one, two):
        answer = whoami(backend.url, cookie)
        assert answer.status == 200
        assert answer.json() == {"username": site.username, "admin": True, "auth": "session"}

    # A document uploaded through the first process is listed and downloadable through the second.
    uploaded = Browser(one.url).post("/api/documents", DOCUMENT, headers={
        "Cookie": f"session_id={cookie}", "Content-Type": DOCUMENT_TYPE})
    assert uploaded.status == 201, uploaded.text
    document_id = uploaded.json()["id"]
    on_two = Browser(two.url)
    listed = on_two.get("/api/documents", headers={"Cookie": f"session_id={cookie}"}).json()
    assert document_id in [item["id"] for item in listed["documents"]]
    raw = on_two.get(f"/api/documents/{document_id}", headers={"Cookie": f"session_id={cookie}"})
    assert (raw.status, raw.body) == (200, DOCUMENT)

    # Log out through the second process, directly.
    direct = Browser(two.url)
    page = direct.get("/account/", headers={"Cookie": f"session_id={cookie}"})
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    assert direct.post("/account/logout", {"csrf_token": token},
                       headers={"Cookie": f"session_id={cookie}"}).status == 303
    for base_url in (front, one.url, two.url):
        assert whoami(base_url, cookie).status == 401
    assert browser.get("/api/whoami").status == 401

    # A new login through the first process is valid through nginx and the second.
    again = Browser(one.url)
    assert again.login(site.username, site.password).status == 303
    assert whoami(front, again.session_cookie()).status == 200
    assert whoami(two.url, again.session_cookie()).status == 200
