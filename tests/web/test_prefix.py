"""Mounted under a prefix (SCRIPT_NAME /proto, as every WSGI host can): links, redirects, cookie and site map follow."""

import pytest
from webtest import TestApp

from tests.conftest import login


@pytest.fixture
def prefixed(app, make_account) -> TestApp:
    """Return a client for the app mounted at /proto, the prefix read from SCRIPT_NAME as proto.wsgi does."""
    make_account("alice")
    app.script_name = None
    return TestApp(app, extra_environ={"SCRIPT_NAME": "/proto"})


def test_login_redirects_and_the_cookie_stay_under_the_prefix(prefixed):
    anonymous = prefixed.get("/account/", status=303)
    assert anonymous.headers["Location"] == "http://localhost:80/proto/account/login?next=%2Faccount%2F"
    answer = login(prefixed, "alice")
    assert answer.status_int == 303
    assert answer.headers["Location"] == "http://localhost:80/proto/"
    assert "Path=/proto;" in answer.headers["Set-Cookie"]


def test_the_site_map_lists_paths_under_the_prefix(prefixed):
    routes = prefixed.get("/sitemap", headers={"Accept": "application/json"}).json["routes"]
    assert {"/proto/status", "/proto/sitemap", "/proto/account/login"} <= {route["path"] for route in routes}
    assert all(route["path"].startswith("/proto/") for route in routes)
    page = prefixed.get("/sitemap")
    # Every link leaves for a path under the prefix, or stays on this page (#fragment).
    hrefs = [link["href"] for link in page.html.select("a[href]") if not link["href"].startswith("#")]
    assert hrefs and all(href.startswith("/proto/") for href in hrefs)


def test_the_error_page_links_home_under_the_prefix(prefixed):
    page = prefixed.get("/no-such-page", status=404)
    assert page.html.select_one(".error-page a")["href"] == "/proto/"
