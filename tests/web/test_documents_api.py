"""/api/documents: upload raw XML, list, fetch, delete; every bad input refused with nothing stored."""

from __future__ import annotations

import json
import re

import pytest
from webtest import TestApp

from proto import audit
from tests.conftest import login
from tests.web.documents_helpers import ATTACKS, EXAMPLES, XINCLUDE, XML_TYPE, assert_nothing_stored, stored

REPORT = (EXAMPLES / "report.xml").read_bytes()


@pytest.fixture
def token(app, make_account) -> str:
    """Return an API token of the user "alice"."""
    from proto import accounts

    alice = make_account("alice")
    return accounts.create_token(app.services.db, alice, "tests")


@pytest.fixture
def api(client, token):
    """Return a function that sends an API request as alice, with her token."""
    def send(method: str, path: str, body: bytes | None = None, *, status: int | str = "*",
             content_type: str = XML_TYPE, headers: dict | None = None):
        headers = {"Authorization": f"Bearer {token}", **(headers or {})}
        if body is None:
            return client.request(path, method=method, headers=headers, status=status)
        return client.request(path, method=method, body=body, headers={**headers, "Content-Type": content_type},
                              status=status)
    return send


def upload(api, body: bytes = REPORT, name: str | None = "report.xml", **kwargs):
    headers = {"Slug": name} if name is not None else {}
    return api("POST", "/api/documents", body, headers=headers, **kwargs)


def test_upload_answers_201_with_location_and_the_document_json(api, app):
    answer = upload(api, status=201)
    document = answer.json
    assert set(document) == {"id", "name", "content_type", "size", "sha256", "root", "elements", "created", "url",
                             "raw_url"}
    assert re.fullmatch(r"[0-9a-f]{32}", document["id"])
    assert answer.headers["Location"] == f"/api/documents/{document['id']}"
    assert document["raw_url"] == answer.headers["Location"]
    assert document["url"] == f"/documents/{document['id']}/"
    assert document["name"] == "report.xml"
    assert document["content_type"] == XML_TYPE
    assert document["size"] == len(REPORT)
    assert document["root"] == "{urn:proto:document:1}document"
    assert document["elements"] > 1
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", document["created"])
    rows, objects, spools = stored(app)
    assert (rows, len(objects), spools) == (1, 1, [])
    assert objects[0].read_bytes() == REPORT
    entry = audit.entries(app.services.db, action="upload")[0][0]
    assert (entry.username, entry.outcome) == ("alice", "success")
    assert entry.detail == f"{document['id']} 'report.xml' {len(REPORT)} bytes"


@pytest.mark.parametrize("media_type", ["application/xml", "text/xml", "text/xml; charset=utf-8"])
def test_every_xml_type_is_accepted_and_kept(api, media_type):
    document = upload(api, b"<r/>", content_type=media_type, status=201).json
    assert document["content_type"] == media_type.split(";")[0]
    assert api("GET", document["raw_url"], status=200).headers["Content-Type"].startswith(media_type.split(";")[0])


@pytest.mark.parametrize(("slug", "query", "expected"), [
    (None, "", "document.xml"),
    (None, "?name=from-query.xml", "from-query.xml"),
    ("r%C3%A9sum%C3%A9.xml", "?name=ignored.xml", "résumé.xml"),
    ("../../etc/passwd", "", "passwd"),
    ("a%0Db%00c%E2%80%AEd.xml", "", "abcd.xml"),
    ("x" * 300, "", "x" * 200),
    ("..", "", "document.xml"),
])
def test_names_come_from_slug_or_query_and_are_cleaned(api, slug, query, expected):
    headers = {"Slug": slug} if slug is not None else {}
    document = api("POST", "/api/documents" + query, b"<r/>", headers=headers, status=201).json
    assert document["name"] == expected


def problem_of(answer, status: int) -> dict:
    assert answer.status_int == status
    assert answer.headers["Content-Type"].startswith("application/problem+json")
    return answer.json


@pytest.mark.parametrize(("body", "status", "message"), ATTACKS)
def test_attacks_are_refused_with_their_status_and_nothing_is_stored(api, app, body, status, message):
    problem = problem_of(upload(api, body), status)
    assert problem["status"] == status
    assert message in problem["detail"]
    assert_nothing_stored(app)
    entry = audit.entries(app.services.db, action="upload")[0][0]
    assert entry.outcome == "refused"
    assert message in entry.detail
    # The reason only: no document bytes reach the log.
    assert "passwd" not in entry.detail and "lol" not in entry.detail


