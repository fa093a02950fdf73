"""Who is asking, and may they: a session, an API token or a client certificate.

    [/]
    proto.auth.on = True

Sets ``request.account`` (an Account or None) and ``request.auth_method``
(``"certificate"``, ``"token"``, ``"session"``, tried in that order), then
enforces the access level declared next to the handler with
``expose(access=...)``: anonymous browsers go to the login page (303),
anonymous API clients get 401, non-admins get 403.

A verified client certificate comes from the WSGI environ (``SSL_CLIENT_VERIFY``
= ``SUCCESS`` and ``SSL_CLIENT_CERT``: set by cheroot's TLS, mod_wsgi or
lighttpd, never by the client), or from a peer in ``[proto] trusted_proxies``
in ``X-SSL-Client-Cert`` and ``X-SSL-Client-Verify`` (nginx). A browser logged
in by certificate gets a session on its first page; a certificate that is
verified but unbound, revoked, expired or whose account is disabled gets 403 on
user pages and the API, with its fingerprint.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING
from urllib.parse import quote

import cherrypy
from cherrypy._cptools import Tool

from proto import accounts, certificate_logins
from proto.proxies import is_trusted
from proto.storage.sessions import ACCOUNT_PREFIX
from proto.tls import CertificateError
from proto.tools.audit import record
from proto.tools.errors import is_api_request
from proto.tools.proxies import peer_address
from proto.tools.sessions import current_session, has_stored_session, start_session, stored

if TYPE_CHECKING:
    from cryptography import x509


def declared_access() -> str:
    """Return the access level declared by the handler this request reaches."""
    handler = getattr(cherrypy.serving.request.handler, "callable", None)
    return getattr(handler, "access", "public")


def _bearer_token() -> str | None:
    header = cherrypy.serving.request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" else None


def _session_account() -> accounts.Account | None:
    if not has_stored_session():
        return None
    # Peek: the session is loaded (and locked) only once the handler runs. Its row
    # was read with its account's columns, as they are now: no second query.
    row = current_session().peek_account()
    if row is None:
        return None
    account = accounts.Account.from_row(row, prefix=ACCOUNT_PREFIX)
    return None if account.disabled else account


def _forwarded_certificate() -> x509.Certificate | None:
    """Return the certificate a trusted front server forwarded in headers, if it verified one."""
    request = cherrypy.serving.request
    sent = request.headers.get("X-SSL-Client-Cert")
    verify = request.headers.get("X-SSL-Client-Verify")
    if not sent and not verify:
        return None
    peer = peer_address()
    if not is_trusted(peer, request.app.services.settings.trusted_proxies):
        # Anyone can send these headers; say so once a minute per address, not on every request.
        if request.app.services.recent_uses.due(f"ignored {peer}"):
            cherrypy.log(f"ignored X-SSL-Client-* headers from {peer}, which is not in trusted_proxies",
                         "PROTO", severity=logging.WARNING)
            record("certificate-header-ignored", "refused",
                   f"X-SSL-Client-Cert/-Verify from {peer}, which is not in trusted_proxies")
        return None
    if verify != "SUCCESS" or not sent:
        return None  # the front server asked and got no certificate (NONE), or none it could verify
    from proto.certificates import decode_forwarded_certificate  # imports cryptography: see verified_certificate

    try:
        return decode_forwarded_certificate(sent)
    except CertificateError as error:
        raise cherrypy.HTTPError(400, f"X-SSL-Client-Cert from the front server cannot be decoded: {error}.") from None


def verified_certificate() -> x509.Certificate | None:
    """Return the client certificate the TLS layer verified for this request, or None."""
    environ = cherrypy.serving.request.wsgi_environ or {}
    if environ.get("SSL_CLIENT_VERIFY") == "SUCCESS" and environ.get("SSL_CLIENT_CERT"):
        # proto.certificates imports cryptography: loaded by the first request with a certificate, not at start.
        from proto.certificates import load_certificate

        try:
            return load_certificate(environ["SSL_CLIENT_CERT"])
        except CertificateError:
            raise cherrypy.HTTPError(400, "The server passed on a client certificate that cannot be read.") from None
    return _forwarded_certificate()


def certificate_login(cert: x509.Certificate) -> None:
    """Log the request in by a verified certificate; refuse (403) an unusable one where it matters."""
    from proto.certificates import fingerprint  # imports cryptography: see verified_certificate

    request = cherrypy.serving.request
    services = request.app.services
    digest = fingerprint(cert)
    account, reason = certificate_logins.account_for_certificate(services.db, cert)
    if account is None:
        if declared_access() not in ("user", "admin"):
            return  # public pages stay reachable, anonymously
        record("certificate-login", "failure", f"{reason} certificate {digest}")
        raise cherrypy.HTTPError(403, certificate_logins.refusal_message(reason, digest))
    request.account, request.auth_method = account, "certificate"
    session = current_session()
    if is_api_request() or session is None:
        # Programs need no session; one audit line a minute per certificate, not one per call.
        if services.recent_uses.due(f"certificate {digest}"):
            record("certificate-login", "success", f"api, certificate {digest}", account=account)
    elif stored("account_id") != account.id:
        # A browser's first page: a session of its own, so the id is regenerated once, not per request.
        start_session(account.id, "certificate")
        certificate_logins.note_login(services.db, account)
        record("certificate-login", "success", f"browser session, certificate {digest}", account=account)


def identify() -> None:
    """Find the account behind the request and check it may reach the handler."""
    request = cherrypy.serving.request
    db = request.app.services.db
    request.account, request.auth_method = None, None
    cert = verified_certificate()
    if cert is not None:
        certificate_login(cert)
        enforce(declared_access())
        return
    token = _bearer_token()
    if token is not None:
        account = accounts.account_for_token(db, token)
        if account is None:
            # A wrong token is an error, never a quiet fall-back to anonymous.
            cherrypy.serving.response.headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
            raise cherrypy.HTTPError(401, "The API token is unknown, revoked, or its account is disabled.")
        request.account, request.auth_method = account, "token"
    else:
        account = _session_account()
        if account is not None:
            request.account, request.auth_method = account, "session"
    enforce(declared_access())


def enforce(access: str) -> None:
    """Refuse the request unless its account meets the access level."""
    request = cherrypy.serving.request
    if access not in ("user", "admin"):
        return
    if request.account is None:
        if is_api_request():
            cherrypy.serving.response.headers["WWW-Authenticate"] = 'Bearer realm="proto"'
            raise cherrypy.HTTPError(401, "Log in first: send a session cookie, an API token or a client certificate.")
        target = request.path_info + (f"?{request.query_string}" if request.query_string else "")
        login = f"{request.script_name}/account/login?next={quote(target, safe='')}"
        raise cherrypy.HTTPRedirect(login, 303)
    if access == "admin" and not request.account.is_admin:
        raise cherrypy.HTTPError(403, "This page is for admins only.")


class AuthTool(Tool):
    """Run ``identify`` once the session is there and before the body is read."""

    def __init__(self) -> None:
        # After proto.sessions (priority 50) set up the session, before any upload is read.
        super().__init__("before_request_body", identify, priority=60)
