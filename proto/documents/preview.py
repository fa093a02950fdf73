"""A pretty-printed, highlightable preview of the start of a stored document.

    preview = make_preview(file, limit=PREVIEW_BYTES)
    for indent, tokens in preview.lines:      # tokens: (kind, text) pairs
        ...

Only the first ``limit`` bytes are read, and expat walks them once: memory
stays small whatever the document's size. The tokens are plain text (XML
markup re-escaped as XML); the template escapes them for HTML, so a document
full of ``<script>`` shows as text.
"""

from __future__ import annotations

import dataclasses
from typing import BinaryIO
from xml.parsers import expat
from xml.sax.saxutils import escape, quoteattr

PREVIEW_BYTES = 256 * 1024
MAX_LINES = 5000

Token = tuple[str, str]
Line = tuple[int, list[Token]]


@dataclasses.dataclass(frozen=True)
class Preview:
    """The lines of a preview and whether the document goes on beyond them."""

    lines: list[Line]
    truncated: bool


class _Printer:
    """Turn expat events into indented lines of (kind, text) tokens."""

    def __init__(self) -> None:
        self.lines: list[Line] = []
        self.depth = 0
        # A start tag waiting to see whether its element holds only text.
        self.open: list[Token] | None = None
        self.open_text: str | None = None

    def start(self, name: str, attributes: list[str]) -> None:
        self.flush()
        tokens: list[Token] = [("tag", "<" + name)]
        for key, value in zip(attributes[::2], attributes[1::2]):
            tokens += [("text", " "), ("attr", key), ("text", "="), ("value", quoteattr(value))]
        self.open, self.open_text = tokens, None
        self.depth += 1

    def end(self, name: str) -> None:
        self.depth -= 1
        if self.open is not None:
            if self.open_text is None:
                self.lines.append((self.depth, self.open + [("tag", "/>")]))
            else:
                self.lines.append((self.depth, self.open + [("tag", ">"), ("text", escape(self.open_text)),
                                                            ("tag", f"</{name}>")]))
            self.open = self.open_text = None
        else:
            self.lines.append((self.depth, [("tag", f"</{name}>")]))

    def text(self, data: str) -> None:
        if not data.strip():
            return
        if self.open is not None and self.open_text is None:
            self.open_text = data.strip()
            return
        self.flush()
        self.lines.append((self.depth, [("text", escape(data.strip()))]))

    def comment(self, data: str) -> None:
        self.flush()
        self.lines.append((self.depth, [("comment", f"<!--{data}-->")]))

    def instruction(self, target: str, data: str) -> None:
        self.flush()
        self.lines.append((self.depth, [("pi", f"<?{target} {data}?>" if data else f"<?{target}?>")]))

    def flush(self) -> None:
        """Write out a pending start tag (and its text) as lines of their own."""
        if self.open is None:
            return
        self.lines.append((self.depth - 1, self.open + [("tag", ">")]))
        if self.open_text is not None:
            self.lines.append((self.depth, [("text", escape(self.open_text))]))
        self.open = self.open_text = None


def make_preview(file: BinaryIO, *, limit: int = PREVIEW_BYTES, max_lines: int = MAX_LINES) -> Preview:
    """Read up to limit bytes of a well-formed document and return its pretty-printed lines."""
    head = file.read(limit)
    truncated = bool(file.read(1))
    printer = _Printer()
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.ordered_attributes = True
    parser.StartElementHandler = printer.start
    parser.EndElementHandler = printer.end
    parser.CharacterDataHandler = printer.text
    parser.CommentHandler = printer.comment
    parser.ProcessingInstructionHandler = printer.instruction
    try:
        # Not final when cut short: the rest of the document is simply not shown.
        parser.Parse(head, not truncated)
    except expat.ExpatError:
        # Stored documents are well-formed; a cut inside a token only ends the preview.
        truncated = True
    printer.flush()
    lines = printer.lines
    if len(lines) > max_lines:
        lines, truncated = lines[:max_lines], True
    return Preview(lines, truncated)
