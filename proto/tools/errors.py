"""Error pages: HTML in the site's layout, problem+json (RFC 9457) under /api/.

    [/]
    error_page.default = proto.tools.errors.error_page
    request.error_response = proto.tools.errors.unexpected_error

Tracebacks are shown only when ``request.show_tracebacks`` is on (development);
they are always written to the error log.
"""

from __future__ import annotations

import html
import http.client
import logging

import cherrypy
from sqlalchemy.exc import DBAPIError, OperationalError

from proto.tools.responses import PROBLEM_JSON, json_body, problem
from proto.tools.templates import render

DATABASE_DOWN = "The database is unavailable; try again in a moment."


def is_api_request() -> bool:
    """Tell whether the current request is for the JSON API."""
    path = cherrypy.serving.request.path_info
    return path == "/api" or path.startswith("/api/")


def error_page(status: str, message: str, traceback: str, version: str) -> bytes:
    """Render an HTTP error for the client: problem+json under /api/, else an HTML page."""
    code = int(str(status).split()[0])
    title = http.client.responses.get(code, "Error")
    # CherryPy escapes these for its own HTML template; ours escape on output.
    message = html.unescape(message)
    # A traceback helps with a bug (5xx), not with a wrong URL or form (4xx).
    traceback = html.unescape(traceback) if code >= 500 else ""
    if is_api_request():
        return json_body(problem(code, title, message), content_type=PROBLEM_JSON)
    try:
        return render("errors/error.mako", status=code, reason=title, message=message, traceback=traceback)
    except Exception:
        # A broken template must not hide the original error.
        logging.getLogger("proto").exception("the error page template failed")
        cherrypy.serving.response.headers["Content-Type"] = "text/plain;charset=utf-8"
        return f"{code} {title}\n\n{message}\n".encode("utf-8")


def unexpected_error() -> None:
    """Answer an unhandled exception: 503 when the database is down, else 500; log it."""
    _, error, _ = cherrypy._cperror._exc_info()
    if isinstance(error, (OperationalError, DBAPIError)) and (
            isinstance(error, OperationalError) or error.connection_invalidated):
        cherrypy.log(f"database unavailable: {error.orig!r}", severity=logging.ERROR)
        cherrypy.HTTPError(503, DATABASE_DOWN).set_response()
        return
    cherrypy.log("unhandled error", severity=logging.ERROR, traceback=True)
    cherrypy.HTTPError(500, "Something went wrong on our side; it has been logged.").set_response()
