"""``/documents/``: list, upload, view, download and delete documents in the browser.

The helpers at the top are shared with the API (``proto/web/api.py``): both
receive documents through the XML body processor (``proto/tools/xml_body.py``),
serve them with the same download headers, and answer 404 alike for a missing
document and for someone else's.
"""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import quote

import cherrypy
from cherrypy.lib.static import serve_fileobj

from proto.documents.intake import IntakeError
from proto.documents.preview import PREVIEW_BYTES, make_preview
from proto.documents.store import PAGE_SIZE, Document, DocumentStore
from proto.services import Services
from proto.storage.files import StorageError
from proto.tools.sessions import flash
from proto.tools.templates import render
from proto.tools.xml_body import Refusal, current_upload
from proto.web.requests import caller, page_number, record, redirect, single
from proto.web.tree import Node, expose

NOT_FOUND = "There is no such document."
# A stored document may be XHTML with script: it must never run as one of our pages.
DOWNLOAD_POLICY = "sandbox; default-src 'none'; frame-ancestors 'none'"


class UploadRefused(Exception):
    """A document was not stored; carries the refusal (status, message) for the caller's format."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.message)
        self.status = refusal.status
        self.message = refusal.message


def receive(name: str, missing: str) -> Document:
    """Store the document the body processor received for the caller; audit the upload or its refusal."""
    upload = current_upload()
    refusal = upload.error
    if refusal is None and upload.result is None:
        refusal = IntakeError(400, missing, kind="empty")
    if refusal is None:
        try:
            document = store().add(caller(), name, upload.content_type, upload.take())
        except StorageError as error:
            refusal = error
    if refusal is not None:
        # The reason, never the content: the message holds a position, not the bytes.
        record("upload", "refused", f"{refusal.kind}: {refusal.message}")
        raise UploadRefused(refusal)
    record("upload", detail=f"{document.id} {document.name!r} {document.size} bytes")
    return document


def store() -> DocumentStore:
    """Return the document store of the current application."""
    return cherrypy.serving.request.app.services.documents


def find(document_id: str) -> Document:
    """Return the caller's (or, for an admin, anyone's) document, or raise 404 as if it did not exist."""
    document = store().get(document_id, caller())
    if document is None:
        raise cherrypy.HTTPError(404, NOT_FOUND)
    return document


def content_disposition(name: str) -> str:
    """Return an attachment header carrying the name per RFC 6266: an ASCII fallback and UTF-8."""
    fallback = "".join(char if " " <= char < "\x7f" and char not in '"\\%' else "_" for char in name)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def no_content(status: int) -> bytes:
    """Answer an empty 204 or 304, without the Content-Type an empty answer must not have."""
    response = cherrypy.serving.response
    response.status = status
    response.headers.pop("Content-Type", None)
    return b""


def send(document: Document) -> Any:
    """Answer the document's bytes as an inert attachment, honouring If-None-Match; audit the download."""
    request, response = cherrypy.serving.request, cherrypy.serving.response
    etag = f'"{document.sha256}"'
    response.headers["ETag"] = etag
    response.headers["Content-Security-Policy"] = DOWNLOAD_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-cache"
    sent = [tag.strip().removeprefix("W/") for tag in request.headers.get("If-None-Match", "").split(",")]
    if etag in sent or "*" in sent:
        return no_content(304)
    if request.method == "GET":
        record("download", detail=f"{document.id} {document.name!r}")
    response.headers["Content-Disposition"] = content_disposition(document.name)
    # Streamed from the file in chunks: a large document never sits in memory.
    response.stream = True
    return serve_fileobj(store().open(document), content_type=document.content_type)


class DocumentPage(Node):
    """One document: ``/documents/<id>/``."""

    def __init__(self, services: Services) -> None:
        self.services = services

    @expose(access="user")
    def index(self, id: str) -> bytes:
        """Show a document's details, a download link, a delete button and a preview of its start."""
        document = find(id)
        with store().open(document) as file:
            preview = make_preview(file)
        return render("documents/document.mako", document=document, preview=preview, preview_bytes=PREVIEW_BYTES)

    @expose(access="user")
    def raw(self, id: str) -> Any:
        """Download the document's bytes as uploaded, as an attachment."""
        return send(find(id))

    @expose(access="user", methods=("POST",))
    def delete(self, id: str) -> None:
        """Delete the document (field csrf_token)."""
        document = store().delete(id, caller())
        if document is None:
            raise cherrypy.HTTPError(404, NOT_FOUND)
        record("delete", detail=f"{document.id} {document.name!r}")
        if cherrypy.serving.request.auth_method == "session":
            flash(f"{document.name} was deleted.")
        raise redirect("/documents/")


class DocumentsPage(Node):
    """The caller's documents: ``/documents/``."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.dynamic = ("id", DocumentPage(services))

    @expose(access="user")
    def index(self, page: str = "1", q: str = "") -> bytes:
        """List the caller's documents (an admin's: all), newest first; search names and roots (?q=, ?page=)."""
        page, q = single(page, "page"), single(q, "q")
        number = page_number(page)
        viewer = caller()
        ids, total = store().page(viewer, number, q)
        # The list's markup is kept by what it shows (templates/documents/index.mako): the rows'
        # columns are read only when a list is rendered for the first time.
        return render("documents/index.mako", ids=ids, load_documents=lambda: store().documents(ids, viewer),
                      total=total, page=number, pages=max(1, math.ceil(total / PAGE_SIZE)), q=q)

    @expose(access="user", methods=("GET", "POST"))
    def upload(self, document: Any = None) -> bytes:
        """Upload an XML document from a file (multipart form: file field document, csrf_token)."""
        limit = self.services.settings.document_max_bytes
        if cherrypy.serving.request.method == "GET":
            return render("documents/upload.mako", error=None, limit=limit)
        try:
            stored = receive(current_upload().filename or "", "choose an XML file to upload")
        except UploadRefused as refusal:
            cherrypy.serving.response.status = refusal.status
            return render("documents/upload.mako", error=refusal.message, limit=limit)
        raise redirect(f"/documents/{stored.id}/")
