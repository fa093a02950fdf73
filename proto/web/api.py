"""``/api/``: JSON for programs (raw XML for documents); errors are problem+json."""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import unquote

import cherrypy

from proto.documents.store import DEFAULT_NAME, PAGE_SIZE, Document
from proto.services import Services
from proto.tools.responses import json_body
from proto.tools.xml_body import utf8_header
from proto.web.documents import NOT_FOUND, UploadRefused, find, no_content, receive, send, store
from proto.web.requests import caller, page_number, record
from proto.web.tree import Node, expose


def document_json(document: Document) -> dict[str, Any]:
    """Describe a document as the API does (PRODUCT.md §4)."""
    prefix = cherrypy.serving.request.script_name
    return {
        "id": document.id,
        "name": document.name,
        "content_type": document.content_type,
        "size": document.size,
        "sha256": document.sha256,
        "root": document.root,
        "elements": document.elements,
        "created": document.created_at.isoformat(timespec="seconds").replace("+00:00", "Z"),
        "url": f"{prefix}/documents/{document.id}/",
        "raw_url": f"{prefix}/api/documents/{document.id}",
    }


def slug_name(name: str) -> str:
    """Return the document name from the Slug header (percent-encoded UTF-8, RFC 5023) or ?name=."""
    slug = cherrypy.serving.request.headers.get("Slug")
    if slug:
        # Percent-encoded as RFC 5023 says, or raw UTF-8 as some clients send it.
        return unquote(utf8_header(slug), errors="replace")
    return name or DEFAULT_NAME


class DocumentResource(Node):
    """One document's bytes: ``/api/documents/<id>``."""

    def __init__(self, services: Services) -> None:
        self.services = services

    @expose(access="user", methods=("GET", "HEAD", "DELETE"))
    def index(self, id: str) -> Any:
        """Return the document's bytes with its MIME type (ETag, If-None-Match); DELETE removes it (204)."""
        if cherrypy.serving.request.method != "DELETE":
            return send(find(id))
        document = store().delete(id, caller())
        if document is None:
            raise cherrypy.HTTPError(404, NOT_FOUND)
        record("delete", detail=f"{document.id} {document.name!r}")
        return no_content(204)


class DocumentsApi(Node):
    """The caller's documents: ``/api/documents``."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.dynamic = ("id", DocumentResource(services))

    @expose(access="user", methods=("GET", "POST"))
    def index(self, page: str = "1", q: str = "", name: str = "") -> bytes:
        """List documents (?page=, ?q=); POST a raw XML body (Slug or ?name=) to store one: 201."""
        if cherrypy.serving.request.method == "GET":
            number = page_number(page)
            documents, total = store().list(caller(), number, q)
            return json_body({"documents": [document_json(document) for document in documents], "total": total,
                              "page": number, "pages": max(1, math.ceil(total / PAGE_SIZE))})
        try:
            document = receive(slug_name(name), "empty document")
        except UploadRefused as refusal:
            raise cherrypy.HTTPError(refusal.status, refusal.message) from None
        cherrypy.serving.response.headers["Location"] = document_json(document)["raw_url"]
        return json_body(document_json(document), status=201)


class Api(Node):
    """The JSON API: ``/api/``."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.documents = DocumentsApi(services)

    @expose(access="user")
    def whoami(self) -> bytes:
        """Tell who the caller is and how they authenticated."""
        account = caller()
        return json_body({"username": account.username, "admin": account.is_admin,
                          "auth": cherrypy.serving.request.auth_method})
