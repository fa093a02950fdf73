"""The XML body processor: uploads streamed through the document intake as they arrive.

    [/api/documents]
    proto.xml_body.on = True
    proto.xml_body.exclusive = True      # any other Content-Type: 415

    [/documents/upload]
    proto.xml_body.on = True             # multipart: the file field "document" too

Modelled on ``cherrypy.lib.jsontools.json_in``: at ``before_request_body`` the
tool adds a processor for ``application/vnd.proto.document+xml``,
``application/xml`` and ``text/xml`` to a copy of ``request.body.processors``
(the defaults stay, so forms are still parsed), and gives multipart bodies a
``Part`` class that runs the same intake on the ``document`` file field,
whatever type the browser labels it with. The body is read in 64 KiB chunks
into the intake (parse, hash, spool), never held in memory, never read twice.

The outcome waits on ``request.document_upload`` (an ``Upload``): the
IntakeResult, or the IntakeError/StorageError that refused the document, for
the handler to store or to report (and audit) in its own format. A spooled
document the handler did not take is deleted when the request ends, whatever
went wrong after the body was read (a CSRF refusal, an exception).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import cherrypy
from cherrypy._cpreqbody import Entity, Part, process_multipart_form_data
from cherrypy._cptools import Tool

from proto.documents.intake import DocumentIntake, IntakeError, IntakeResult
from proto.storage.files import StorageError

DOCUMENT_TYPE = "application/vnd.proto.document+xml"
XML_TYPES = (DOCUMENT_TYPE, "application/xml", "text/xml")
FORM_FIELD = "document"
READ_SIZE = 64 * 1024

Refusal = IntakeError | StorageError


@dataclasses.dataclass
class Upload:
    """What the body processor made of this request's document."""

    result: IntakeResult | None = None
    error: Refusal | None = None
    content_type: str = ""
    # The file name a form sent with the document (None for a raw body).
    filename: str | None = None
    # The request had a document body (or file field) at all.
    received: bool = False

    def take(self) -> IntakeResult:
        """Hand the spooled document to the caller, who now stores or deletes it."""
        result, self.result = self.result, None
        assert result is not None, "no document to take"
        return result

    def discard(self) -> None:
        """Delete a spooled document nobody took."""
        if self.result is not None:
            self.result.spool_path.unlink(missing_ok=True)
            self.result = None


class _TooLarge(Exception):
    """Stop reading the body: the document is over the limit (answered 413, the connection closes)."""


def utf8_header(value: str) -> str:
    """Return a header value read as Latin-1 (as HTTP parsers do) as the UTF-8 clients really send."""
    try:
        return value.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return value


def current_upload() -> Upload:
    """Return the upload of the current request (an empty one if the tool is off)."""
    return getattr(cherrypy.serving.request, "document_upload", None) or Upload()


def too_large(max_bytes: int) -> IntakeError:
    """Return the refusal of a document over max_bytes."""
    return IntakeError(413, f"document exceeds {max_bytes} bytes", kind="too-large")


def unsupported_type(media_type: str) -> IntakeError:
    """Return the refusal of a body that is not one of the XML types."""
    sent = f"{media_type!r}" if media_type else "no Content-Type"
    return IntakeError(415, f"send the document as {', '.join(XML_TYPES)}, not {sent}", kind="unsupported-type")


class _IntakeSink:
    """A file-like sink that feeds an intake; after a refusal it swallows the rest of the body."""

    def __init__(self, intake: DocumentIntake, upload: Upload) -> None:
        self.intake = intake
        self.upload = upload

    def write(self, data: bytes) -> None:
        if self.upload.error is not None:
            return
        try:
            self.intake.feed(data)
        except (IntakeError, StorageError) as error:
            self.upload.error = error
            if error.status == 413:
                raise _TooLarge() from None

    def seek(self, offset: int) -> None:
        """Accept read_lines_to_boundary's rewind: there is nothing to rewind."""

    def finish(self) -> None:
        """Describe the document once the body has ended, unless it was refused already."""
        if self.upload.error is None:
            try:
                self.upload.result = self.intake.finish()
            except (IntakeError, StorageError) as error:
                self.upload.error = error


def _start_intake(upload: Upload, length: int | None, limit: int, *, exact: bool) -> _IntakeSink:
    """Begin one document: refuse a declared length over the limit before reading a byte."""
    store = cherrypy.serving.request.app.services.documents
    upload.received = True
    if length is not None and length > limit:
        upload.error = too_large(store.max_bytes)
        raise _TooLarge()
    # A raw body's length is the document's; a form's only bounds it.
    return _IntakeSink(store.intake(size_hint=length if exact else None), upload)


