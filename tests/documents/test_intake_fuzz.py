"""Fuzzing the intake: whatever the bytes and however they are chunked, it accepts or refuses cleanly."""

import hashlib
import xml.etree.ElementTree as ElementTree
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from proto.documents.intake import DocumentIntake, IntakeError

NAMES = st.from_regex(r"[A-Za-z_][A-Za-z0-9_.-]{0,8}", fullmatch=True)
# Characters XML 1.0 allows (no C0 controls but tab and newline, no surrogates, no U+FFFE/FFFF).
TEXT = st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFFFD, blacklist_categories=("Cs",))
               | st.sampled_from("\t\n"), max_size=20)


@st.composite
def elements(draw, depth=0):
    """Draw an element tree as (xml text, element count)."""
    name = draw(NAMES)
    attributes = draw(st.dictionaries(NAMES, TEXT, max_size=3))
    children = draw(st.lists(elements(depth + 1), max_size=3)) if depth < 3 else []
    element = ElementTree.Element(name, attributes)
    element.text = draw(TEXT)
    count = 1
    for child_xml, child_count in children:
        element.append(ElementTree.fromstring(child_xml))
        count += child_count
    return ElementTree.tostring(element, encoding="unicode"), count


def chunked(data: bytes, sizes: list[int]) -> list[bytes]:
    """Cut data into pieces of the drawn sizes (cycling), so every boundary gets its turn."""
    pieces, start, index = [], 0, 0
    while start < len(data):
        size = sizes[index % len(sizes)]
        pieces.append(data[start:start + size])
        start, index = start + size, index + 1
    return pieces


def spool_files(spool: Path) -> list[Path]:
    return list(spool.iterdir())


FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(document=elements(), sizes=st.lists(st.integers(1, 97), min_size=1, max_size=5))
def test_every_well_formed_document_is_accepted_exactly(tmp_path, document, sizes):
    text, count = document
    data = ("<?xml version='1.0' encoding='UTF-8'?>\n" + text).encode("utf-8")
    intake = DocumentIntake(tmp_path, max_bytes=1 << 20, max_depth=64)
    for piece in chunked(data, sizes):
        intake.feed(piece)
    result = intake.finish()
    assert result.elements == count
    assert result.size == len(data)
    assert result.sha256 == hashlib.sha256(data).hexdigest()
    assert result.spool_path.read_bytes() == data
    intake.discard()
    assert spool_files(tmp_path) == []


@FUZZ
@given(data=st.binary(max_size=400), sizes=st.lists(st.integers(1, 64), min_size=1, max_size=4))
def test_arbitrary_bytes_are_accepted_or_refused_with_a_status(tmp_path, data, sizes):
    intake = DocumentIntake(tmp_path, max_bytes=300, max_depth=8)
    try:
        for piece in chunked(data, sizes):
            intake.feed(piece)
        result = intake.finish()
    except IntakeError as error:
        assert error.status in (400, 413)
        assert error.message
        assert spool_files(tmp_path) == []
        return
    # Accepted: it really is one well-formed element tree, stored byte for byte.
    ElementTree.fromstring(data)
    assert result.spool_path.read_bytes() == data
    intake.discard()


@FUZZ
@given(document=elements(), position=st.integers(0, 10_000), junk=st.sampled_from(
    [b"<", b"&", b"\xff", b"<!DOCTYPE x>", b"]]>", b"</zz>", b"\x00", b"&unknown;"]))
def test_a_damaged_document_is_refused_cleanly(tmp_path, document, position, junk):
    data = document[0].encode("utf-8")
    cut = position % (len(data) + 1)
    damaged = data[:cut] + junk + data[cut:]
    intake = DocumentIntake(tmp_path, max_bytes=1 << 20, max_depth=64)
    try:
        intake.feed(damaged)
        intake.finish()
    except IntakeError as error:
        assert error.status == 400
        assert spool_files(tmp_path) == []
        return
    # Some insertions keep a document well-formed (e.g. "]]>" inside an attribute value is fine).
    ElementTree.fromstring(damaged)
    intake.discard()
