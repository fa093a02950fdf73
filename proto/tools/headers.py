"""Security headers on every response, error pages and redirects included.

    [/]
    proto.security_headers.on = True
    proto.security_headers.server_name = "Proto"   # hide the version (production)
"""

from __future__ import annotations

import cherrypy
from cherrypy._cptools import Tool

# Pages load nothing from elsewhere and may not be framed.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
HSTS_MAX_AGE = 365 * 24 * 3600


def set_security_headers(server_name: str | None = None) -> None:
    """Add nosniff, CSP, referrer policy and, over HTTPS, HSTS to the response."""
    request = cherrypy.serving.request
    headers = cherrypy.serving.response.headers
    headers["X-Content-Type-Options"] = "nosniff"
    # A handler may have set a stricter policy (downloads sandbox themselves).
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers["Referrer-Policy"] = "same-origin"
    headers["X-Frame-Options"] = "DENY"
    if request.scheme == "https":
        headers["Strict-Transport-Security"] = f"max-age={HSTS_MAX_AGE}; includeSubDomains"
    if server_name:
        headers["Server"] = server_name


class SecurityHeadersTool(Tool):
    """Run ``set_security_headers`` before every response is finalized, errors included."""

    def __init__(self) -> None:
        super().__init__("before_finalize", set_security_headers, priority=90)

    def _setup(self) -> None:
        conf = self._merged_args()
        conf.pop("priority", None)
        request = cherrypy.serving.request
        request.hooks.attach("before_finalize", self.callable, priority=90, **conf)
        # Unexpected exceptions skip before_finalize: cover their 500 pages too.
        request.hooks.attach("after_error_response", self.callable, priority=90, **conf)
