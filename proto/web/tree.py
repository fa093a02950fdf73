"""How handlers are published: who may call them, with which methods, under which path.

    class Root(Node):
        @expose(access="public")
        def index(self):
            \"\"\"Show the landing page.\"\"\"

``expose`` declares next to each handler its HTTP methods (enforced: 405 with
``Allow`` otherwise) and its access level, which the site map shows and the
access tool enforces. A ``Node`` with ``dynamic`` set reaches a child through a
path segment, as in ``/documents/<id>/raw``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import cherrypy

ACCESS_LEVELS = ("public", "user", "admin", "setup-token")
Handler = TypeVar("Handler", bound=Callable[..., Any])


def expose(access: str = "public", methods: Sequence[str] = ("GET",)) -> Callable[[Handler], Handler]:
    """Publish a handler for the given HTTP methods and access level."""
    if access not in ACCESS_LEVELS:
        raise ValueError(f"unknown access level {access!r}; use one of {ACCESS_LEVELS}")
    allowed = [method.upper() for method in methods]

    def publish(handler: Handler) -> Handler:
        handler.exposed = True
        handler.access = access
        handler.methods = tuple(allowed)
        config = dict(getattr(handler, "_cp_config", {}))
        config.update({"tools.allow.on": True, "tools.allow.methods": allowed})
        handler._cp_config = config
        return handler

    return publish


class Node:
    """A branch of the published tree."""

    # (parameter name, child node): the next path segment becomes that parameter.
    dynamic: tuple[str, Any] | None = None

    def _cp_dispatch(self, vpath: list[str]) -> Any:
        if self.dynamic is None or not vpath:
            return None
        name, child = self.dynamic
        cherrypy.serving.request.params[name] = vpath.pop(0)
        return child
