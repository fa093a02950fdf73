"""Session helpers: safe cookies, flash messages and the per-session CSRF token.

    [/]
    tools.sessions.on = True
    proto.session_cookie.on = True

CherryPy's sessions tool has no SameSite option and sends a cookie on every
request; this tool makes the cookie ``HttpOnly; SameSite=Lax``, ``Secure`` over
HTTPS, and drops it while the session holds nothing or when the browser sent it.
"""

from __future__ import annotations

import secrets
from typing import Any

import cherrypy
from cherrypy._cptools import Tool

COOKIE_NAME = "session_id"


def current_session() -> Any:
    """Return this request's session object, or None when sessions are off here."""
    return getattr(cherrypy.serving, "session", None)


def has_stored_session() -> bool:
    """Tell whether the client presented a session that exists on the server."""
    session = current_session()
    return session is not None and not session._is_new


def stored(key: str) -> Any:
    """Read one value of the client's session without loading it (None without a stored session)."""
    # Loading locks the session and makes its save serialize the data again to compare.
    return current_session().peek(key) if has_stored_session() else None


def start_session(account_id: int, method: str) -> None:
    """Start a fresh session for an account: a new id, so a planted one is worthless."""
    session = current_session()
    # Loaded before regenerate(), or CherryPy would not keep what we store next.
    session.load()
    session.clear()
    session.regenerate()
    session["account_id"] = account_id
    session["auth"] = method


def harden_session_cookie() -> None:
    """Set HttpOnly, SameSite and Secure on the session cookie, or drop a cookie for nothing."""
    cookies = cherrypy.serving.response.cookie
    if COOKIE_NAME not in cookies:
        return
    session = current_session()
    if getattr(cherrypy.serving.request, "session_ended", False):
        pass  # logout sent an expired cookie: keep it, so the browser forgets the id
    elif session is None or session._is_new:
        del cookies[COOKIE_NAME]  # nothing was stored: no row, so no cookie either
        return
    elif (sent := cherrypy.serving.request.cookie.get(COOKIE_NAME)) is not None and sent.value == session.id:
        # The browser sent this very id, and a cookie with no expiry date needs no refresh.
        del cookies[COOKIE_NAME]
        return
    morsel = cookies[COOKIE_NAME]
    # The sessions tool always says "/": under a mount prefix the cookie belongs to the prefix only.
    morsel["path"] = cherrypy.serving.request.script_name or "/"
    morsel["httponly"] = True
    morsel["samesite"] = "Lax"
    if cherrypy.serving.request.scheme == "https":
        morsel["secure"] = True


class SessionCookieTool(Tool):
    """Run ``harden_session_cookie`` after the session was saved, errors and redirects included."""

    def __init__(self) -> None:
        # After the sessions tool's own save (priority 50) decided what is stored.
        super().__init__("before_finalize", harden_session_cookie, priority=95)


def flash(message: str, level: str = "success") -> None:
    """Keep a message for the next page this browser sees."""
    session = current_session()
    session["flashes"] = [*session.get("flashes", []), [level, message]]


def take_flashes() -> list[tuple[str, str]]:
    """Return and forget the messages kept for this browser."""
    # Read first: a page with none to show need not load (and so save) the session.
    if not stored("flashes"):
        return []
    return [tuple(item) for item in current_session().pop("flashes", [])]


def csrf_token() -> str:
    """Return this session's CSRF token, making the session and the token on first use."""
    session = current_session()
    # Read first: a page that shows the stored token need not load (and so save) the session.
    token = stored("csrf_token") or session.get("csrf_token")
    if token is None:
        token = session["csrf_token"] = secrets.token_urlsafe(32)
    return token
