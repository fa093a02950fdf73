"""The product in a real browser: first run, login, upload with progress, preview, download, delete, logout."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.conftest import ADMIN, ADMIN_PASSWORD, TIMEOUT_MS, setup_link

pytestmark = pytest.mark.live

MiB = 1024 * 1024
# Inside a text node (escaped) and a CDATA section (verbatim): a preview that let either through would run it.
EVIL = (b"<note>&lt;script&gt;window.__pwned = 1&lt;/script&gt;</note>\n"
        b"<raw><![CDATA[<script>window.__pwned = 1</script>]]></raw>\n")
ROW = b"<row n='%d'>an ordinary line of the report, long enough to weigh something</row>\n"


def big_document(path: Path, size: int = 5 * MiB) -> bytes:
    """Write a well-formed document of about ``size`` bytes that carries EVIL at its start; return its bytes."""
    rows, total, n = [], 0, 0
    while total < size:
        row = ROW % n
        rows.append(row)
        total += len(row)
        n += 1
    body = b"<?xml version='1.0' encoding='utf-8'?>\n<report xmlns='urn:proto:test'>\n" + EVIL + b"".join(rows) + b"</report>\n"
    path.write_bytes(body)
    return body


def log_in(page, base: str, username: str, password: str) -> None:
    """Log in through the login form."""
    page.goto(base + "/account/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def test_a_user_uploads_previews_downloads_and_deletes_a_document(server, admin_page, screenshot, tmp_path):
    page = admin_page
    screenshot(page, "1-admin")
    # The navigation tells who is logged in and how.
    assert page.locator(".nav-user").inner_text().split()[:5] == ["Signed", "in", "as", ADMIN, "password"]

    page.get_by_role("link", name="Documents", exact=True).click()
    page.get_by_role("heading", level=1, name="Documents").wait_for()
    page.get_by_role("link", name="Upload a document").click()
    page.get_by_role("heading", level=1, name="Upload a document").wait_for()

    # Record every value the progress bar shows, even across the navigation that follows the upload.
    seen: list[int] = []
    page.expose_function("__recordProgress", lambda value: seen.append(int(value)))
    page.evaluate("""() => {
        const bar = document.getElementById('upload-progress');
        new MutationObserver(() => window.__recordProgress(bar.getAttribute('aria-valuenow')))
            .observe(bar, {attributes: true, attributeFilter: ['aria-valuenow']});
    }""")
    body = big_document(tmp_path / "quarterly report.xml")
    page.get_by_label("XML document").set_input_files(str(tmp_path / "quarterly report.xml"))
    screenshot(page, "2-upload-chosen")
    page.get_by_role("button", name="Upload").click()
    page.get_by_role("heading", level=1, name="quarterly report.xml").wait_for(timeout=120_000)
    assert page.url.startswith(server.url + "/documents/") and page.url.endswith("/")
    assert max(seen) == 100 and seen == sorted(seen), seen

    # The preview shows the markup as text and ran none of it.
    preview = page.locator("pre.xml")
    assert preview.is_visible()
    # The preview is XML source: the markup-looking text reads as it does in the file, escaped for XML.
    assert "<note>&lt;script&gt;window.__pwned = 1&lt;/script&gt;</note>" in preview.inner_text()
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.get_by_text("Only the start of the document is shown").is_visible()
    assert page.locator(".facts").inner_text().count("5.0 MiB") == 1
    screenshot(page, "3-document")

    # Download: the very bytes uploaded.
    with page.expect_download(timeout=TIMEOUT_MS) as download_info:
        page.get_by_role("link", name="Download").click()
    assert Path(download_info.value.path()).read_bytes() == body
    assert download_info.value.suggested_filename == "quarterly report.xml"

    # The list shows it.
    page.get_by_role("link", name="Documents", exact=True).click()
    assert page.locator("tbody tr").count() == 1
    assert page.locator("tbody tr a").inner_text() == "quarterly report.xml"
    screenshot(page, "4-list")

    # Delete asks first, then does it.
    page.locator("tbody tr a").click()
    page.get_by_text("Delete…").click()
    screenshot(page, "5-confirm-delete")
    page.get_by_role("button", name="Yes, delete it").click()
    page.get_by_text("quarterly report.xml was deleted.").wait_for()
    assert page.get_by_text("No documents yet").is_visible()
    screenshot(page, "6-deleted")

    page.get_by_role("button", name="Log out").click()
    page.get_by_role("link", name="Log in").first.wait_for()
    assert page.locator(".nav-user").inner_text().strip() == "Log in"
    screenshot(page, "7-logged-out")


def test_an_upload_refused_by_the_server_shows_its_message_next_to_the_form(server, admin_page, screenshot,
                                                                           tmp_path):
    page = admin_page
    page.goto(server.url + "/documents/upload")
    (tmp_path / "broken.xml").write_bytes(b"<r><unclosed></r>")
    page.get_by_label("XML document").set_input_files(str(tmp_path / "broken.xml"))
    page.get_by_role("button", name="Upload").click()
    message = page.locator("#upload-message .form-error")
    message.wait_for()
    assert message.inner_text().startswith("The document was not stored: ")
    assert "line 1" in message.inner_text()
    assert page.url == server.url + "/documents/upload"
    screenshot(page, "refused")


def test_an_admin_creates_a_user_who_can_log_in(server, admin_page, new_page, screenshot):
    page = admin_page
    page.get_by_role("link", name="Manage accounts").click()
    page.get_by_role("heading", level=1, name="Accounts").wait_for()
    page.get_by_label("Username").fill("bob")
    page.get_by_label("Password").fill("bob's long password")
    page.get_by_role("button", name="Create account").click()
    page.get_by_text("Account bob created.").wait_for()
    assert page.get_by_role("link", name="bob", exact=True).is_visible()
    screenshot(page, "accounts")

    bob = new_page()
    log_in(bob, server.url, "bob", "bob's long password")
    bob.get_by_role("heading", level=1, name="Welcome, bob").wait_for()
    assert bob.get_by_role("link", name="Admin").count() == 0
    screenshot(bob, "bob-home")


def test_a_wrong_password_shows_the_message(server, page, screenshot):
    first = page.context.new_page()
    first.goto(setup_link(server))
    first.get_by_label("Username").fill(ADMIN)
    first.get_by_label("Password").fill(ADMIN_PASSWORD)
    first.get_by_role("button", name="Create admin account").click()
    first.get_by_role("heading", level=1, name="Admin").wait_for()
    first.get_by_role("button", name="Log out").click()

    log_in(page, server.url, ADMIN, "not the password")
    error = page.get_by_role("alert")
    error.wait_for()
    assert error.inner_text() == "The username or password is wrong, or the account is disabled."
    assert page.get_by_label("Username").input_value() == ADMIN
    screenshot(page, "wrong-password")
