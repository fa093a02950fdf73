"""Validation against conf/document.xsd: the examples pass, broken documents get 422."""

from __future__ import annotations

import socket
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from lxml import etree

from proto.documents.intake import DocumentIntake, IntakeError
from proto.documents.schema import LXML_MISSING, load_validator

CONF = Path(__file__).resolve().parents[2] / "conf"
XSD = CONF / "document.xsd"
EXAMPLES = sorted((CONF / "examples").glob("*.xml"))
NS = "urn:proto:document:1"


@pytest.fixture(scope="module")
def validate() -> Callable[[Path], None]:
    """Return the validator for the shipped schema (tree mode for small documents)."""
    return load_validator(XSD)


@pytest.fixture(scope="module")
def validate_streaming() -> Callable[[Path], None]:
    """Return the validator for the shipped schema that streams every document."""
    return load_validator(XSD, tree_limit=0)


def write(tmp_path: Path, text: str, name: str = "doc.xml") -> Path:
    """Write a document and return its path."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def report_without(tag: str) -> str:
    """Return report.xml with the element tag (on its own line) removed."""
    lines = (CONF / "examples" / "report.xml").read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in lines if not line.strip().startswith(f"<{tag}>")]
    assert len(kept) == len(lines) - 1
    return "".join(kept)


def test_there_are_examples() -> None:
    assert {path.name for path in EXAMPLES} >= {"minimal.xml", "report.xml", "with-extension.xml"}


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda path: path.name)
def test_examples_validate(validate: Callable[[Path], None], validate_streaming: Callable[[Path], None],
                           example: Path) -> None:
    assert validate(example) is None
    assert validate_streaming(example) is None


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda path: path.name)
def test_examples_pass_the_intake_with_the_validator(validate: Callable[[Path], None], tmp_path: Path,
                                                     example: Path) -> None:
    with DocumentIntake(tmp_path, validator=validate) as intake:
        intake.feed(example.read_bytes())
        result = intake.finish()
    assert result.root == f"{{{NS}}}document"


def test_missing_title_is_422_with_the_line(validate: Callable[[Path], None], tmp_path: Path) -> None:
    path = write(tmp_path, report_without("title"))
    with pytest.raises(IntakeError) as caught:
        validate(path)
    assert (caught.value.status, caught.value.kind, caught.value.line) == (422, "invalid", 3)
    assert caught.value.message == (
        f"document is not valid against the schema, line 3: Element '{{{NS}}}author': "
        f"This element is not expected. Expected is ( {{{NS}}}title )."
    )


def test_missing_title_is_422_when_streaming(validate_streaming: Callable[[Path], None], tmp_path: Path) -> None:
    path = write(tmp_path, report_without("title"))
    with pytest.raises(IntakeError) as caught:
        validate_streaming(path)
    assert (caught.value.status, caught.value.kind, caught.value.line) == (422, "invalid", None)
    assert caught.value.message.startswith(f"document is not valid against the schema: Element '{{{NS}}}author'")


INVALID = [
    pytest.param(
        f'<document xmlns="{NS}"><title>t</title><created>yesterday</created>'
        "<body><section><heading>h</heading></section></body></document>",
        "'yesterday' is not a valid value of the atomic type 'xs:dateTime'",
        id="created-not-a-date",
    ),
    pytest.param(
        f'<document xmlns="{NS}"><title>t</title><body/></document>',
        "Missing child element(s)",
        id="body-without-section",
    ),
    pytest.param(
        f'<document xmlns="{NS}"><title>t</title><body><section><heading>h</heading></section></body>'
        '<extra xmlns=""/></document>',
        "Element 'extra': This element is not expected",
        id="unqualified-extension",
    ),
    pytest.param(
        f'<document xmlns="{NS}"><title>t</title><body><section><heading>h</heading></section></body>'
        "<note>own namespace is not an extension</note></document>",
        f"Element '{{{NS}}}note': This element is not expected",
        id="extension-in-own-namespace",
    ),
    pytest.param(
        f'<document xmlns="{NS}" id="has space"><title>t</title>'
        "<body><section><heading>h</heading></section></body></document>",
        "attribute 'id'",
        id="bad-id",
    ),
    pytest.param(
        '<document xmlns="urn:proto:document:2"><title>t</title></document>',
        "No matching global declaration available for the validation root",
        id="other-version",
    ),
    pytest.param(
        f'<document xmlns="{NS}"><title>t</title><body><section><heading>h</heading>'
        '<para>see <link>nowhere</link></para></section></body></document>',
        "The attribute 'href' is required but missing",
        id="link-without-href",
    ),
]


@pytest.mark.parametrize(("text", "message"), INVALID)
def test_invalid_documents_are_422(validate: Callable[[Path], None], validate_streaming: Callable[[Path], None],
                                   tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    for check in (validate, validate_streaming):
        with pytest.raises(IntakeError) as caught:
            check(path)
        assert caught.value.status == 422
        assert message in caught.value.message


def test_the_intake_removes_an_invalid_document(validate: Callable[[Path], None], tmp_path: Path) -> None:
    spool = tmp_path / "spool"
    spool.mkdir()
    with pytest.raises(IntakeError) as caught:
        with DocumentIntake(spool, validator=validate) as intake:
            intake.feed(report_without("title").encode())
            intake.finish()
    assert caught.value.status == 422
    assert list(spool.iterdir()) == []


def test_large_documents_stream(validate: Callable[[Path], None], tmp_path: Path) -> None:
    section = "<section><heading>h</heading>" + "<para>text <em>and</em> more</para>" * 200 + "</section>\n"
    body = f'<document xmlns="{NS}"><title>big</title><body>\n' + section * 400 + "</body></document>\n"
    path = write(tmp_path, body)
    assert path.stat().st_size > 2 * 1024 * 1024
    assert validate(path) is None
    broken = write(tmp_path, body.replace("<heading>h</heading>", "", 1), "broken.xml")
    with pytest.raises(IntakeError) as caught:
        validate(broken)
    assert caught.value.status == 422
    assert f"Element '{{{NS}}}para': This element is not expected" in caught.value.message


def test_xinclude_in_the_extension_point_is_valid_and_not_fetched(validate: Callable[[Path], None],
                                                                   tmp_path: Path) -> None:
    with socket.create_server(("127.0.0.1", 0)) as server:
        server.setblocking(False)
        url = f"http://127.0.0.1:{server.getsockname()[1]}/remote.xml"
        text = (
            f'<document xmlns="{NS}" xmlns:xi="http://www.w3.org/2001/XInclude"><title>t</title>'
            "<body><section><heading>h</heading></section></body>"
            f'<xi:include href="{url}"/><xi:include href="file:///etc/passwd" parse="text"/></document>'
        )
        path = write(tmp_path, text)
        assert validate(path) is None
        with pytest.raises(BlockingIOError):
            server.accept()
    assert path.read_text(encoding="utf-8") == text


def test_deeper_than_libxml2_allows_is_422(validate: Callable[[Path], None], tmp_path: Path) -> None:
    # Only reachable when document_max_depth is raised above 256.
    path = write(tmp_path, f'<document xmlns="{NS}">' + "<a>" * 300 + "</a>" * 300 + "</document>")
    with pytest.raises(IntakeError) as caught:
        validate(path)
    assert caught.value.status == 422
    assert "document cannot be validated, line 1: Excessive depth" in caught.value.message


def test_validation_is_safe_from_several_threads(validate: Callable[[Path], None], tmp_path: Path) -> None:
    good = EXAMPLES[0]
    bad = write(tmp_path, report_without("title"), "bad.xml")

    def check(path: Path) -> str:
        try:
            validate(path)
        except IntakeError as exc:
            return exc.message
        return "valid"

    paths = [good, bad] * 50
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(check, paths))
    assert answers[0::2] == ["valid"] * 50
    assert all("line 3: Element" in answer for answer in answers[1::2])


def test_without_lxml_the_error_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "lxml", None)
    monkeypatch.setitem(sys.modules, "lxml.etree", None)
    with pytest.raises(RuntimeError) as caught:
        load_validator(XSD)
    assert str(caught.value) == "the schema setting needs lxml >= 6.1: pip install -e '.[schema]'"
    assert str(caught.value) == LXML_MISSING


def test_an_old_lxml_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(etree, "LXML_VERSION", (6, 0, 2, 0))
    monkeypatch.setattr(etree, "__version__", "6.0.2")
    with pytest.raises(RuntimeError, match=r"needs lxml >= 6\.1: .* \(found 6\.0\.2\)"):
        load_validator(XSD)


def test_a_missing_or_broken_schema_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="cannot load the schema"):
        load_validator(tmp_path / "missing.xsd")
    with pytest.raises(RuntimeError, match="cannot load the schema"):
        load_validator(write(tmp_path, "<xs:schema xmlns:xs='http://www.w3.org/2001/XMLSchema'><oops/>",
                             "unclosed.xsd"))
    with pytest.raises(RuntimeError, match="cannot load the schema"):
        load_validator(write(tmp_path, "<xs:schema xmlns:xs='http://www.w3.org/2001/XMLSchema'><oops/></xs:schema>",
                             "not-a-schema.xsd"))
