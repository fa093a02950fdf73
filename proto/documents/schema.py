"""Validation of received documents against an XML Schema (the optional lxml extra).

    [proto]
    schema = "document.xsd"    # relative to the config file; unset: no validation

Install with ``pip install -e '.[schema]'`` (lxml >= 6.1). The intake calls the
validator on the spooled file, which expat has already proven well-formed and
free of any DOCTYPE; lxml still parses it with entities, DTDs and the network
off, and nothing here ever calls xinclude() or XSLT.
"""

from __future__ import annotations

import os
import threading
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from proto.documents.intake import IntakeError

if TYPE_CHECKING:
    from lxml import etree

LXML_MINIMUM = (6, 1)
LXML_MISSING = "the schema setting needs lxml >= 6.1: pip install -e '.[schema]'"
# Documents up to this size are validated as a tree, which gives the line of
# an error; larger ones are validated while streaming, in flat memory but
# without a line (libxml2 reports none in that mode). A tree costs ~15x the
# document, much more for tiny elements.
TREE_LIMIT = 1024 * 1024
READ_SIZE = 64 * 1024

_PARSER_OPTIONS: dict[str, Any] = dict(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    dtd_validation=False,
    huge_tree=False,
    # No ID hash: nothing looks elements up by ID, and it would grow with the document.
    collect_ids=False,
)


def _import_lxml() -> Any:
    """Return lxml.etree, or raise RuntimeError saying how to install a recent enough one."""
    try:
        from lxml import etree
    except ImportError as exc:
        raise RuntimeError(LXML_MISSING) from exc
    if tuple(etree.LXML_VERSION[:2]) < LXML_MINIMUM:
        # Older lxml has CVE-2026-41066 (iterparse).
        raise RuntimeError(LXML_MISSING + f" (found {etree.__version__})")
    return etree


def load_validator(xsd_path: Path, *, tree_limit: int = TREE_LIMIT) -> Callable[[Path], None]:
    """Compile the XSD at xsd_path and return a function that validates a document file.

    The function raises IntakeError(422) naming the first problem (with its
    line when the document is at most tree_limit bytes) and returns None for
    a valid document. It is safe to call from several threads.
    """
    etree = _import_lxml()
    xsd_path = Path(xsd_path)
    try:
        xsd_tree = etree.parse(str(xsd_path), etree.XMLParser(**_PARSER_OPTIONS))
        etree.XMLSchema(xsd_tree)
    except (OSError, etree.XMLSyntaxError, etree.XMLSchemaParseError) as exc:
        raise RuntimeError(f"cannot load the schema {xsd_path}: {exc}") from exc

    # lxml parsers must not be shared between threads, and a shared XMLSchema
    # shares its error log: each thread compiles its own (the XSD is small).
    local = threading.local()

    def thread_schema() -> etree.XMLSchema:
        schema = getattr(local, "schema", None)
        if schema is None:
            schema = local.schema = etree.XMLSchema(xsd_tree)
        return schema

    def validate(path: Path) -> None:
        """Raise IntakeError(422) unless the document at path is valid against the schema."""
        schema = thread_schema()
        if os.path.getsize(path) <= tree_limit:
            _validate_tree(etree, schema, path)
        else:
            _validate_streaming(etree, schema, path)

    return validate


def _validate_tree(etree: Any, schema: etree.XMLSchema, path: Path) -> None:
    """Validate a small document as a whole tree, reporting the line of the first error."""
    try:
        document = etree.parse(str(path), etree.XMLParser(**_PARSER_OPTIONS))
    except etree.XMLSyntaxError as exc:
        raise _unvalidatable(exc) from None
    if not schema.validate(document):
        error = schema.error_log[0]
        raise IntakeError(422, f"document is not valid against the schema, line {error.line}: {error.message}",
                          kind="invalid", line=error.line or None)


def _validate_streaming(etree: Any, schema: etree.XMLSchema, path: Path) -> None:
    """Validate a large document while parsing it, keeping only the open elements in memory."""
    parser = etree.XMLPullParser(events=("start",), schema=schema, **_PARSER_OPTIONS)
    root = None
    # The events are only needed to find the root; drain the rest in C.
    drain: deque[Any] = deque(maxlen=0)
    try:
        with open(path, "rb") as file:
            while block := file.read(READ_SIZE):
                parser.feed(block)
                if root is None:
                    for _event, root in parser.read_events():
                        break
                drain.extend(parser.read_events())
                # Every child but the last of each open element is complete:
                # drop it, so the tree stays as small as the nesting.
                node = root
                while node is not None and len(node):
                    if len(node) > 1:
                        del node[:-1]
                    node = node[-1]
            parser.close()
    except etree.XMLSyntaxError as exc:
        # exc.error_log also holds earlier documents' errors (lxml keeps a
        # per-thread log): only its newest entry and exc.msg are this one's.
        last = exc.error_log.last_error
        if last is not None and last.domain == etree.ErrorDomains.SCHEMASV:
            # libxml2 gives no line while streaming: the message names the element.
            raise IntakeError(422, f"document is not valid against the schema: {exc.msg}", kind="invalid") from None
        raise _unvalidatable(exc) from None


def _unvalidatable(exc: Any) -> IntakeError:
    """Return the 422 for a document libxml2 refuses to load (over its depth or text limits)."""
    line = exc.lineno or None
    where = f", line {line}" if line else ""
    return IntakeError(422, f"document cannot be validated{where}: {exc.msg}", kind="invalid", line=line)
