"""Trusted front servers: the real client address and scheme from X-Forwarded-For/-Proto.

    [proto]
    trusted_proxies = ["127.0.0.1"]

    [/]
    proto.forwarded.on = True

Only when the TCP peer is in ``trusted_proxies``: ``request.remote.ip`` becomes
the client's address and ``request.scheme`` (and ``request.base``) the scheme
the client used, so the audit log, login throttling, Secure cookies and HSTS see
the real client. From any other peer the headers are ignored. A trusted proxy's
header that cannot be understood is a 400, never a guess.
"""

from __future__ import annotations

import cherrypy
from cherrypy._cptools import Tool

from proto.proxies import ProxyHeaderError, client_address, forwarded_scheme, is_trusted


def peer_address() -> str:
    """Return the address of the TCP peer: the front server when there is one."""
    request = cherrypy.serving.request
    return getattr(request, "peer_address", None) or request.remote.ip or ""


def apply_forwarded_headers() -> None:
    """Take the client's address and scheme from a trusted proxy's X-Forwarded-* headers."""
    request = cherrypy.serving.request
    networks = request.app.services.settings.trusted_proxies
    peer = request.remote.ip or ""
    # Kept for the certificate headers, which are believed from the peer only.
    request.peer_address = peer
    if not networks or not is_trusted(peer, networks):
        return
    try:
        address = client_address(peer, request.headers.get("X-Forwarded-For"), networks)
        scheme = forwarded_scheme(peer, request.headers.get("X-Forwarded-Proto"), networks)
    except ProxyHeaderError as error:
        raise cherrypy.HTTPError(400, str(error)) from None
    request.remote.ip = address
    if scheme is not None and scheme != request.scheme:
        request.scheme = scheme
        # Redirects are built from request.base: keep them on the client's scheme.
        request.base = scheme + request.base[request.base.find("://"):]


class ForwardedTool(Tool):
    """Run ``apply_forwarded_headers`` first thing, before sessions and logins read the request."""

    def __init__(self) -> None:
        super().__init__("on_start_resource", apply_forwarded_headers, priority=10)
