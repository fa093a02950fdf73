"""What the document tests share: the attack corpus and a look at what was stored."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from proto.settings import PROJECT_ROOT
from tests.documents.test_intake import ATTACKS as INTAKE_ATTACKS
from proto.storage.tables import documents

EXAMPLES = PROJECT_ROOT / "conf" / "examples"
XML_TYPE = "application/vnd.proto.document+xml"


# The intake's own corpus (tests/documents/test_intake.py), sent through the web: status and message.
WEB_ATTACKS = ("billion-laughs", "quadratic-blowup", "external-entity-file", "external-entity-http",
               "parameter-entity", "external-dtd", "10000-deep", "invalid-utf8", "empty", "plain-text",
               "mismatched-tag", "png")
ATTACKS = [pytest.param(case.values[0], case.values[1], case.values[3], id=case.id)
           for case in INTAKE_ATTACKS if case.id in WEB_ATTACKS]

XINCLUDE = (b'<doc xmlns:xi="http://www.w3.org/2001/XInclude">'
            b'<xi:include href="file:///etc/passwd" parse="text"/>'
            b'<xi:include href="http://127.0.0.1:9/remote.xml"/></doc>')


def stored(app) -> tuple[int, list[Path], list[Path]]:
    """Return the number of document rows, the stored files and the spool files left."""
    with app.services.db.read() as connection:
        rows = connection.execute(select(func.count()).select_from(documents)).scalar_one()
    root = app.services.documents.files.root
    objects = sorted(path for path in (root / "objects").rglob("*") if path.is_file())
    spools = sorted((root / "tmp").iterdir()) if (root / "tmp").exists() else []
    return rows, objects, spools


def assert_nothing_stored(app) -> None:
    """Fail unless no row, no stored file and no spool file exists."""
    assert stored(app) == (0, [], [])
