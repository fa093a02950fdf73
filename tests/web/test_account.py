"""The account page: password change ends other sessions; API tokens are shown once, hashed, revocable."""

from sqlalchemy import select
from webtest import TestApp

from proto import audit
from proto.storage.tables import api_tokens
from tests.conftest import PASSWORD, csrf_from, login


def change_password(client, current, new, status=303):
    page = client.get("/account/")
    return client.post("/account/password", {"current": current, "new": new, "csrf_token": csrf_from(page)},
                       status=status)


def test_password_change_ends_the_other_sessions(user_client, app):
    other = TestApp(app)
    login(other, "alice")
    assert other.get("/api/whoami").status_int == 200
    answer = change_password(user_client, PASSWORD, "a brand new password")
    assert answer.headers["Location"].endswith("/account/")
    assert "Your password was changed" in answer.follow().text
    assert user_client.get("/api/whoami").json["username"] == "alice"
    other.get("/api/whoami", status=401)
    fresh = TestApp(app)
    assert login(fresh, "alice").status_int == 200  # the old password fails
    assert login(fresh, "alice", "a brand new password").status_int == 303


def test_password_change_needs_the_current_password(user_client, app):
    page = change_password(user_client, "not my password", "a brand new password", status=400)
    assert page.html.find(class_="form-error").text == "The current password is wrong."
    page = change_password(user_client, PASSWORD, "short", status=400)
    assert "at least 8 characters" in page.html.find(class_="form-error").text
    assert login(TestApp(app), "alice").status_int == 303


def create_token(client, name="ci upload"):
    page = client.get("/account/")
    answer = client.post("/account/tokens", {"action": "create", "name": name, "csrf_token": csrf_from(page)},
                         status=303)
    shown = answer.follow()
    return shown.html.find("code", class_="secret").text


def test_token_is_shown_once_stored_hashed_and_works(user_client, app):
    token = create_token(user_client)
    assert token.startswith("proto_")
    assert user_client.get("/account/").html.find("code", class_="secret") is None
    with app.services.db.read() as connection:
        stored = connection.execute(select(api_tokens.c.token_hash, api_tokens.c.name)).one()
    assert stored.name == "ci upload" and token not in stored.token_hash
    machine = TestApp(app)
    answer = machine.get("/api/whoami", headers={"Authorization": f"Bearer {token}"})
    assert answer.json == {"username": "alice", "admin": False, "auth": "token"}
    assert "Set-Cookie" not in answer.headers
    entries, _ = audit.entries(app.services.db)
    assert token not in repr(entries)


def test_revoked_or_wrong_token_is_401(user_client, app):
    token = create_token(user_client)
    page = user_client.get("/account/")
    token_id = page.html.find("input", attrs={"name": "token_id"})["value"]
    user_client.post("/account/tokens", {"action": "revoke", "token_id": token_id, "csrf_token": csrf_from(page)},
                     status=303)
    machine = TestApp(app)
    answer = machine.get("/api/whoami", headers={"Authorization": f"Bearer {token}"}, status=401)
    assert answer.json["detail"] == "The API token is unknown, revoked, or its account is disabled."
    machine.get("/api/whoami", headers={"Authorization": "Bearer proto_made-up"}, status=401)


def test_revoking_someone_elses_token_is_404(user_client, app, make_account):
    make_account("bob")
    bob = TestApp(app)
    login(bob, "bob")
    bob_token = create_token(bob)
    page = user_client.get("/account/")
    user_client.post("/account/tokens", {"action": "revoke", "token_id": "1", "csrf_token": csrf_from(page)},
                     status=404)
    assert TestApp(app).get("/api/whoami", headers={"Authorization": f"Bearer {bob_token}"}).json["username"] == "bob"


def test_a_token_needs_a_name(user_client):
    page = user_client.get("/account/")
    answer = user_client.post("/account/tokens", {"action": "create", "name": "  ", "csrf_token": csrf_from(page)},
                              status=400)
    assert "A token needs a name" in answer.text


def test_token_requests_need_no_csrf_but_session_api_writes_need_a_non_form_type(user_client, app):
    import cherrypy
    from proto.web.tree import Node, expose

    class Echo(Node):
        @expose(access="user", methods=("POST",))
        def index(self, **fields):
            """Echo the caller."""
            return cherrypy.serving.request.account.username.encode()

    app.root.api.echo = Echo()
    token = create_token(user_client)
    machine = TestApp(app)
    assert machine.post("/api/echo/", "x", headers={"Authorization": f"Bearer {token}"},
                        content_type="application/x-www-form-urlencoded").text == "alice"
    for form_type in ("application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "text/plain"):
        answer = user_client.post("/api/echo/", "x", content_type=form_type, status=403)
        assert answer.content_type == "application/problem+json"
        assert "non-form Content-Type" in answer.json["detail"]
    assert user_client.post("/api/echo/", "{}", content_type="application/json").text == "alice"
