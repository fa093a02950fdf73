"""How handlers are published: who may call them, with which methods, under which path.

    class Root(Node):
        @expose(access="public")
        def index(self):
            \"\"\"Show the landing page.\"\"\"

``expose`` declares next to each handler its HTTP methods (enforced: 405 with
``Allow`` otherwise) and its access level, which the site map shows and the
access tool enforces. A ``Node`` with ``dynamic`` set reaches a child through a
path segment, as in ``/documents/<id>/raw``. Under ``/api/``, ``api`` declares
next to the handler what each method takes and answers (media types, status
codes, JSON Schemas), which ``/api/openapi.json`` is generated from:

    @expose(access="user", methods=("GET", "POST"))
    @api(GET=Operation(responses={200: json_content(DOCUMENT_LIST)}), POST=...)
    def index(self):
        \"\"\"List or upload documents.\"\"\"
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import dataclasses
from collections.abc import Mapping

import cherrypy

ACCESS_LEVELS = ("public", "user", "admin", "setup-token")
Handler = TypeVar("Handler", bound=Callable[..., Any])


def expose(access: str = "public", methods: Sequence[str] = ("GET",), *,
           segment: str | None = None) -> Callable[[Handler], Handler]:
    """Publish a handler for the given HTTP methods and access level (``segment``: its URL spelling)."""
    if access not in ACCESS_LEVELS:
        raise ValueError(f"unknown access level {access!r}; use one of {ACCESS_LEVELS}")
    allowed = [method.upper() for method in methods]

    def publish(handler: Handler) -> Handler:
        handler.exposed = True
        handler.access = access
        handler.methods = tuple(allowed)
        if segment is not None:
            # Dispatch reaches "openapi_json" from "openapi.json" too: publish the spelling clients use.
            handler.segment = segment
        config = dict(getattr(handler, "_cp_config", {}))
        config.update({"tools.allow.on": True, "tools.allow.methods": allowed})
        handler._cp_config = config
        return handler

    return publish


@dataclasses.dataclass(frozen=True)
class Operation:
    """What one method of a handler takes and answers, as OpenAPI describes it."""

    summary: str = ""
    # Status code -> an OpenAPI Response Object (description, content, headers).
    responses: Mapping[int, Mapping[str, Any]] = dataclasses.field(default_factory=dict)
    # Media type -> JSON Schema of the request body (empty: no body).
    request: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    # OpenAPI Parameter Objects for the query and headers (path parameters come from the tree).
    parameters: Sequence[Mapping[str, Any]] = ()


def api(**operations: Operation) -> Callable[[Handler], Handler]:
    """Declare, per HTTP method, what an /api/ handler takes and answers."""

    def declare(handler: Handler) -> Handler:
        handler.operations = {method.upper(): operation for method, operation in operations.items()}
        return handler

    return declare


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
