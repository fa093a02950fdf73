"""/api/openapi.json: an OpenAPI 3.1 document generated from the handlers, agreeing with /sitemap."""

import jsonschema
import pytest
from openapi_spec_validator import validate

from proto.web.openapi import openapi_path
from proto.web.tree import Node, Operation, api, expose


def api_routes(client) -> dict[str, list[str]]:
    """Return the /api/ paths of the JSON site map, OpenAPI-spelled, with their methods."""
    routes = client.get("/sitemap", headers={"Accept": "application/json"}).json["routes"]
    return {openapi_path(route["path"]): route["methods"] for route in routes if route["path"].startswith("/api/")}


def test_the_document_is_public_valid_openapi_3_1(client):
    answer = client.get("/api/openapi.json")
    assert answer.content_type == "application/json"
    document = answer.json
    validate(document)
    assert document["openapi"] == "3.1.0"
    assert document["components"]["securitySchemes"] == {
        "session": {"type": "apiKey", "in": "cookie", "name": "session_id",
                    "description": "The session cookie of a browser logged in at /account/login."},
        "bearer": {"type": "http", "scheme": "bearer",
                   "description": "An API token made at /account/: Authorization: Bearer proto_..."},
        "mutualTLS": {"type": "mutualTLS", "description":
                      "A client certificate bound to an account (directly, or through a trusted proxy)."}}


def test_operations_declare_access_bodies_and_every_status(client):
    paths = client.get("/api/openapi.json").json["paths"]
    document = paths["/api/documents/{id}"]
    assert set(document) == {"get", "head", "delete"}
    assert document["get"]["parameters"][0] == {"name": "id", "in": "path", "required": True,
                                                "schema": {"type": "string"}}
    assert set(document["get"]["responses"]) == {"200", "304", "401", "403", "404", "503"}
    assert "content" not in document["head"]["responses"]["200"]
    upload = paths["/api/documents"]["post"]
    assert set(upload["requestBody"]["content"]) == {
        "application/vnd.proto.document+xml", "application/xml", "text/xml"}
    assert set(upload["responses"]) == {"201", "400", "401", "403", "413", "415", "422", "503", "507"}
    assert upload["responses"]["415"]["content"]["application/problem+json"]["schema"] == {
        "$ref": "#/components/schemas/Problem"}
    assert {"bearer": []} in upload["security"]
    assert paths["/api/openapi.json"]["get"]["security"] == []


def test_every_api_url_of_the_sitemap_is_in_the_document_and_back(client):
    paths = client.get("/api/openapi.json").json["paths"]
    described = {path: sorted(method.upper() for method in item) for path, item in paths.items()}
    assert described == {path: sorted(methods) for path, methods in api_routes(client).items()}


class Stamps(Node):
    """Stamps, grafted onto /api/ by the test as a developer would add an endpoint."""

    @expose(access="admin", methods=("GET", "PUT"))
    @api(PUT=Operation(request={"application/json": {"type": "object"}}, responses={204: {"description": "Set."}}))
    def index(self):
        """List or replace the stamps."""
        return b""

    @expose(access="public")
    def count(self):
        """Count the stamps."""
        return b"0"


def test_a_handler_added_under_api_appears_with_no_other_edit(client):
    client.app.root.api.stamps = Stamps()
    paths = client.get("/api/openapi.json").json["paths"]
    assert set(paths["/api/stamps"]) == {"get", "put"}
    assert paths["/api/stamps"]["get"]["summary"] == "List or replace the stamps."
    assert paths["/api/stamps"]["get"]["x-access"] == "admin"
    assert set(paths["/api/stamps"]["put"]["responses"]) == {"204", "401", "403", "503"}
    assert paths["/api/stamps/count"]["get"]["security"] == []
    validate(client.get("/api/openapi.json").json)
    assert set(api_routes(client)) == set(paths)


@pytest.fixture
def token_client(client, make_account, app):
    """Return a client that sends alice's API token on every request."""
    from proto import accounts

    alice = make_account("alice")
    token = accounts.create_token(app.services.db, alice, "tests")
    client.authorization = ("Bearer", token)
    return client


def test_answers_match_the_schemas_they_declare(token_client):
    document = token_client.get("/api/openapi.json").json

    def check(instance, name):
        # The document itself as the root, so its #/components/... references resolve.
        jsonschema.validate(instance, {"components": document["components"], "$ref": f"#/components/schemas/{name}"},
                            cls=jsonschema.Draft202012Validator)

    check(token_client.get("/api/whoami").json, "Whoami")
    stored = token_client.post("/api/documents", b"<a><b/></a>", headers={"Content-Type": "application/xml"},
                               status=201)
    check(stored.json, "Document")
    check(token_client.get("/api/documents").json, "DocumentList")
    check(token_client.get("/api/documents?page=0", status=400).json, "Problem")


@pytest.mark.parametrize(("query", "detail"), [
    ("page=null&page=null", "send page once, not 2 times"),
    ("q=a&q=b", "send q once, not 2 times"),
    ("page=0", "page must be a whole number from 1 to 1000000"),
    ("page=%EF%BC%91", "page must be a whole number from 1 to 1000000"),
    ("pgae=2", "unknown query parameters: pgae"),
])
def test_what_schemathesis_found_in_the_query_is_a_400_problem(token_client, query, detail):
    answer = token_client.get(f"/api/documents?{query}", status=400)
    assert answer.content_type == "application/problem+json"
    assert answer.json["detail"] == detail


def test_a_nul_in_the_search_finds_nothing_on_every_database(token_client):
    assert token_client.get("/api/documents?q=%00").json["total"] == 0


def test_the_page_list_refuses_a_repeated_parameter_too(user_client):
    assert "send q once" in user_client.get("/documents/?q=a&q=b", status=400).text


def test_the_api_page_shows_every_operation_and_is_linked_from_the_sitemap(client):
    sitemap = client.get("/sitemap").html
    assert sitemap.find("a", string="the API, described operation by operation")["href"] == "/api/"
    assert sitemap.find("a", href="/api/openapi.json") is not None
    page = client.get("/api/")
    assert page.content_type == "text/html"
    assert page.html.find("h1").text == "API"
    headings = {heading.text for heading in page.html.select("section.api-operation h2")}
    paths = client.get("/api/openapi.json").json["paths"]
    assert headings == {f"{method.upper()} {path}" for path, item in paths.items() for method in item}
    upload = page.html.find("section", id="post_documents")
    assert "application/vnd.proto.document+xml" in upload.text
    assert upload.find("a", href="#schema-Document").text == "Document"
    assert '"sha256"' in page.html.find("section", id="schema-Document").find("pre").text
    # Nothing from elsewhere: every script, style sheet and image is the site's own.
    assert not page.html.select('[src^="http"], link[href^="http"]')
