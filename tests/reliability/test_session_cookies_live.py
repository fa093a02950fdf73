"""PRODUCT.md §5 on a real server over HTTPS: the login cookie's attributes, a new id at login, logout ends it."""

from __future__ import annotations

import re

import pytest

from proto import accounts
from tests.conftest import PASSWORD
from tests.live.browser import Browser
from tests.live.test_tls import certs, client_context  # noqa: F401 (certs is a fixture)

pytestmark = pytest.mark.live


def cookie_attributes(set_cookie: str) -> tuple[str, set[str]]:
    """Return a Set-Cookie's value and its attributes, lowercased."""
    first, *rest = [part.strip() for part in set_cookie.split(";")]
    return first.split("=", 1)[1], {part.lower() for part in rest}


def test_the_session_cookie_over_https_is_secure_httponly_lax_renewed_at_login_and_ended_by_logout(
        live_server, app, certs):  # noqa: F811
    accounts.create_account(app.services.db, "alice", PASSWORD)
    server = live_server("--certs", str(certs))
    assert server.url.startswith("https://")
    browser = Browser(server.url, context=client_context(certs))
    browser.get("/account/login")
    before = browser.session_cookie()
    assert before
    answer = browser.login("alice", PASSWORD)
    assert answer.status == 303
    value, attributes = cookie_attributes(answer.headers["Set-Cookie"])
    assert {"secure", "httponly", "samesite=lax", "path=/"} <= attributes
    # A new id at login: whoever knew the anonymous id (session fixation) gets nothing.
    assert value == browser.session_cookie() != before
    stranger = Browser(server.url, context=client_context(certs))
    assert stranger.get("/api/whoami", headers={"Cookie": f"session_id={before}"}).status == 401
    assert browser.get("/api/whoami").json()["username"] == "alice"
    token = re.search(r'name="csrf_token" value="([^"]+)"', browser.get("/account/").text).group(1)
    assert browser.post("/account/logout", {"csrf_token": token}).status == 303
    # Ended on the server: replaying the old cookie is anonymous.
    replay = Browser(server.url, context=client_context(certs))
    assert replay.get("/api/whoami", headers={"Cookie": f"session_id={value}"}).status == 401
