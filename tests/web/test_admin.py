"""The admin area: only admins; create, disable, enable, reset, promote; the last admin stays; the audit log."""

import pytest
from webtest import TestApp

from proto import audit
from tests.conftest import PASSWORD, csrf_from, login


@pytest.mark.parametrize("path", ["/admin/", "/admin/users/", "/admin/users/root/", "/admin/audit"])
def test_admin_pages_are_403_for_users_and_303_for_strangers(user_client, client, app, path, make_account):
    make_account("root", admin=True)
    answer = user_client.get(path, status=403)
    assert "This page is for admins only." in answer.text
    assert TestApp(app).get(path, status=303).headers["Location"].startswith("http://localhost:80/account/login")


def create_user(admin_client, username, password=PASSWORD, is_admin=False, status=303):
    page = admin_client.get("/admin/users/")
    fields = {"username": username, "password": password, "csrf_token": csrf_from(page)}
    if is_admin:
        fields["is_admin"] = "on"
    return admin_client.post("/admin/users/", fields, status=status)


def act(admin_client, username, action, status=303, **fields):
    page = admin_client.get(f"/admin/users/{username}/")
    return admin_client.post(f"/admin/users/{username}/",
                             {"action": action, "csrf_token": csrf_from(page), **fields}, status=status)


def test_admin_creates_a_user_who_can_log_in(admin_client, app):
    listing = create_user(admin_client, "carol").follow()
    assert "Account carol created." in listing.text
    assert [row.find("a").text for row in listing.html.select("tbody tr")] == ["carol", "root"]
    assert login(TestApp(app), "carol").status_int == 303
    entries, _ = audit.entries(app.services.db, action="admin-create-user")
    assert (entries[0].username, entries[0].detail) == ("root", "account carol")


@pytest.mark.parametrize(("username", "password", "message"), [
    ("ROOT", PASSWORD, "The username 'ROOT' is taken."),
    ("bad name", PASSWORD, "A username has 1 to 64 letters"),
    ("dave", "short", "at least 8 characters"),
])
def test_admin_create_errors_are_shown_and_nothing_is_created(admin_client, username, password, message):
    page = create_user(admin_client, username, password, status=400)
    assert message in page.html.find(class_="form-error").text
    assert len(page.html.select("tbody tr")) == 1


def test_disabling_ends_sessions_and_blocks_login(admin_client, app, make_account):
    make_account("erin")
    erin = TestApp(app)
    login(erin, "erin")
    assert erin.get("/api/whoami").status_int == 200
    act(admin_client, "erin", "disable")
    erin.get("/api/whoami", status=401)
    assert login(TestApp(app), "erin").status_int == 200
    act(admin_client, "erin", "enable")
    assert login(TestApp(app), "erin").status_int == 303


def test_reset_password_and_admin_rights(admin_client, app, make_account):
    make_account("frank")
    act(admin_client, "frank", "reset-password", password="reset password 1")
    assert login(TestApp(app), "frank", "reset password 1").status_int == 303
    act(admin_client, "frank", "make-admin")
    frank = TestApp(app)
    login(frank, "frank", "reset password 1")
    assert frank.get("/api/whoami").json["admin"] is True
    act(admin_client, "frank", "revoke-admin")
    assert frank.get("/api/whoami").json["admin"] is False


@pytest.mark.parametrize(("action", "message"), [
    ("disable", "The last active admin cannot be disabled."),
    ("revoke-admin", "The last active admin cannot stop being admin."),
])
def test_the_last_admin_stays(admin_client, action, message):
    page = act(admin_client, "root", action, status=400)
    assert page.html.find(class_="form-error").text == message
    assert admin_client.get("/api/whoami").json["admin"] is True


def test_unknown_user_and_action(admin_client):
    admin_client.get("/admin/users/nobody/", status=404)
    act(admin_client, "root", "explode", status=400)


def test_audit_log_is_filterable_and_paged(admin_client, app):
    for number in range(55):
        audit.record(app.services.db, "upload", "success", username="gina", address="10.0.0.1", detail=f"#{number}")
    page = admin_client.get("/admin/audit?account=GINA&action=upload")
    rows = page.html.select("tbody tr")
    assert len(rows) == 50
    assert "#54" in rows[0].text
    assert "55 entries." in page.text
    second = admin_client.get("/admin/audit?account=gina&action=upload&page=2")
    assert [row.select("td")[-1].text for row in second.html.select("tbody tr")] == ["#4", "#3", "#2", "#1", "#0"]
    logins = admin_client.get("/admin/audit?action=login")
    assert all("login" in row.text for row in logins.html.select("tbody tr"))
    assert admin_client.get("/admin/audit?page=junk").status_int == 200
