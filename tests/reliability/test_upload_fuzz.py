"""Fuzzing the upload through the whole in-process app: never a 500; stored exactly when answered 201."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from proto import accounts
from tests.documents.test_intake_fuzz import elements
from tests.web.documents_helpers import stored

XML_TYPES = st.sampled_from(["application/vnd.proto.document+xml", "application/xml", "text/xml"])
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@st.composite
def damaged(draw) -> bytes:
    """Draw a well-formed document with junk written over, inserted into or cut from it."""
    data = draw(elements())[0].encode()
    position = draw(st.integers(0, len(data)))
    junk = draw(st.binary(max_size=8) | st.sampled_from([b"<!DOCTYPE d>", b"&x;", b"<", b"]]>", b"\x00", b"\xff"]))
    how = draw(st.sampled_from(["insert", "overwrite", "truncate"]))
    if how == "truncate":
        return data[:position]
    return data[:position] + junk + data[position + (len(junk) if how == "overwrite" else 0):]


def token_for(app) -> str:
    """Create a user with an API token in the app's database."""
    account = accounts.create_account(app.services.db, "fuzz", "correct horse battery")
    return accounts.create_token(app.services.db, account, "fuzz")


def post_and_check(client, token: str, body: bytes, media_type: str) -> int:
    """POST a body; fail on a 500 or when what is stored does not match the answer; return the status."""
    rows_before, objects_before, _ = stored(client.app)
    answer = client.post("/api/documents", body, headers={"Authorization": f"Bearer {token}",
                                                          "Content-Type": media_type}, expect_errors=True)
    assert answer.status_int < 500, answer.text
    rows, objects, spools = stored(client.app)
    assert spools == []
    if answer.status_int == 201:
        assert rows == rows_before + 1 and answer.json["size"] == len(body)
        assert len(objects) in (len(objects_before), len(objects_before) + 1)
    else:
        assert answer.status_int in (400, 413)
        assert answer.headers["Content-Type"] == "application/problem+json" and answer.json["detail"]
        assert (rows, objects) == (rows_before, objects_before)
    return answer.status_int


@FUZZ
@given(document=elements(), media_type=XML_TYPES)
def test_every_well_formed_document_is_stored_with_201(client, app, document, media_type):
    token = getattr(app, "_fuzz_token", None) or token_for(app)
    app._fuzz_token = token
    assert post_and_check(client, token, document[0].encode(), media_type) == 201


@FUZZ
@given(body=damaged() | st.binary(max_size=200), media_type=XML_TYPES)
def test_damaged_documents_and_arbitrary_bytes_are_refused_or_stored_never_a_500(client, app, body, media_type):
    token = getattr(app, "_fuzz_token", None) or token_for(app)
    app._fuzz_token = token
    post_and_check(client, token, body, media_type)
