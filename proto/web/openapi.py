"""The OpenAPI 3.1 description of ``/api/``, generated from the tree the requests reach.

    document = openapi_document(app.root.api, version="1.0")

Every handler under ``/api/`` is an operation per declared method, with the
access level ``expose`` declared (security and the 401/403 that enforce it)
and what ``api(...)`` declared next to it (parameters, request body, responses).
A handler with no ``api`` declaration still appears, with a bare 200: nothing
published under ``/api/`` can be missing from its description.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from proto.web.api_schemas import SCHEMAS, problem_response
from proto.web.sitemap import Route, walk
from proto.web.tree import Operation

PREFIX = "/api/"
PATTERN = re.compile(r"<([^>]+)>")
# Each enough alone: a session cookie, a bearer token, or a client certificate bound to an account.
SECURITY_SCHEMES: dict[str, Any] = {
    "session": {"type": "apiKey", "in": "cookie", "name": "session_id",
                "description": "The session cookie of a browser logged in at /account/login."},
    "bearer": {"type": "http", "scheme": "bearer",
               "description": "An API token made at /account/: Authorization: Bearer proto_..."},
    "mutualTLS": {"type": "mutualTLS",
                  "description": "A client certificate bound to an account (directly, or through a trusted proxy)."},
}
LOGGED_IN = [{name: []} for name in SECURITY_SCHEMES]


def openapi_path(path: str) -> str:
    """Turn a tree path into an OpenAPI one: ``/api/documents/<id>/`` becomes ``/api/documents/{id}``."""
    path = PATTERN.sub(r"{\1}", path)
    # /api/documents and /api/documents/<id> are resources (no trailing slash); only /api/ itself is a folder.
    return path if path == PREFIX else path.rstrip("/")


def _access_responses(access: str) -> dict[int, Any]:
    """Return the refusals the access tool answers for this level."""
    if access not in ("user", "admin"):
        return {}
    return {401: problem_response("Not logged in, or the token is unknown or revoked."),
            403: problem_response("Logged in, but not allowed: an unbound certificate, a session without "
                                  "a non-form Content-Type, or an admin-only operation.")}


def _operation(route: Route, method: str) -> dict[str, Any]:
    """Describe one method of one route as an OpenAPI Operation Object."""
    declared: Operation = getattr(route.handler, "operations", {}).get(method, Operation())
    responses: dict[int, Any] = {200: {"description": "Success."}} if not declared.responses else {}
    responses.update(declared.responses)
    responses.update(_access_responses(route.access))
    responses[503] = problem_response("The database is unavailable; try again in a moment.")
    parameters = [{"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
                  for name in PATTERN.findall(route.path)]
    parameters += [dict(parameter) for parameter in declared.parameters]
    operation: dict[str, Any] = {
        "operationId": f"{method.lower()}_{'_'.join(re.findall(r'[a-z0-9]+', route.path[len(PREFIX):])) or 'index'}",
        "summary": declared.summary or route.summary,
        "x-access": route.access,
        "security": LOGGED_IN if route.access in ("user", "admin") else [],
        "responses": {str(status): response for status, response in sorted(responses.items())},
    }
    if parameters:
        operation["parameters"] = parameters
    if declared.request:
        operation["requestBody"] = {"required": True, "content": {
            media_type: {"schema": schema} for media_type, schema in declared.request.items()}}
    return operation


def openapi_document(api_root: Any, *, version: str, server: str = "/", title: str = "Proto API") -> dict[str, Any]:
    """Return the OpenAPI 3.1 document of every handler under the /api/ node."""
    paths: dict[str, dict[str, Any]] = {}
    for route in sorted(walk(api_root, PREFIX), key=lambda route: route.path):
        item = paths.setdefault(openapi_path(route.path), {})
        for method in route.methods:
            item[method.lower()] = _operation(route, method)
    # A deep copy: the document is served and inspected, the handlers' schemas must stay as declared.
    return copy.deepcopy({
        "openapi": "3.1.0",
        "info": {"title": title, "version": version,
                 "description": "The JSON API of Proto, a secure XML-document exchange. "
                                "Errors are application/problem+json (RFC 9457)."},
        # Relative to where the document is served, so it holds under any mount point.
        "servers": [{"url": server}],
        "paths": paths,
        "components": {"schemas": SCHEMAS, "securitySchemes": SECURITY_SCHEMES},
    })
