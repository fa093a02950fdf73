"""/documents/: the browser pages: list, upload form, view with preview, download, delete."""

from __future__ import annotations

import pytest
from webtest import TestApp

from proto import audit
from tests.conftest import csrf_from, login
from tests.web.documents_helpers import ATTACKS, EXAMPLES, XINCLUDE, assert_nothing_stored, stored

REPORT = (EXAMPLES / "report.xml").read_bytes()


def upload(client, content: bytes, filename: str = "report.xml", content_type: str = "application/octet-stream",
           status: int | str = "*", csrf: str | None = None):
    """Submit the upload form as a browser does: the token first, then the file."""
    token = csrf if csrf is not None else csrf_from(client.get("/documents/upload"))
    return client.post("/documents/upload", {"csrf_token": token},
                       upload_files=[("document", filename, content, content_type)], status=status)


def test_the_form_has_a_labelled_file_field_and_a_token(user_client):
    page = user_client.get("/documents/upload")
    form = page.html.find("form", attrs={"enctype": "multipart/form-data"})
    field = form.find("input", attrs={"type": "file"})
    assert field["name"] == "document"
    assert page.html.find("label", attrs={"for": field["id"]}).text == "XML document"
    assert form.find("input", attrs={"name": "csrf_token"})["value"]
    assert "up to 32.0 MiB" in page.text


@pytest.mark.parametrize("label", ["application/octet-stream", "text/plain", "text/xml", "image/png"])
def test_upload_stores_the_content_whatever_the_label_and_redirects_to_it(user_client, app, label):
    answer = upload(user_client, REPORT, content_type=label, status=303)
    document_id = answer.headers["Location"].rsplit("/", 2)[-2]
    assert answer.headers["Location"] == f"http://localhost:80/documents/{document_id}/"
    page = answer.follow()
    assert page.html.find("h1").text == "report.xml"
    assert "{urn:proto:document:1}document" in page.text
    rows, objects, spools = stored(app)
    assert (rows, len(objects), spools) == (1, 1, [])
    assert objects[0].read_bytes() == REPORT
    assert audit.entries(app.services.db, action="upload")[0][0].outcome == "success"


@pytest.mark.parametrize(("body", "status", "message"), ATTACKS)
def test_attacks_through_the_form_rerender_it_with_the_status_and_store_nothing(user_client, app, body, status,
                                                                                 message):
    page = upload(user_client, body, status=status)
    assert message in page.html.find(class_="form-error").text
    assert page.html.find("input", attrs={"type": "file"})["name"] == "document"
    assert_nothing_stored(app)
    assert audit.entries(app.services.db, action="upload")[0][0].outcome == "refused"


def test_a_file_that_is_not_xml_is_400_with_the_parsers_message(user_client, app):
    page = upload(user_client, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "picture.png", "image/png", status=400)
    assert "The document was not stored: not well-formed (invalid token), at line 1, column 1" in page.text
    assert_nothing_stored(app)


def test_no_file_chosen_is_400(user_client, app):
    page = upload(user_client, b"", filename="", status=400)
    assert "choose an XML file to upload" in page.html.find(class_="form-error").text
    assert_nothing_stored(app)


def test_a_document_over_the_limit_is_413_on_the_form(settings, app_factory, make_account):
    from proto import accounts
    from proto.startup import prepare

    small = app_factory(settings.replace(document_max_bytes=1000))
    prepare(small)
    accounts.create_account(small.services.db, "bob", "correct horse battery")
    browser = TestApp(small)
    login(browser, "bob")
    page = upload(browser, b"<r>" + b"x" * 5000 + b"</r>", status=413)
    assert "document exceeds 1000 bytes" in page.html.find(class_="form-error").text
    assert_nothing_stored(small)
    # Larger than the whole body's cap: refused on its declared length, before it is read.
    page = upload(browser, b"<r>" + b"x" * 200_000 + b"</r>", status=413)
    assert "document exceeds 1000 bytes" in page.text
    assert_nothing_stored(small)


def test_a_forged_form_is_403_and_its_spooled_document_is_deleted(user_client, app):
    answer = upload(user_client, REPORT, csrf="forged", status=403)
    assert "did not come from this site" in answer.text
    assert_nothing_stored(app)


