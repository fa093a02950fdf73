"""Every URL of the site map, every declared method, every kind of caller: no one gets more than its level allows.

The routes come from ``GET /sitemap`` at test time, so a URL added tomorrow is
swept with no change here.
"""

from __future__ import annotations

from collections import Counter

import pytest
from webtest import TestApp

from proto import accounts
from proto.settings import PROJECT_ROOT
from tests.conftest import csrf_from, login

XML_TYPE = "application/vnd.proto.document+xml"
CALLERS = ("anonymous", "user", "owner", "admin")
# What each caller may reach: the access levels their answers must not be refused for.
ALLOWED = {"anonymous": {"public"}, "user": {"public", "user"}, "owner": {"public", "user"},
           "admin": {"public", "user", "admin"}}


class Caller:
    """One kind of caller: a browser with its session (and an API token for /api/), or nobody."""

    def __init__(self, app, kind: str, username: str | None, token: str | None) -> None:
        self.app, self.kind, self.username, self.token = app, kind, username, token
        self.browser = TestApp(app)

    def ensure_logged_in(self) -> None:
        """Log in again if an earlier request (a logout, say) ended the session."""
        if self.username and self.browser.get("/api/whoami", expect_errors=True).status_int != 200:
            self.browser.reset()
            assert login(self.browser, self.username).status_int == 303

    def csrf_token(self) -> str:
        """Return this session's form token, from a page that has a form."""
        page = self.browser.get("/account/" if self.username else "/account/login")
        return csrf_from(page)

    def call(self, method: str, path: str):
        """Send one request the way this caller would: a form with its token, or an XML body to the API."""
        headers, body = {}, None
        api = path == "/api" or path.startswith("/api/")
        if api and self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if method in ("POST", "PUT", "PATCH"):
            if api:
                headers["Content-Type"] = XML_TYPE
                body = b"<doc>sweep</doc>"
            else:
                headers["Content-Type"] = "application/x-www-form-urlencoded"
                body = f"csrf_token={self.csrf_token()}".encode()
        return self.browser._gen_request(method, path, params=body or b"", headers=headers, expect_errors=True) \
            if body is not None else self.browser.request(path, method=method, headers=headers, expect_errors=True)


def concrete(path: str, document_id: str, username: str) -> str:
    """Fill a site-map pattern with real values: someone's document id, a real user name, a real static file."""
    static = sorted(p for p in (PROJECT_ROOT / "static").rglob("*") if p.is_file())[0]
    return (path.replace("<id>", document_id).replace("<name>", username)
            .replace("/static/...", "/static/" + static.relative_to(PROJECT_ROOT / "static").as_posix()))


def check(route: dict, method: str, caller: Caller, path: str, answer) -> str | None:
    """Return what is wrong with an answer for this caller on this route, or None."""
    status, access = answer.status_int, route["access"]
    where = f"{caller.kind} {method} {path} ({access}) -> {status}"
    if status >= 500:
        return f"{where}: a server error"
    api = path.startswith("/api/")
    if access == "setup-token":
        # Accounts exist: the one-time link is spent for everybody.
        return f"{where}: the setup page answers after setup" if 200 <= status < 300 else None
    if access not in ALLOWED[caller.kind]:
        if 200 <= status < 300:
            return f"{where}: allowed beyond its level"
        if caller.kind == "anonymous":
            if api and status != 401:
                return f"{where}: an anonymous API call must be 401"
            if not api and (status != 303 or "/account/login?next=" not in answer.headers.get("Location", "")):
                return f"{where}: an anonymous browser must be sent to log in"
        elif status != 403:
            return f"{where}: a logged-in caller below the level must get 403"
        return None
    if "<id>" in route["path"]:
        # The document is the owner's: everyone else but an admin must find nothing there.
        if caller.kind == "user" and status != 404:
            return f"{where}: someone else's document must be 404"
        if caller.kind in ("owner", "admin") and status in (401, 403, 404):
            return f"{where}: refused to its owner or an admin"
    elif access != "public" and status in (401, 403):
        return f"{where}: refused within its level"
    return None


@pytest.fixture
def callers(app, make_account) -> dict[str, Caller]:
    """Return the four callers, each logged in (but anonymous) in its own browser."""
    made = {"anonymous": Caller(app, "anonymous", None, None)}
    for kind, name in (("user", "alice"), ("owner", "bob"), ("admin", "root")):
        account = make_account(name, admin=kind == "admin")
        made[kind] = Caller(app, kind, name, accounts.create_token(app.services.db, account, "sweep"))
        made[kind].ensure_logged_in()
    return made


def bobs_document(callers: dict[str, Caller]) -> str:
    """Return the id of one of bob's documents, uploading one if the sweep deleted it."""
    owner = callers["owner"]
    headers = {"Authorization": f"Bearer {owner.token}"}
    listed = owner.browser.get("/api/documents", headers=headers).json["documents"]
    if listed:
        return listed[0]["id"]
    return owner.browser.post("/api/documents", b"<doc>bob's</doc>",
                              headers={**headers, "Content-Type": XML_TYPE}).json["id"]


def test_every_url_answers_each_caller_within_its_declared_access_level(app, callers):
    routes = callers["anonymous"].browser.get("/sitemap", headers={"Accept": "application/json"}).json["routes"]
    problems, swept = [], Counter()
    for kind in CALLERS:
        caller = callers[kind]
        for route in routes:
            for method in route["methods"]:
                caller.ensure_logged_in()
                path = concrete(route["path"], bobs_document(callers), "bob")
                problem = check(route, method, caller, path, caller.call(method, path))
                if problem:
                    problems.append(problem)
                swept[route["access"]] += 1
    assert problems == []
    # Every level was exercised, and every declared method of every route by every caller.
    assert {"public", "user", "admin", "setup-token"} <= set(swept)
    assert sum(swept.values()) == len(CALLERS) * sum(len(route["methods"]) for route in routes)
    assert any("<id>" in route["path"] for route in routes) and any("<name>" in route["path"] for route in routes)
