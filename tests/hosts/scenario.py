"""The one scenario every host runs: what a user sees must not depend on the server in front.

    browser = exercise(f"http://127.0.0.1:{port}/proto", site, prefix="/proto")

Each step is a small function that takes a Browser, so a new step (upload,
list, download) is one more function and one more line in ``exercise``.
"""

from __future__ import annotations

import dataclasses
import http.client
import re
import urllib.parse

from tests.live.browser import Answer, Browser

# Proto's own error page (templates/errors/error.mako), never a front server's.
ERROR_PAGE_MARK = '<section class="error-page">'
LINK = re.compile(r'(?:href|src|action)="([^"]*)"')


@dataclasses.dataclass(frozen=True)
class Site:
    """What a scenario needs to know about the Proto it talks to."""

    username: str
    password: str
    max_bytes: int
    # "/setup?token=..." to create the account through the first-run page, None if it exists already.
    setup_path: str | None = None


def exercise(base_url: str, site: Site, *, prefix: str = "") -> Browser:
    """Run every step against the Proto at ``base_url`` (which ends with ``prefix``); return the logged-in browser."""
    assert base_url.endswith(prefix)
    browser = Browser(base_url)
    check_status(browser)
    check_anonymous_redirect(Browser(base_url), prefix)
    if site.setup_path:
        first_admin(browser, site)
    log_in(browser, site, prefix)
    check_whoami(browser, site)
    check_links(browser, prefix)
    check_sitemap(browser, prefix)
    check_static(browser)
    check_not_found(browser, prefix)
    check_size_limit(browser, site)
    document = upload_document(browser, prefix)
    list_and_download(browser, document)
    check_upload_limit(browser, site)
    check_attacks_refused(browser)
    return browser


def check_status(browser: Browser) -> None:
    """The health check answers JSON without a session."""
    answer = browser.get("/status")
    assert answer.status == 200, answer.text
    assert answer.headers["Content-Type"].startswith("application/json")
    assert answer.json()["status"] == "ok"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert "Set-Cookie" not in answer.headers


def check_anonymous_redirect(browser: Browser, prefix: str) -> None:
    """An anonymous browser is sent to the login page under the prefix, with a local ``next``."""
    answer = browser.get("/account/")
    assert answer.status == 303
    location = urllib.parse.urlsplit(answer.headers["Location"])
    assert location.path == f"{prefix}/account/login"
    assert urllib.parse.parse_qs(location.query) == {"next": ["/account/"]}


def first_admin(browser: Browser, site: Site) -> None:
    """Create the first admin through the one-time link the host printed."""
    token = browser.csrf(site.setup_path)
    answer = browser.post("/setup", {"token": site.setup_path.split("token=", 1)[1], "username": site.username,
                                     "password": site.password, "csrf_token": token})
    assert answer.status == 303, answer.text
    assert browser.get(site.setup_path).status == 404
    assert browser.post("/account/logout", {"csrf_token": browser.csrf("/account/")}).status == 303


def log_in(browser: Browser, site: Site, prefix: str) -> None:
    """Log in through the form; the redirect and the session cookie stay under the prefix."""
    answer = browser.login(site.username, site.password)
    assert answer.status == 303, answer.text
    assert urllib.parse.urlsplit(answer.headers["Location"]).path == f"{prefix}/"
    set_cookie = answer.headers["Set-Cookie"]
    assert "HttpOnly" in set_cookie and "SameSite=Lax" in set_cookie
    cookie = next(cookie for cookie in browser.cookies if cookie.name == "session_id")
    assert cookie.path == (prefix or "/")


def check_whoami(browser: Browser, site: Site) -> None:
    """The API knows the account behind the session cookie."""
    answer = browser.get("/api/whoami")
    assert answer.status == 200, answer.text
    assert answer.json()["username"] == site.username
    assert answer.json()["auth"] == "session"


def check_links(browser: Browser, prefix: str) -> None:
    """Every link, form and image of a logged-in page points under the prefix."""
    page = browser.get("/account/")
    assert page.status == 200
    links = [link for link in LINK.findall(page.text) if not link.startswith("#")]
    assert links
    assert [link for link in links if not link.startswith(f"{prefix}/")] == []


def check_sitemap(browser: Browser, prefix: str) -> None:
    """The site map lists URLs a client can open as they are: under the prefix."""
    answer = browser.get("/sitemap", headers={"Accept": "application/json"})
    assert answer.status == 200
    paths = [route["path"] for route in answer.json()["routes"]]
    assert {f"{prefix}/status", f"{prefix}/sitemap", f"{prefix}/api/whoami"} <= set(paths)
    assert [path for path in paths if not path.startswith(f"{prefix}/")] == []
    page = browser.get("/sitemap")
    assert page.headers["Content-Type"].startswith("text/html")
    links = [link for link in LINK.findall(page.text) if not link.startswith("#")]
    assert [link for link in links if not link.startswith(f"{prefix}/")] == []


