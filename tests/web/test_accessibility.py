"""Accessibility smoke check: every page a person can browse, as anonymous, user and admin, is labelled.

The pages come from the site map itself, so a page added tomorrow is checked with no change here.
"""

from __future__ import annotations

import pytest
from webtest import TestApp

from tests.conftest import login

REPORT = b"<report><title>Q3</title></report>"


def browsable(client: TestApp, examples: dict[str, str]) -> list[str]:
    """Return the site map's pages a browser can open, with each <parameter> filled from examples."""
    paths = []
    for route in client.get("/sitemap", headers={"Accept": "application/json"}).json["routes"]:
        path = route["path"]
        if "GET" not in route["methods"] or path.startswith(("/api/", "/static/")) or path == "/status":
            continue
        for name, value in examples.items():
            path = path.replace(f"<{name}>", value)
        if "<" not in path:
            paths.append(path)
    return paths


def problems(page) -> list[str]:
    """Return what a screen-reader user would miss on one HTML page."""
    html, found = page.html, []
    title = html.find("title")
    if title is None or not title.text.strip():
        found.append("no <title>")
    headings = html.find_all("h1")
    if len(headings) != 1:
        found.append(f"{len(headings)} <h1> instead of one")
    labelled = {label.get("for") for label in html.find_all("label")}
    for field in html.find_all(["input", "select", "textarea"]):
        if field.name == "input" and field.get("type") in ("hidden", "submit", "button", "reset", "image"):
            continue
        if not field.get("aria-label") and (not field.get("id") or field["id"] not in labelled):
            found.append(f"no label for {field.name} name={field.get('name')!r}")
    for image in html.find_all("img"):
        if image.get("alt") is None:
            found.append(f"no alt on <img src={image.get('src')!r}>")
    return found


@pytest.fixture
def clients(app, make_account) -> dict[str, TestApp]:
    """Return an anonymous, a user and an admin client; the user has one document."""
    make_account("alice")
    make_account("root", admin=True)
    user, admin = TestApp(app), TestApp(app)
    assert login(user, "alice").status_int == 303
    assert login(admin, "root").status_int == 303
    return {"anonymous": TestApp(app), "user": user, "admin": admin}


@pytest.mark.parametrize("who", ["anonymous", "user", "admin"])
def test_every_browsable_page_has_a_title_one_h1_labels_and_alt_text(clients, who):
    client = clients[who]
    forms = clients["user"].get("/documents/upload").forms.values()
    uploaded = next(form for form in forms if form.action.endswith("/documents/upload"))
    uploaded["document"] = ("report.xml", REPORT, "application/xml")
    document_id = uploaded.submit(status=303).headers["Location"].rstrip("/").rsplit("/", 1)[1]
    paths = browsable(client, {"id": document_id, "name": "alice"})
    assert {"/", "/sitemap", "/account/login"} <= set(paths)
    checked = {}
    for path in paths:
        answer = client.get(path, expect_errors=True)
        if answer.status_int in (301, 302, 303) or answer.content_type != "text/html":
            continue
        checked[path] = problems(answer)
    assert {path: found for path, found in checked.items() if found} == {}
    # Each role really reached its own pages (a redirect to the login page checks nothing).
    expected = {"anonymous": "/account/login", "user": f"/documents/{document_id}/", "admin": "/admin/audit"}[who]
    assert expected in checked