def test_a_body_over_the_limit_is_413_and_nothing_is_stored(settings, app_factory, make_account, tmp_path):
    from proto import accounts
    from proto.startup import prepare

    small = app_factory(settings.replace(document_max_bytes=1000))
    prepare(small)
    token = accounts.create_token(small.services.db, accounts.create_account(small.services.db, "bob", "x" * 12),
                                  "t")
    body = b"<r>" + b"x" * 2000 + b"</r>"
    answer = TestApp(small).post("/api/documents", body, headers={"Authorization": f"Bearer {token}",
                                                                  "Content-Type": XML_TYPE}, status=413)
    assert answer.json["detail"] == "document exceeds 1000 bytes"
    assert_nothing_stored(small)
    # Exactly at the limit is fine.
    exact = b"<r>" + b"x" * (1000 - 7) + b"</r>"
    TestApp(small).post("/api/documents", exact, headers={"Authorization": f"Bearer {token}",
                                                          "Content-Type": XML_TYPE}, status=201)


def test_a_1_mib_attribute_value_is_accepted(api, app):
    body = b'<r a="' + b"v" * (1024 * 1024) + b'"/>'
    assert upload(api, body, status=201).json["size"] == len(body)


def test_xinclude_is_stored_verbatim_and_nothing_is_fetched(api, app):
    document = upload(api, XINCLUDE, status=201).json
    assert document["elements"] == 3
    assert api("GET", document["raw_url"], status=200).body == XINCLUDE


@pytest.mark.parametrize("media_type", ["application/json", "multipart/form-data; boundary=x",
                                        "application/x-www-form-urlencoded", "image/svg+xml", ""])
def test_other_content_types_are_415_and_nothing_is_stored(api, app, media_type):
    problem = problem_of(upload(api, b"<r/>", content_type=media_type), 415)
    assert problem["detail"].startswith(
        "send the document as application/vnd.proto.document+xml, application/xml, text/xml, not ")
    assert_nothing_stored(app)


def test_listing_is_newest_first_paged_and_searchable(api):
    for name in ("alpha.xml", "beta.xml", "gamma.xml"):
        upload(api, b"<r/>", name=name, status=201)
    upload(api, b'<invoice xmlns="urn:x"/>', name="other.xml", status=201)
    listing = api("GET", "/api/documents", status=200).json
    assert [d["name"] for d in listing["documents"]] == ["other.xml", "gamma.xml", "beta.xml", "alpha.xml"]
    assert (listing["total"], listing["page"], listing["pages"]) == (4, 1, 1)
    assert [d["name"] for d in api("GET", "/api/documents?q=ETA", status=200).json["documents"]] == ["beta.xml"]
    assert [d["name"] for d in api("GET", "/api/documents?q=invoice", status=200).json["documents"]] == ["other.xml"]
    assert api("GET", "/api/documents?q=%25", status=200).json["total"] == 0
    assert api("GET", "/api/documents?page=2", status=200).json["documents"] == []


def test_get_head_etag_and_download_headers(api, app):
    document = upload(api, REPORT, name="rapport é.xml", status=201).json
    answer = api("GET", document["raw_url"], status=200)
    assert answer.body == REPORT
    assert answer.headers["Content-Type"] == XML_TYPE
    assert answer.headers["ETag"] == f'"{document["sha256"]}"'
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["Content-Security-Policy"].startswith("sandbox; default-src 'none'")
    assert answer.headers["Content-Disposition"] == (
        "attachment; filename=\"rapport _.xml\"; filename*=UTF-8''rapport%20%C3%A9.xml")
    head = api("HEAD", document["raw_url"], status=200)
    assert head.body == b"" and head.headers["Content-Length"] == str(len(REPORT))
    not_modified = api("GET", document["raw_url"], headers={"If-None-Match": document["sha256"].join('""')},
                       status=304)
    assert not_modified.body == b""
    api("GET", document["raw_url"], headers={"If-None-Match": '"other"'}, status=200)
    assert audit.entries(app.services.db, action="download")[1] == 2