def check_static(browser: Browser) -> None:
    """Style sheets are served (by Proto or the front server) under the prefix."""
    answer = browser.get("/static/css/proto.css")
    assert answer.status == 200
    assert answer.headers["Content-Type"].startswith("text/css")


def check_not_found(browser: Browser, prefix: str) -> None:
    """A wrong URL gets Proto's HTML 404 page, and an API 404 is problem+json."""
    answer = browser.get("/no-such-page")
    assert answer.status == 404
    assert answer.headers["Content-Type"].startswith("text/html")
    assert ERROR_PAGE_MARK in answer.text and "404 Not Found" in answer.text
    assert f'href="{prefix}/"' in answer.text
    api = browser.get("/api/no-such-thing")
    assert api.status == 404
    assert api.headers["Content-Type"].startswith("application/problem+json")
    assert api.json()["status"] == 404


def check_size_limit(browser: Browser, site: Site) -> None:
    """A form body over document_max_bytes plus the form slack gets Proto's own 413 page."""
    size = site.max_bytes + 64 * 1024 + 4096
    answer = post_oversized(browser.base_url + "/account/login", size)
    assert answer.status == 413, (answer.status, answer.text[:500])
    assert ERROR_PAGE_MARK in answer.text and "413" in answer.text


def post_oversized(url: str, size: int, timeout: float = 30) -> Answer:
    """POST ``size`` bytes of form data and return the answer, even if the server stops reading early."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        connection.putrequest("POST", parts.path)
        connection.putheader("Content-Type", "application/x-www-form-urlencoded")
        connection.putheader("Content-Length", str(size))
        connection.endheaders()
        chunk = b"x=" + b"a" * (64 * 1024 - 2)
        sent = 0
        try:
            while sent < size:
                piece = chunk[: size - sent]
                connection.send(piece)
                sent += len(piece)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered before reading it all, as it may: read that answer
        response = connection.getresponse()
        return Answer(response.status, response.headers, response.read())
    finally:
        connection.close()


DOCUMENT = ('<?xml version="1.0" encoding="UTF-8"?>\n<document xmlns="urn:proto:document:1">'
            "<title>Host check \u00e9</title><body><section><heading>One</heading>"
            "<para>Uploaded through the host.</para></section></body></document>\n").encode("utf-8")
DOCUMENT_TYPE = "application/vnd.proto.document+xml"


def upload_document(browser: Browser, prefix: str) -> dict:
    """Upload a document in the exchange's MIME type: 201, Location and URLs under the prefix."""
    answer = browser.post("/api/documents", DOCUMENT, headers={"Content-Type": DOCUMENT_TYPE, "Slug": "host-check.xml"})
    assert answer.status == 201, answer.text
    document = answer.json()
    assert answer.headers["Location"].endswith(f"{prefix}/api/documents/{document['id']}")
    assert document["raw_url"] == f"{prefix}/api/documents/{document['id']}"
    assert (document["name"], document["size"], document["root"]) == (
        "host-check.xml", len(DOCUMENT), "{urn:proto:document:1}document")
    return document


def list_and_download(browser: Browser, document: dict) -> None:
    """The document is listed, and downloads byte for byte as an attachment with its MIME type."""
    listing = browser.get("/api/documents")
    assert listing.status == 200
    assert document["id"] in [item["id"] for item in listing.json()["documents"]]
    raw = browser.get(f"/api/documents/{document['id']}")
    assert raw.status == 200
    assert raw.body == DOCUMENT
    assert raw.headers["Content-Type"].startswith(DOCUMENT_TYPE)
    assert raw.headers["Content-Disposition"].startswith("attachment")
    assert raw.headers["X-Content-Type-Options"] == "nosniff"


def check_upload_limit(browser: Browser, site: Site) -> None:
    """A document over document_max_bytes is refused with 413 problem+json, and nothing new is listed."""
    before = browser.get("/api/documents").json()["total"]
    body = b"<document>" + b"x" * site.max_bytes + b"</document>"
    answer = browser.post("/api/documents", body, headers={"Content-Type": DOCUMENT_TYPE})
    assert answer.status == 413, (answer.status, answer.text[:300])
    assert answer.headers["Content-Type"].startswith("application/problem+json")
    assert browser.get("/api/documents").json()["total"] == before


ATTACKS = {
    "billion laughs": b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;">]><l>&b;</l>',
    "external entity": b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
    "deep nesting": b"<a>" * 10_000 + b"</a>" * 10_000,
    "not XML": b"\x89PNG\r\n\x1a\n",
}


def check_attacks_refused(browser: Browser) -> None:
    """The XML attack corpus gets 400 problem+json through the host too, and nothing is stored."""
    before = browser.get("/api/documents").json()["total"]
    for name, body in ATTACKS.items():
        answer = browser.post("/api/documents", body, headers={"Content-Type": DOCUMENT_TYPE})
        assert answer.status == 400, (name, answer.status, answer.text[:300])
        assert answer.headers["Content-Type"].startswith("application/problem+json"), name
        assert answer.json()["detail"], name
    assert browser.get("/api/documents").json()["total"] == before
