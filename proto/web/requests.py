"""Small helpers handlers share: the caller, the audit log, redirects, paging."""

from __future__ import annotations

import cherrypy

from proto import audit
from proto.accounts import Account


def caller() -> Account:
    """Return the account making this request (the access tool guarantees one)."""
    return cherrypy.serving.request.account


def remote_address() -> str:
    """Return the client's address (a trusted proxy's forwarded one when behind one)."""
    return cherrypy.serving.request.remote.ip or ""


def record(action: str, outcome: str = "success", detail: str = "", *, username: str | None = None,
           account: Account | None = None) -> None:
    """Write an audit entry for the current request; the caller is the account unless named."""
    account = account or getattr(cherrypy.serving.request, "account", None)
    audit.record(cherrypy.serving.request.app.services.db, action, outcome,
                 username=username if username is not None else (account.username if account else None),
                 account_id=account.id if account else None, address=remote_address(), detail=detail)


def redirect(path: str) -> cherrypy.HTTPRedirect:
    """Return a 303 to a path of this application (raise it)."""
    return cherrypy.HTTPRedirect(cherrypy.serving.request.script_name + path, 303)


def local_path(target: str | None, default: str = "/") -> str:
    """Return ``target`` if it is a path on this site, else ``default`` (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return default
    if any(ord(char) < 32 or char == "\\" for char in target):
        return default
    return target


def single(value: str | list[str], name: str) -> str:
    """Return a query parameter sent once; sent twice (CherryPy then gives a list) it is a 400."""
    if isinstance(value, list):
        raise cherrypy.HTTPError(400, f"send {name} once, not {len(value)} times")
    return value


def page_number(page: str | None) -> int:
    """Return a 1-based page number from a query parameter; junk gives page 1."""
    try:
        return max(1, min(int(page or 1), 1_000_000))
    except ValueError:
        return 1
