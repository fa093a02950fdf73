"""The JSON shapes of ``/api/``, defined once: the handlers serialize through them, the OpenAPI document shows them.

    return json_body(shaped(WHOAMI, {"username": ..., "admin": ..., "auth": ...}))

``shaped`` refuses a dict whose keys differ from its schema's properties, so a
field added to a handler but not to its schema (or the reverse) fails the first
test that calls it instead of drifting from the published description.
"""

from __future__ import annotations

from typing import Any

from proto.tools.responses import PROBLEM_JSON, PROBLEM_SCHEMA
from proto.tools.xml_body import XML_TYPES

WHOAMI: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["username", "admin", "auth"],
    "properties": {
        "username": {"type": "string"},
        "admin": {"type": "boolean"},
        "auth": {"type": "string", "enum": ["session", "certificate", "token"]},
    },
}

DOCUMENT: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "name", "content_type", "size", "sha256", "root", "elements", "created", "url", "raw_url"],
    "properties": {
        "id": {"type": "string"},
        "name": {"type": "string"},
        "content_type": {"type": "string", "enum": list(XML_TYPES)},
        "size": {"type": "integer", "minimum": 0},
        "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
        "root": {"type": "string", "description": "The root element, {namespace}local when namespaced."},
        "elements": {"type": "integer", "minimum": 1},
        "created": {"type": "string", "format": "date-time"},
        "url": {"type": "string", "description": "The document's page for people."},
        "raw_url": {"type": "string", "description": "The document's bytes: GET, HEAD, DELETE."},
    },
}

DOCUMENT_LIST: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["documents", "total", "page", "pages"],
    "properties": {
        "documents": {"type": "array", "items": {"$ref": "#/components/schemas/Document"}},
        "total": {"type": "integer", "minimum": 0},
        "page": {"type": "integer", "minimum": 1},
        "pages": {"type": "integer", "minimum": 1},
    },
}

# Named once in components/schemas; responses refer to them by these names.
SCHEMAS: dict[str, dict[str, Any]] = {
    "Problem": PROBLEM_SCHEMA, "Whoami": WHOAMI, "Document": DOCUMENT, "DocumentList": DOCUMENT_LIST}

# A document travels as its bytes: any string, in one of the exchange's XML types.
XML_BYTES: dict[str, Any] = {"type": "string", "description": "The XML document's bytes, as uploaded."}


def ref(name: str) -> dict[str, str]:
    """Return a reference to a named schema of the document's components."""
    assert name in SCHEMAS, f"no schema named {name!r}"
    return {"$ref": f"#/components/schemas/{name}"}


def json_response(description: str, name: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    """Return a Response Object whose body is JSON of the named schema."""
    response: dict[str, Any] = {"description": description, "content": {"application/json": {"schema": ref(name)}}}
    if headers:
        response["headers"] = headers
    return response


def problem_response(description: str) -> dict[str, Any]:
    """Return a Response Object for an error answered as problem+json."""
    return {"description": description, "content": {PROBLEM_JSON: {"schema": ref("Problem")}}}


def xml_response(description: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    """Return a Response Object whose body is a stored document's bytes, in its own XML type."""
    return {"description": description, "content": {media_type: {"schema": XML_BYTES} for media_type in XML_TYPES},
            "headers": headers or {}}


def header(description: str, *, required: bool = True) -> dict[str, Any]:
    """Return a response Header Object holding a string."""
    return {"description": description, "required": required, "schema": {"type": "string"}}


def shaped(schema: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """Return ``data`` if it has exactly the schema's properties; refuse a drifted shape."""
    declared, sent = set(schema["properties"]), set(data)
    if declared != sent:
        raise AssertionError(f"the JSON drifted from its schema: missing {declared - sent}, undeclared {sent - declared}")
    return data
