"""The root pages: landing page, /status, error pages and the security headers on every answer."""

import dataclasses
import logging

import cherrypy
import pytest
from webtest import TestApp

from proto.startup import prepare
from proto.storage.database import create_database_engine
from proto.web.tree import Node, expose


def test_landing_page_invites_to_log_in(client):
    page = client.get("/")
    assert page.status_int == 200
    assert page.content_type == "text/html"
    assert "<title>Home · Proto</title>" in page.text
    assert page.html.find("h1").text == "Proto, the XML document exchange"
    assert page.html.find("a", href="/account/login") is not None


def test_status_reports_ok_with_the_database(client):
    answer = client.get("/status")
    assert answer.status_int == 200
    assert answer.content_type == "application/json"
    assert answer.json == {"status": "ok", "database": "ok", "version": "0.1.0"}


def test_status_answers_503_when_the_database_is_down(settings, tmp_path, app_factory):
    unreachable = create_database_engine(f"sqlite:///{tmp_path / 'data'}")  # a folder, not a database
    (tmp_path / "data").mkdir(exist_ok=True)
    client = TestApp(app_factory(settings, engine=unreachable))
    answer = client.get("/status", status=503)
    assert answer.json == {"status": "unavailable", "database": "unavailable", "version": "0.1.0"}


@pytest.mark.parametrize("path", ["/", "/status", "/sitemap", "/static/css/proto.css", "/no/such/page"])
def test_every_answer_carries_the_security_headers(client, path):
    answer = client.get(path, expect_errors=True)
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in answer.headers["Content-Security-Policy"]
    assert answer.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in answer.headers


def test_hsts_over_https(client):
    answer = client.get("/", extra_environ={"wsgi.url_scheme": "https"})
    assert answer.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_unknown_page_is_an_html_404_in_the_layout(client):
    answer = client.get("/no/such/page", status=404)
    assert answer.content_type == "text/html"
    assert "<title>404 Not Found · Proto</title>" in answer.text
    assert "The path &#39;/no/such/page&#39; was not found." in answer.text
    assert "Traceback" not in answer.text


def test_unknown_api_url_is_problem_json(client):
    answer = client.get("/api/nothing-here", status=404)
    assert answer.content_type == "application/problem+json"
    assert answer.json == {"type": "about:blank", "title": "Not Found", "status": 404,
                           "detail": "The path '/api/nothing-here' was not found."}


def test_wrong_method_is_405_with_allow(client):
    answer = client.post("/status", status=405)
    assert answer.headers["Allow"] == "GET, HEAD"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"


def test_missing_trailing_slash_redirects(client):
    app = client.app
    app.root.things = Things()
    answer = client.get("/things", status=301)
    assert answer.headers["Location"].endswith("/things/")


class Things(Node):
    """A subtree the tests graft onto the root."""

    @expose()
    def index(self):
        """List the things."""
        return b"things"

    @expose()
    def broken(self):
        """Fail on purpose."""
        raise RuntimeError("secret internals")


def test_a_crash_is_a_500_page_with_the_traceback_in_development(client):
    client.app.root.things = Things()
    answer = client.get("/things/broken", status=500)
    assert "500 Internal Server Error" in answer.text
    assert "RuntimeError: secret internals" in answer.text


def test_a_crash_is_logged_once_with_its_traceback(settings, app_factory):
    app = app_factory(settings.replace(debug=False))
    prepare(app)
    app.root.things = Things()
    records: list[logging.LogRecord] = []
    collect = logging.Handler()
    collect.emit = records.append
    app.log.error_log.addHandler(collect)  # CherryPy's app loggers do not propagate
    try:
        TestApp(app).get("/things/broken", status=500)
    finally:
        app.log.error_log.removeHandler(collect)
    with_traceback = [record for record in records if record.exc_info]
    assert len(with_traceback) == 1
    assert repr(with_traceback[0].exc_info[1]) == "RuntimeError('secret internals')"


def test_a_crash_shows_no_traceback_and_no_version_in_production(settings, app_factory):
    app = app_factory(settings.replace(debug=False))
    prepare(app)
    app.root.things = Things()
    client = TestApp(app)
    answer = client.get("/things/broken", status=500)
    assert "Something went wrong on our side" in answer.text
    assert "secret internals" not in answer.text
    assert "Traceback" not in answer.text
    assert answer.headers["Server"] == "Proto"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in answer.headers["Content-Security-Policy"]
    assert client.get("/").headers["Server"] == "Proto"
    assert cherrypy.__version__ not in str(client.get("/no/such", status=404).headers)


def test_a_body_over_the_limit_is_413(client, settings):
    oversized = b"x=" + b"y" * (settings.document_max_bytes + 128 * 1024)
    answer = client.post("/account/login", oversized, content_type="application/x-www-form-urlencoded", status=413)
    assert "<title>413 Request Entity Too Large · Proto</title>" in answer.text


def test_a_configured_access_log_gets_a_line_per_request_and_none_is_formatted_without_one(
        settings, app_factory, tmp_path, monkeypatch):
    access_file = tmp_path / "access.log"
    logged = app_factory(dataclasses.replace(settings, server={**settings.server, "log.access_file": str(access_file)}))
    prepare(logged)
    TestApp(logged).get("/status", status=200)
    assert '"GET /status HTTP/1.0" 200' in access_file.read_text()

    quiet = app_factory(settings)
    prepare(quiet)
    # As in production without an access log: no handler up the chain (pytest's own stays out).
    monkeypatch.setattr(quiet.log.access_log, "propagate", False)
    formatted = []
    monkeypatch.setattr(quiet.log, "time", lambda: formatted.append("a line") or "")
    TestApp(quiet).get("/status", status=200)
    assert formatted == []
