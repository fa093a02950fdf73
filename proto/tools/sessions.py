"""Sessions: the request's session and its cookie, flash messages, the per-session CSRF token.

    [/]
    proto.sessions.on = True
    proto.sessions.storage_class = <the SqlSession subclass make_app builds>
    proto.sessions.timeout = 60

CherryPy's Session classes, saving and locking, with a tool of our own in
place of ``tools.sessions``: that one builds the cookie on every answer and has
no SameSite option. This one sends the cookie only with an id the browser does
not have yet (a new session, a login), ``HttpOnly; SameSite=Lax`` and
``Secure`` over HTTPS, and never for a session that holds nothing.
"""

from __future__ import annotations

import secrets
from typing import Any

import cherrypy
from cherrypy._cptools import Tool
from cherrypy.lib import httputil
from cherrypy.lib import sessions as cherrypy_sessions

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


def attach_session(storage_class: type[cherrypy_sessions.Session], timeout: int) -> None:
    """Give the request the session its cookie names if that one is stored, else a new one."""
    sent = cherrypy.serving.request.cookie.get(COOKIE_NAME)
    session = storage_class(sent.value if sent is not None else None, timeout=timeout)
    cherrypy.serving.session = session
    if not hasattr(cherrypy, "session"):
        # CherryPy's save and close hooks, reused below, reach the session through this proxy.
        cherrypy.session = cherrypy._ThreadLocalProxy("session")
    # The browser learns an id it does not have: now, and whenever it changes (a login).
    session.id_observers.append(_send_cookie)
    if sent is None or sent.value != session.id:
        _send_cookie(session.id)


def _send_cookie(session_id: str) -> None:
    cherrypy.serving.response.cookie[COOKIE_NAME] = session_id


def end_session() -> None:
    """Delete the session on the server and have the browser forget its cookie."""
    current_session().delete()
    cookies = cherrypy.serving.response.cookie
    cookies[COOKIE_NAME] = ""
    cookies[COOKIE_NAME]["expires"] = httputil.HTTPDate(0)
    cherrypy.serving.request.session_ended = True


def lock_session() -> None:
    """Lock the session for the handler: requests of one session run one at a time, so none undoes another."""
    cherrypy.serving.session.acquire_lock()


def harden_session_cookie() -> None:
    """Set HttpOnly, SameSite and Secure on the session cookie, or drop a cookie for nothing."""
    cookies = cherrypy.serving.response.cookie
    if COOKIE_NAME not in cookies:
        return
    request = cherrypy.serving.request
    if not getattr(request, "session_ended", False) and current_session()._is_new:
        del cookies[COOKIE_NAME]  # nothing was stored: no row, so no cookie either
        return
    morsel = cookies[COOKIE_NAME]
    # The cookie belongs to the mount point only; a session cookie: no expiry date.
    morsel["path"] = request.script_name or "/"
    morsel["httponly"] = True
    morsel["samesite"] = "Lax"
    if request.scheme == "https":
        morsel["secure"] = True


class SessionTool(Tool):
    """Attach the session before the body is read, lock it for the handler, save it, send its cookie."""

    def __init__(self) -> None:
        # Before proto.auth (priority 60) looks at who is logged in.
        super().__init__("before_request_body", attach_session, priority=50)

    def _setup(self) -> None:
        hooks = cherrypy.serving.request.hooks
        hooks.attach("before_request_body", attach_session, priority=50, **self._merged_args())
        hooks.attach("before_handler", lock_session, priority=50)
        # CherryPy's own: save the data if it was loaded (after a streamed body, once it is
        # sent) and release the lock; close releases it if the request failed before that.
        hooks.attach("before_finalize", cherrypy_sessions.save, priority=50)
        # After the save decided what is stored; errors and redirects included.
        hooks.attach("before_finalize", harden_session_cookie, priority=95)
        hooks.attach("on_end_request", cherrypy_sessions.close)


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
