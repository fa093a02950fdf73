"""Audit entries for the current request: its account and client address filled in."""

from __future__ import annotations

import cherrypy

from proto import audit
from proto.accounts import Account


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
