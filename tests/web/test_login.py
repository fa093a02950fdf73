"""Logging in and out, the session cookie, open redirects, throttling and CSRF, as a browser sees them."""

import pytest
from sqlalchemy import select
from webtest import TestApp

from proto import accounts, audit, passwords
from proto.storage.tables import accounts as accounts_table
from proto.storage.tables import sessions
from tests.conftest import PASSWORD, csrf_from, login


def session_cookie(client):
    return client.cookies.get("session_id")


def test_login_page_has_labelled_fields(client):
    page = client.get("/account/login")
    assert page.html.find("h1").text == "Log in"
    for field in ("username", "password"):
        assert page.html.find("label", attrs={"for": field}) is not None
    set_cookie = page.headers["Set-Cookie"]
    assert "HttpOnly" in set_cookie and "SameSite=Lax" in set_cookie and "Secure" not in set_cookie


def test_login_regenerates_the_session_and_goes_to_next(client, make_account, app):
    make_account("alice")
    client.get("/account/login")
    before = session_cookie(client)
    answer = login(client, "Alice", next="/account/")
    assert answer.status_int == 303
    assert answer.headers["Location"].endswith("/account/")
    assert session_cookie(client) != before
    with app.services.db.read() as connection:
        assert connection.execute(select(sessions.c.account_id)).scalars().all() == [1]
    assert client.get("/api/whoami").json == {"username": "alice", "admin": False, "auth": "session"}
    assert client.get("/account/").html.find("h1").text == "alice"


def test_cookie_is_secure_over_https(client, make_account):
    make_account("alice")
    https = {"wsgi.url_scheme": "https"}
    form = client.get("/account/login", extra_environ=https).forms[0]
    form["username"], form["password"] = "alice", PASSWORD
    answer = form.submit(extra_environ=https)
    cookie = answer.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert answer.headers["Strict-Transport-Security"].startswith("max-age=")


def test_the_cookie_is_sent_when_the_id_is_new_not_again_on_every_page(client, make_account):
    make_account("alice")
    answer = login(client, "alice")
    assert answer.headers["Set-Cookie"].startswith("session_id=" + client.cookies["session_id"] + ";")
    page = client.get("/documents/")
    assert "Set-Cookie" not in page.headers and "alice" in page.text
    # An id the server does not know is never kept: the next thing stored gets a new one, and its cookie.
    client.set_cookie("session_id", "0" * 40)
    assert "Set-Cookie" not in client.get("/").headers  # nothing stored: no cookie either
    fresh = client.get("/account/login").headers["Set-Cookie"]
    assert fresh.startswith("session_id=") and not fresh.startswith("session_id=" + "0" * 40)


def test_anonymous_pages_set_no_cookie(client):
    assert "Set-Cookie" not in client.get("/").headers
    assert "Set-Cookie" not in client.get("/sitemap").headers


@pytest.mark.parametrize(("username", "password"), [
    ("alice", "wrong password"), ("nobody", PASSWORD), ("alice", ""), ("x" * 5000, PASSWORD)])
def test_failed_login_gives_one_message_and_is_audited(client, make_account, app, username, password):
    make_account("alice")
    page = login(client, username, password)
    assert page.status_int == 200
    assert page.html.find(class_="form-error").text == \
        "The username or password is wrong, or the account is disabled."
    entries, _ = audit.entries(app.services.db, action="login")
    assert [(entry.outcome, entry.detail) for entry in entries] == [("failure", "password")]
    assert password not in str(entries) or password == ""
    assert client.get("/api/whoami", status=401)


@pytest.mark.parametrize("target", [
    "//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:alert(1)", "http:/evil", "\t//evil"])
def test_next_never_leaves_the_site(client, make_account, target):
    make_account("alice")
    answer = login(client, "alice", next=target)
    assert answer.status_int == 303
    assert answer.headers["Location"] == "http://localhost:80/"


def test_anonymous_browser_is_sent_to_login_with_next(client):
    answer = client.get("/account/?tab=tokens", status=303)
    assert answer.headers["Location"] == "http://localhost:80/account/login?next=%2Faccount%2F%3Ftab%3Dtokens"


