"""CSRF: a state-changing request made with the session cookie must prove it came from our pages.

    [/]
    proto.csrf.on = True

A form POST carries ``csrf_token``, the session's token. An API request made
with the session cookie must carry a Content-Type that no HTML form can send.
API tokens and client certificates cannot be sent by another site, so requests
authenticated by them need neither.
"""

from __future__ import annotations

import hmac

import cherrypy
from cherrypy._cptools import Tool

from proto.tools.errors import is_api_request
from proto.tools.sessions import stored

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
# What a cross-site HTML form can send without asking the browser first.
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data", "text/plain")


def _needs_check() -> bool:
    request = cherrypy.serving.request
    return request.method not in SAFE_METHODS and getattr(request, "auth_method", None) not in ("token", "certificate")


def check_api_content_type() -> None:
    """Refuse a cookie-authenticated API write whose Content-Type a form could send."""
    request = cherrypy.serving.request
    if not is_api_request() or not _needs_check():
        return
    media_type = request.headers.get("Content-Type", "").split(";", 1)[0].strip().lower()
    if media_type in FORM_TYPES or (media_type == "" and request.method != "DELETE"):
        raise cherrypy.HTTPError(403, "A request made with the session cookie must send a non-form "
                                      "Content-Type (such as application/json or the document's XML type).")


def check_form_token() -> None:
    """Refuse a form POST whose ``csrf_token`` is missing or not this session's."""
    request = cherrypy.serving.request
    if is_api_request() or not _needs_check():
        return
    sent = request.params.pop("csrf_token", None)
    expected = stored("csrf_token")
    if not isinstance(sent, str) or expected is None or not hmac.compare_digest(sent, expected):
        raise cherrypy.HTTPError(403, "The form has expired or did not come from this site: "
                                      "reload the page and try again.")


class CsrfTool(Tool):
    """Check API requests before their body is read, and forms once their fields are parsed."""

    def __init__(self) -> None:
        super().__init__("before_handler", check_form_token, priority=40)

    def _setup(self) -> None:
        hooks = cherrypy.serving.request.hooks
        hooks.attach("before_request_body", check_api_content_type, priority=65)
        hooks.attach("before_handler", check_form_token, priority=40)