def test_same_document_twice_is_two_rows_one_file_until_both_are_deleted(api, app):
    first = upload(api, REPORT, status=201).json
    second = upload(api, REPORT, status=201).json
    assert first["id"] != second["id"] and first["sha256"] == second["sha256"]
    rows, objects, _ = stored(app)
    assert (rows, len(objects)) == (2, 1)
    assert api("DELETE", first["raw_url"], status=204).body == b""
    rows, objects, _ = stored(app)
    assert (rows, len(objects)) == (1, 1)
    api("GET", first["raw_url"], status=404)
    assert api("GET", second["raw_url"], status=200).body == REPORT
    api("DELETE", second["raw_url"], status=204)
    assert_nothing_stored(app)
    assert [entry.action for entry in audit.entries(app.services.db, action="delete")[0]] == ["delete", "delete"]


def test_another_users_document_is_404_exactly_like_a_missing_one(api, app, make_account):
    from proto import accounts

    document = upload(api, status=201).json
    bob = accounts.create_token(app.services.db, make_account("bob"), "t")
    headers = {"Authorization": f"Bearer {bob}"}
    client = TestApp(app)
    missing = client.get("/api/documents/" + "0" * 32, headers=headers, status=404)
    for method in ("GET", "HEAD", "DELETE"):
        answer = client.request(document["raw_url"], method=method, headers=headers, status=404)
        if method != "HEAD":
            assert answer.body == missing.body
    assert client.get("/api/documents", headers=headers).json["total"] == 0
    assert stored(app)[0] == 1


def test_admin_sees_and_fetches_everyones_documents(api, app, make_account):
    from proto import accounts

    document = upload(api, status=201).json
    root = accounts.create_token(app.services.db, make_account("root", admin=True), "t")
    client = TestApp(app)
    headers = {"Authorization": f"Bearer {root}"}
    assert [d["id"] for d in client.get("/api/documents", headers=headers).json["documents"]] == [document["id"]]
    assert client.get(document["raw_url"], headers=headers).body == REPORT


def test_wrong_methods_are_405_with_allow(api):
    document = upload(api, status=201).json
    assert "POST" in api("PUT", "/api/documents", status=405).headers["Allow"]
    assert "DELETE" in api("POST", document["raw_url"], b"<r/>", status=405).headers["Allow"]


def test_anonymous_is_401(client):
    client.post("/api/documents", b"<r/>", content_type=XML_TYPE, status=401)
    client.get("/api/documents", status=401)


def test_session_cookie_upload_needs_the_xml_type_not_a_form_type(user_client, app):
    answer = user_client.post("/api/documents", b"<r/>", content_type="text/plain", status=403)
    assert "non-form" in answer.json["detail"]
    document = user_client.post("/api/documents", b"<r/>", content_type=XML_TYPE, status=201).json
    user_client.delete(document["raw_url"], status=204)


def test_schema_refuses_invalid_documents_with_422(settings, app_factory):
    from proto import accounts
    from proto.settings import PROJECT_ROOT
    from proto.startup import prepare

    app = app_factory(settings.replace(schema=PROJECT_ROOT / "conf" / "document.xsd"))
    prepare(app)
    token = accounts.create_token(app.services.db, accounts.create_account(app.services.db, "bob", "x" * 12), "t")
    client = TestApp(app)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": XML_TYPE}
    for example in sorted(EXAMPLES.glob("*.xml")):
        client.post("/api/documents", example.read_bytes(), headers=headers, status=201)
    answer = client.post("/api/documents", b"<nonsense/>", headers=headers, status=422)
    assert answer.json["detail"].startswith("document is not valid against the schema, line 1:")
    assert stored(app)[0] == len(list(EXAMPLES.glob("*.xml")))


def test_a_schema_without_lxml_stops_the_start_with_one_line(settings, monkeypatch):
    from proto.app import make_app
    from proto.documents import schema
    from proto.settings import PROJECT_ROOT, ConfigError

    def missing():
        raise RuntimeError(schema.LXML_MISSING)

    monkeypatch.setattr(schema, "_import_lxml", missing)
    with pytest.raises(ConfigError) as caught:
        make_app(settings.replace(schema=PROJECT_ROOT / "conf" / "document.xsd"))
    assert str(caught.value) == (f"{settings.config_file}: [proto] schema: "
                                 "the schema setting needs lxml >= 6.1: pip install -e '.[schema]'")
