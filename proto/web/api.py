"""``/api/``: JSON for programs (raw XML for documents); errors are problem+json."""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import unquote

import cherrypy

from proto import __version__
from proto.documents.store import DEFAULT_NAME, PAGE_SIZE, Document
from proto.services import Services
from proto.tools.responses import json_body
from proto.tools.templates import render
from proto.tools.xml_body import XML_TYPES, utf8_header
from proto.web.api_schemas import (DOCUMENT, DOCUMENT_LIST, WHOAMI, XML_BYTES, header, json_response,
                                   problem_response, shaped, xml_response)
from proto.web.documents import NOT_FOUND, UploadRefused, find, no_content, receive, send, store
from proto.web.openapi import openapi_document
from proto.web.requests import caller, record, single
from proto.web.tree import Node, Operation, api, expose

MAX_PAGE = 1_000_000
NO_SUCH_DOCUMENT = problem_response("There is no such document, or it is not the caller's.")
DOWNLOAD_HEADERS = {
    "ETag": header("The SHA-256 of the bytes, quoted: send it back in If-None-Match."),
    "Content-Disposition": header("attachment, with the document's name (RFC 6266)."),
}
IF_NONE_MATCH = {"name": "If-None-Match", "in": "header", "required": False, "schema": {"type": "string"},
                 "description": "ETags already held: 304 when the document's is among them (or *)."}


def document_json(document: Document) -> dict[str, Any]:
    """Describe a document as the API does (PRODUCT.md §4)."""
    prefix = cherrypy.serving.request.script_name
    return shaped(DOCUMENT, {
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
    })


def page_parameter(page: str) -> int:
    """Return the page number a program asked for; anything but a whole number from 1 is a 400."""
    # Programs get told about a wrong page, where the HTML list quietly shows page 1.
    if not page.isascii() or not page.isdigit() or not 1 <= int(page) <= MAX_PAGE:
        raise cherrypy.HTTPError(400, f"page must be a whole number from 1 to {MAX_PAGE}")
    return int(page)


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
    @api(
        GET=Operation(
            summary="Return the document's bytes with its own XML media type.",
            parameters=[IF_NONE_MATCH],
            responses={200: xml_response("The document's bytes, as an attachment.", DOWNLOAD_HEADERS),
                       304: {"description": "The caller holds this version already (If-None-Match).",
                             "headers": {"ETag": DOWNLOAD_HEADERS["ETag"]}},
                       404: NO_SUCH_DOCUMENT}),
        HEAD=Operation(
            summary="Return the document's headers without its bytes.",
            parameters=[IF_NONE_MATCH],
            responses={200: {"description": "The document's headers, no body.", "headers": DOWNLOAD_HEADERS},
                       304: {"description": "The caller holds this version already (If-None-Match).",
                             "headers": {"ETag": DOWNLOAD_HEADERS["ETag"]}},
                       404: {"description": "There is no such document, or it is not the caller's."}}),
        DELETE=Operation(
            summary="Delete the document for good.",
            responses={204: {"description": "Deleted."}, 404: NO_SUCH_DOCUMENT}),
    )
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
    @api(
        GET=Operation(
            summary="List the caller's documents (an admin's: everyone's), newest first.",
            parameters=[
                {"name": "page", "in": "query", "required": False,
                 "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
                 "description": f"The page, {PAGE_SIZE} documents each."},
                {"name": "q", "in": "query", "required": False, "schema": {"type": "string"},
                 "description": "Search the names and root elements."}],
            responses={200: json_response("One page of documents.", "DocumentList"),
                       400: problem_response("The page is not a whole number from 1, or an unknown query parameter.")}),
        POST=Operation(
            summary="Store the XML document sent as the raw body.",
            parameters=[
                {"name": "Slug", "in": "header", "required": False, "schema": {"type": "string"},
                 "description": "The document's name, percent-encoded UTF-8 (RFC 5023)."},
                {"name": "name", "in": "query", "required": False, "schema": {"type": "string"},
                 "description": "The document's name, when there is no Slug header."}],
            request={media_type: XML_BYTES for media_type in XML_TYPES},
            responses={201: json_response("Stored.", "Document", {"Location": header("The document's raw_url.")}),
                       400: problem_response("Empty, not well-formed, with a DOCTYPE or entities, or too deep; "
                                             "or an unknown query parameter."),
                       413: problem_response("Over the size limit."),
                       415: problem_response("Not sent as one of the XML media types."),
                       422: problem_response("Not valid against the configured XML Schema."),
                       507: problem_response("The server has no room left for it.")}),
    )
    def index(self, page: str = "1", q: str = "", name: str = "", **unknown: str) -> bytes:
        """List documents (?page=, ?q=); POST a raw XML body (Slug or ?name=) to store one: 201."""
        if unknown:
            # A misspelt ?pgae= must not quietly list page 1; CherryPy alone would answer an odd 404.
            raise cherrypy.HTTPError(400, f"unknown query parameters: {', '.join(sorted(unknown))}")
        if cherrypy.serving.request.method == "GET":
            number = page_parameter(single(page, "page"))
            documents, total = store().list(caller(), number, single(q, "q"))
            return json_body(shaped(DOCUMENT_LIST, {
                "documents": [document_json(document) for document in documents], "total": total,
                "page": number, "pages": max(1, math.ceil(total / PAGE_SIZE))}))
        try:
            document = receive(slug_name(single(name, "name")), "empty document")
        except UploadRefused as refusal:
            raise cherrypy.HTTPError(refusal.status, refusal.message) from None
        cherrypy.serving.response.headers["Location"] = document_json(document)["raw_url"]
        return json_body(document_json(document), status=201)


class Api(Node):
    """The JSON API: ``/api/``."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.documents = DocumentsApi(services)
        self._description: dict[str, Any] | None = None

    @expose(access="public")
    @api(GET=Operation(responses={200: {"description": "A page for people.",
                                        "content": {"text/html": {"schema": {"type": "string"}}}}}))
    def index(self) -> bytes:
        """Read the API's description as a page: every operation, who may call it, what it takes and answers."""
        return render("api/index.mako", document=self.description())

    @expose(access="user")
    @api(GET=Operation(responses={200: json_response("The caller.", "Whoami")}))
    def whoami(self) -> bytes:
        """Tell who the caller is and how they authenticated."""
        account = caller()
        return json_body(shaped(WHOAMI, {"username": account.username, "admin": account.is_admin,
                                         "auth": cherrypy.serving.request.auth_method}))

    @expose(access="public", segment="openapi.json")
    @api(GET=Operation(responses={200: {"description": "This description, OpenAPI 3.1.",
                                        "content": {"application/json": {"schema": {"type": "object"}}}}}))
    def openapi_json(self) -> bytes:
        """Describe the API: its OpenAPI 3.1 document, generated from the handlers."""
        return json_body(self.description())

    def description(self) -> dict[str, Any]:
        """Return the OpenAPI document, generated at the first request and kept: the tree does not change."""
        if self._description is None:
            self._description = openapi_document(self, version=__version__,
                                                 server=cherrypy.serving.request.script_name or "/")
        return self._description
