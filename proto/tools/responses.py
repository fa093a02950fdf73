"""Response bodies shared by handlers and tools: JSON and problem+json."""

from __future__ import annotations

import json
from typing import Any

import cherrypy

PROBLEM_JSON = "application/problem+json"


def json_body(data: Any, *, status: int | None = None, content_type: str = "application/json") -> bytes:
    """Set the Content-Type (and status) and return ``data`` encoded as JSON bytes."""
    response = cherrypy.serving.response
    if status is not None:
        response.status = status
    response.headers["Content-Type"] = content_type
    # tools.encode only encodes text/*: JSON must leave the handler as bytes.
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


# The JSON Schema of every /api/ error (RFC 9457), published in /api/openapi.json.
PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "description": "Always about:blank: the status says what happened."},
        "title": {"type": "string", "description": "The status code's reason phrase."},
        "status": {"type": "integer", "minimum": 100, "maximum": 599},
        "detail": {"type": "string", "description": "What is wrong, in words, for a person."},
    },
}


def problem(status: int, title: str, detail: str) -> dict[str, Any]:
    """Describe an error as an RFC 9457 problem document."""
    return {"type": "about:blank", "title": title, "status": status, "detail": detail}


def wants_json() -> bool:
    """Tell whether the client prefers JSON to HTML (``Accept`` header)."""
    accept = cherrypy.serving.request.headers.elements("Accept")
    best = max(accept, key=lambda element: element.qvalue, default=None)
    return best is not None and best.value in ("application/json", "application/problem+json")
