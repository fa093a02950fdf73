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


def is_broken_chunking(error: BaseException | None) -> bool:
    """Tell whether cheroot refused a malformed chunked body while the app read it: the client's fault."""
    # cheroot's ChunkedRFile raises a bare ValueError with this text, under whoever reads the body.
    return isinstance(error, ValueError) and str(error).startswith("Bad chunked transfer")


def unexpected_error() -> None:
    """Answer an unhandled exception: 400 for a broken chunked body, 503 when the database is down, else 500."""
    _, error, _ = cherrypy._cperror._exc_info()
    if is_broken_chunking(error):
        # The rest of the body cannot be framed: answer and close the connection.
        cherrypy.serving.request.close_connection = True
        cherrypy.HTTPError(400, "The chunked request body is malformed.").set_response()
        cherrypy.serving.response.headers["Connection"] = "close"
        return
    if isinstance(error, (OperationalError, DBAPIError)) and (
            isinstance(error, OperationalError) or error.connection_invalidated):
        cherrypy.log(f"database unavailable: {error.orig!r}", severity=logging.ERROR)
        cherrypy.HTTPError(503, DATABASE_DOWN).set_response()
        return
    cherrypy.log("unhandled error", severity=logging.ERROR, traceback=True)
    cherrypy.HTTPError(500, "Something went wrong on our side; it has been logged.").set_response()
