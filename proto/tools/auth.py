"""Who is asking, and may they: a session, an API token or a client certificate.

    [/]
    proto.auth.on = True

Sets ``request.account`` (an Account or None) and ``request.auth_method``
(``"session"``, ``"token"``, ``"certificate"``), then enforces the access level
declared next to the handler with ``expose(access=...)``: anonymous browsers go
to the login page (303), anonymous API clients get 401, non-admins get 403.
"""

from __future__ import annotations

from urllib.parse import quote

import cherrypy
from cherrypy._cptools import Tool

from proto import accounts
from proto.tools.errors import is_api_request
from proto.tools.sessions import current_session, has_stored_session


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
    # Peek: the session is loaded (and locked) only once the handler runs.
    account_id = current_session().peek("account_id")
    if account_id is None:
        return None
    account = accounts.get_account(cherrypy.serving.request.app.services.db, account_id)
    if account is None or account.disabled:
        return None
    return account


def identify() -> None:
    """Find the account behind the request and check it may reach the handler."""
    request = cherrypy.serving.request
    db = request.app.services.db
    request.account, request.auth_method = None, None
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
        # After tools.sessions (priority 50) set up the session, before any upload is read.
        super().__init__("before_request_body", identify, priority=60)