def _stream(read: Callable[[int], bytes], sink: _IntakeSink) -> None:
    """Copy a body into the sink in READ_SIZE chunks, reading it to its end."""
    try:
        while chunk := read(READ_SIZE):
            sink.write(chunk)
    except cherrypy.HTTPError as error:
        # request.body.maxbytes, enforced while reading: the same 413 as the intake's.
        if error.status != 413:
            raise
        sink.upload.error = too_large(cherrypy.serving.request.app.services.documents.max_bytes)
        raise _TooLarge() from None


def xml_document_processor(entity: Entity) -> None:
    """Stream an XML request body through the intake into request.document_upload."""
    upload = cherrypy.serving.request.document_upload
    upload.content_type = entity.content_type.value.lower()
    try:
        sink = _start_intake(upload, entity.length, cherrypy.serving.request.app.services.documents.max_bytes,
                             exact=True)
        _stream(entity.fp.read, sink)
        sink.finish()
    except _TooLarge:
        upload.discard()


def refuse_other_types(entity: Entity | None = None) -> None:
    """Record a 415 for a body of any other type, reading it away so memory stays flat."""
    request = cherrypy.serving.request
    upload = request.document_upload
    upload.received = True
    upload.error = unsupported_type(request.body.content_type.value)
    try:
        # Unread bytes would be buffered whole by the server before it answers.
        while request.body.fp.read(READ_SIZE):
            pass
    except cherrypy.HTTPError as error:
        if error.status != 413:
            raise


class DocumentPart(Part):
    """A multipart part that runs the document intake on the form's file field, whatever its label."""

    def process(self) -> None:
        """Take the document field in, and let every other part be processed as usual."""
        if self.name != FORM_FIELD or self.filename is None:
            super().process()
            return
        request = cherrypy.serving.request
        upload = request.document_upload
        if not self.filename:
            # A form sent with no file chosen: there is no document to take in.
            self.read_lines_to_boundary(fp_out=_NullSink())
            return
        if upload.received:
            upload.discard()
            upload.error = IntakeError(400, "send one document per upload", kind="not-well-formed")
            self.read_lines_to_boundary(fp_out=_NullSink())
            return
        # Browsers send the name's UTF-8 bytes as they are.
        upload.filename = utf8_header(self.filename)
        upload.content_type = DOCUMENT_TYPE
        # The whole body's declared length bounds the file part's.
        sink = _start_intake(upload, request.body.length, request.body.maxbytes or float("inf"), exact=False)
        try:
            self.read_lines_to_boundary(fp_out=sink)
        except cherrypy.HTTPError as error:
            if error.status != 413:
                raise
            upload.error = too_large(request.app.services.documents.max_bytes)
            raise _TooLarge() from None
        sink.finish()


class _NullSink:
    """Swallow a part's bytes."""

    def write(self, data: bytes) -> None:
        pass

    def seek(self, offset: int) -> None:
        pass


def upload_form_processor(entity: Entity) -> None:
    """Parse a multipart form; a document over the limit stops it, keeping the fields read so far."""
    try:
        process_multipart_form_data(entity)
    except _TooLarge:
        cherrypy.serving.request.document_upload.discard()
        # The CSRF token comes before the file in our form: it still counts.
        for part in entity.parts:
            if part.name is not None and part.filename is None and part.name not in entity.params:
                entity.params[part.name] = part.fullvalue()
        entity.parts = []


def discard_unclaimed() -> None:
    """Delete the spooled document if the request ends without storing it."""
    upload = getattr(cherrypy.serving.request, "document_upload", None)
    if upload is not None:
        upload.discard()


def install(exclusive: bool = False) -> None:
    """Add the XML processors (and the form's part class) to this request's body."""
    request = cherrypy.serving.request
    request.document_upload = Upload()
    request.hooks.attach("on_end_request", discard_unclaimed)
    body = request.body
    xml = {media_type: xml_document_processor for media_type in XML_TYPES}
    if exclusive:
        # Only the document types are bodies here; anything else is a 415, never form fields.
        body.processors = xml
        body.default_proc = refuse_other_types
    else:
        # A copy with ours added: replacing the dict would silently stop form parsing.
        body.processors = {**body.processors, **xml, "multipart/form-data": upload_form_processor}
        body.part_class = DocumentPart
    # Bigger socket reads: the default 8 KiB makes eight calls per chunk.
    body.bufsize = READ_SIZE


class XmlBodyTool(Tool):
    """Install the XML body processor before the body is read (after the access checks)."""

    def __init__(self) -> None:
        super().__init__("before_request_body", install, priority=70)
