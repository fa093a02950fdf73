"""Small helpers handlers share: the caller, the audit log, redirects, paging."""

from __future__ import annotations

import cherrypy

from proto.accounts import Account
# Handlers audit through the same helper the tools use; re-exported for them.
from proto.tools.audit import record, remote_address  # noqa: F401


def caller() -> Account:
    """Return the account making this request (the access tool guarantees one)."""
    return cherrypy.serving.request.account


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