def test_anonymous_api_gets_401_problem_json(client):
    answer = client.get("/api/whoami", status=401)
    assert answer.content_type == "application/problem+json"
    assert answer.json["status"] == 401
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")


def test_logout_ends_the_session_on_the_server(user_client, app):
    cookie = session_cookie(user_client)
    page = user_client.get("/account/")
    answer = user_client.post("/account/logout", {"csrf_token": csrf_from(page)}, status=303)
    ended = answer.headers["Set-Cookie"].lower()
    assert ended.startswith('session_id="";') and "expires=thu, 01 jan 1970 00:00:00 gmt" in ended
    assert {"httponly", "path=/", "samesite=lax"} <= {part.strip() for part in ended.split(";")}
    assert session_cookie(user_client) is None  # the browser forgot it
    with app.services.db.read() as connection:
        assert connection.execute(select(sessions)).all() == []
    replay = TestApp(app)
    replay.set_cookie("session_id", cookie)
    assert replay.get("/account/", status=303).headers["Location"].endswith("/account/login?next=%2Faccount%2F")
    assert replay.get("/api/whoami", status=401)


def test_a_forged_session_id_is_replaced_not_adopted(client, make_account):
    make_account("alice")
    client.set_cookie("session_id", "attacker-chosen-id")
    login(client, "alice")
    assert session_cookie(client) not in ("attacker-chosen-id", None)


@pytest.mark.parametrize("token", [None, "", "wrong-token"])
def test_login_post_without_the_right_csrf_token_is_403(client, make_account, app, token):
    make_account("alice")
    client.get("/account/login")
    fields = {"username": "alice", "password": PASSWORD}
    if token is not None:
        fields["csrf_token"] = token
    answer = client.post("/account/login", fields, status=403)
    assert "did not come from this site" in answer.text
    with app.services.db.read() as connection:
        assert connection.execute(select(accounts_table.c.last_login_at)).scalar_one() is None


def test_logout_without_csrf_is_403_and_the_session_lives_on(user_client):
    user_client.post("/account/logout", {}, status=403)
    assert user_client.get("/api/whoami").json["username"] == "alice"


def test_five_failures_for_one_account_answer_429(client, make_account, app):
    make_account("alice")
    for _ in range(5):
        assert login(client, "alice", "wrong password").status_int == 200
    blocked = login(client, "ALICE", PASSWORD)
    assert blocked.status_int == 429
    assert 1 <= int(blocked.headers["Retry-After"]) <= 15 * 60
    assert "Too many failed attempts" in blocked.text
    # Another account from the same address is not blocked by alice's failures.
    make_account("bob")
    assert login(client, "bob").status_int == 303
    outcomes = [entry.outcome for entry in audit.entries(app.services.db, action="login")[0]]
    assert outcomes == ["success", "throttled"] + ["failure"] * 5


def test_twenty_failures_from_one_address_answer_429(client, make_account):
    make_account("alice")
    for number in range(20):
        assert login(client, f"nobody{number}", "wrong password").status_int == 200
    assert login(client, "alice").status_int == 429


def test_disabled_account_cannot_log_in(client, make_account, app):
    account = make_account("alice")
    make_account("root", admin=True)
    accounts.set_disabled(app.services.db, account, True)
    assert login(client, "alice").html.find(class_="form-error") is not None


def test_login_rehashes_an_old_password_hash(client, make_account, app):
    import base64
    import hashlib
    from sqlalchemy import update
    make_account("alice")
    salt = b"fedcba9876543210"
    digest = hashlib.scrypt(PASSWORD.encode(), salt=salt, n=2 ** 10, r=8, p=1, dklen=32)
    old = f"scrypt${2 ** 10}$8$1${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"
    with app.services.db.write() as connection:
        connection.execute(update(accounts_table).values(password_hash=old))
    assert login(client, "alice").status_int == 303
    with app.services.db.read() as connection:
        stored = connection.execute(select(accounts_table.c.password_hash)).scalar_one()
    assert stored != old and not passwords.needs_rehash(stored)
    assert passwords.verify_password(PASSWORD, stored)