def test_schema_422_on_the_form(settings, app_factory):
    from proto import accounts
    from proto.settings import PROJECT_ROOT
    from proto.startup import prepare

    app = app_factory(settings.replace(schema=PROJECT_ROOT / "conf" / "document.xsd"))
    prepare(app)
    accounts.create_account(app.services.db, "bob", "correct horse battery")
    browser = TestApp(app)
    login(browser, "bob")
    page = upload(browser, b"<nonsense/>", status=422)
    assert "document is not valid against the schema, line 1" in page.text
    assert_nothing_stored(app)
    upload(browser, (EXAMPLES / "minimal.xml").read_bytes(), status=303)


def test_xinclude_is_stored_verbatim(user_client, app):
    page = upload(user_client, XINCLUDE, "x.xml", status=303).follow()
    raw = user_client.get(page.html.find("a", string="Download")["href"])
    assert raw.body == XINCLUDE


def test_the_list_is_newest_first_searchable_and_paged(user_client):
    for name in ("alpha.xml", "beta.xml"):
        upload(user_client, b"<r/>", name, status=303)
    upload(user_client, b'<invoice xmlns="urn:x"/>', "gamma.xml", status=303)
    page = user_client.get("/documents/")
    assert [row.find("a").text for row in page.html.select("tbody tr")] == ["gamma.xml", "beta.xml", "alpha.xml"]
    assert [cell.text for cell in page.html.select("tbody tr td code")] == ["{urn:x}invoice", "r", "r"]
    assert page.html.find("input", attrs={"name": "q", "type": "search"}) is not None
    found = user_client.get("/documents/?q=invoice")
    assert [row.find("a").text for row in found.html.select("tbody tr")] == ["gamma.xml"]
    assert "No document matches" in user_client.get("/documents/?q=nothing").text
    assert user_client.get("/documents/?page=9").html.select("tbody tr") == []


def test_the_list_pages_by_20(user_client):
    for number in range(21):
        upload(user_client, f"<n{number}/>".encode(), f"d{number}.xml", status=303)
    page = user_client.get("/documents/")
    assert "21 documents." in page.text
    assert len(page.html.select("tbody tr")) == 20
    assert page.html.find("a", rel="next")["href"] == "/documents/?page=2"
    second = user_client.get("/documents/?page=2")
    assert len(second.html.select("tbody tr")) == 1
    # Page 1 keeps its rows when the one on page 2 goes, but not its total or its pager.
    oldest = user_client.get(second.html.select_one("tbody tr a")["href"])
    user_client.post(oldest.request.path + "delete", {"csrf_token": csrf_from(oldest)}, status=303)
    page = user_client.get("/documents/")
    assert "20 documents." in page.text
    assert len(page.html.select("tbody tr")) == 20
    assert page.html.find("a", rel="next") is None


def test_searches_that_find_the_same_documents_each_show_their_own_words(user_client):
    upload(user_client, b"<r/>", "alpha.xml", status=303)
    for words in ("alpha", "alph"):
        page = user_client.get(f"/documents/?q={words}")
        assert [row.find("a").text for row in page.html.select("tbody tr")] == ["alpha.xml"]
        assert page.html.find("input", attrs={"name": "q"})["value"] == words
        assert f"1 document matching “{words}”." in page.text


def test_the_document_page_previews_escaped_and_highlighted(user_client):
    evil = b'<html xmlns="http://www.w3.org/1999/xhtml"><script>alert("x")</script><b onclick="x()">hi</b></html>'
    page = upload(user_client, evil, "<img src=x onerror=alert(1)>.xml", status=303).follow()
    assert "<script>alert" not in page.text
    assert page.html.find("script") is None and page.html.find("main").find("img") is None
    preview = page.html.find("pre", class_="xml")
    assert '<script>alert("x")</script>' in preview.text
    assert preview.find("span", class_="x-attr").text == "xmlns"
    assert page.html.find("h1").text == "<img src=x onerror=alert(1)>.xml"


def test_a_large_document_preview_is_cut_with_a_note(user_client):
    body = b"<r>" + b"<item>text</item>\n" * 20_000 + b"</r>"
    page = upload(user_client, body, "big.xml", status=303).follow()
    assert "Only the start of the document is shown" in page.text
    assert page.text.count("&lt;item&gt;") < 20_000


def test_raw_is_an_inert_attachment_with_the_name_per_rfc_6266(user_client, app):
    page = upload(user_client, REPORT, "résumé \"final\".xml", status=303).follow()
    raw = user_client.get(page.html.find("a", string="Download")["href"])
    assert raw.body == REPORT
    assert raw.headers["Content-Disposition"] == (
        "attachment; filename=\"r_sum_ _final_.xml\"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%22final%22.xml")
    assert raw.headers["X-Content-Type-Options"] == "nosniff"
    assert raw.headers["Content-Security-Policy"] == "sandbox; default-src 'none'; frame-ancestors 'none'"
    assert raw.headers["Content-Type"] == "application/vnd.proto.document+xml"
    assert audit.entries(app.services.db, action="download")[1] == 1


def test_delete_needs_the_token_and_confirms_without_script(user_client, app):
    page = upload(user_client, REPORT, status=303).follow()
    form = page.html.find("details").find("form")
    assert form["method"] == "post"
    user_client.post(form["action"], {"csrf_token": "forged"}, status=403)
    assert stored(app)[0] == 1
    answer = user_client.post(form["action"], {"csrf_token": csrf_from(page)}, status=303)
    assert answer.headers["Location"] == "http://localhost:80/documents/"
    assert "report.xml was deleted." in answer.follow().text
    assert_nothing_stored(app)
    user_client.get(page.request.path, status=404)
    user_client.get(form["action"], status=405)


def test_another_users_document_is_404_on_every_page(user_client, app, make_account):
    page = upload(user_client, REPORT, status=303).follow()
    base = page.request.path
    make_account("bob")
    bob = TestApp(app)
    login(bob, "bob")
    token = csrf_from(bob.get("/documents/upload"))
    missing = bob.get("/documents/" + "0" * 32 + "/", status=404)
    for path in (base, base + "raw"):
        answer = bob.get(path, status=404)
        assert answer.html.find("main").text == missing.html.find("main").text
    bob.post(base + "delete", {"csrf_token": token}, status=404)
    assert bob.get("/documents/").html.select("tbody tr") == []
    assert stored(app)[0] == 1


def test_admin_sees_everyones_documents_with_their_owner(user_client, admin_client):
    page = upload(user_client, REPORT, status=303).follow()
    listing = admin_client.get("/documents/")
    assert [cell.text for cell in listing.html.select("tbody tr td")][-1] == "alice"
    assert admin_client.get(page.request.path).html.find("h1").text == "report.xml"
    assert "1</strong> documents" in admin_client.get("/admin/").text


def test_the_same_documents_show_their_owner_to_an_admin_only(user_client, admin_client):
    # The admin owns none, so both lists show the same rows: each must keep its own columns.
    upload(user_client, REPORT, status=303)
    mine = user_client.get("/documents/")
    everyone = admin_client.get("/documents/")
    assert [cell.text for cell in mine.html.select("tbody tr td")][-1] != "alice"
    assert len(mine.html.select("thead th")) == len(mine.html.select("tbody tr td")) == 4
    assert [cell.text for cell in everyone.html.select("tbody tr td")][-1] == "alice"
    assert len(everyone.html.select("thead th")) == len(everyone.html.select("tbody tr td")) == 5
    assert user_client.get("/documents/").html.select("tbody tr") == mine.html.select("tbody tr")


def test_a_deleted_document_leaves_the_list_and_a_new_one_joins_it(user_client):
    first = upload(user_client, REPORT, "first.xml", status=303).follow()
    upload(user_client, REPORT, "second.xml", status=303)
    assert [row.find("a").text for row in user_client.get("/documents/").html.select("tbody tr")] == [
        "second.xml", "first.xml"]
    user_client.post(first.request.path + "delete", {"csrf_token": csrf_from(first)}, status=303)
    assert [row.find("a").text for row in user_client.get("/documents/").html.select("tbody tr")] == ["second.xml"]
    upload(user_client, b"<r/>", "third.xml", status=303)
    assert [row.find("a").text for row in user_client.get("/documents/").html.select("tbody tr")] == [
        "third.xml", "second.xml"]


def test_strangers_are_sent_to_log_in(client):
    assert "/account/login?next=" in client.get("/documents/", status=303).headers["Location"]
    assert "/account/login?next=" in client.post("/documents/upload", status=303).headers["Location"]


def test_the_dashboard_links_to_documents_and_upload(user_client):
    links = [a["href"] for a in user_client.get("/").html.select(".cards a")]
    assert "/documents/" in links and "/documents/upload" in links


def test_the_menu_marks_the_subtree_being_shown(user_client):
    assert [link.text for link in user_client.get("/documents/").html.select('nav a[aria-current="page"]')] == [
        "Documents"]
    assert [link.text for link in user_client.get("/sitemap").html.select('nav a[aria-current="page"]')] == [
        "Site map"]
