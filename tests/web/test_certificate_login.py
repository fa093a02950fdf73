"""Certificate login in-process: the WSGI environ of a TLS host, headers from a trusted front server, proxies."""

from __future__ import annotations

import datetime as dt
import urllib.parse

import pytest
from webtest import TestApp

from proto import audit, certificate_logins
from proto.certificates import describe, format_fingerprint, load_certificate, make_dev_pki
from proto.proxies import parse_trusted_proxies
from proto.startup import prepare
from proto.storage.tables import certificates, utcnow
from tests.conftest import csrf_from, login

PROXY = "10.0.0.1"
STRANGER = "203.0.113.9"


@pytest.fixture
def pki(tmp_path):
    return make_dev_pki(tmp_path / "certs", ["alice", "bob"], p12_password="pw")


def pem(pki, name: str) -> str:
    return pki.clients[name].certificate.read_text()


def tls_environ(pki, name: str) -> dict[str, str]:
    """What cheroot, mod_wsgi or lighttpd put in the environ for a verified certificate."""
    return {"SSL_CLIENT_VERIFY": "SUCCESS", "SSL_CLIENT_CERT": pem(pki, name), "wsgi.url_scheme": "https"}


def nginx_headers(pki, name: str) -> dict[str, str]:
    """What nginx sends with $ssl_client_escaped_cert and $ssl_client_verify."""
    return {"X-SSL-Client-Cert": urllib.parse.quote(pem(pki, name), safe=""), "X-SSL-Client-Verify": "SUCCESS"}


@pytest.fixture
def proxied_app(settings, app_factory):
    """An application that trusts the front server at 10.0.0.1."""
    application = app_factory(settings.replace(trusted_proxies=parse_trusted_proxies([PROXY])))
    prepare(application)
    return application


def bind(app, make_account, pki, name: str):
    account = make_account(name)
    cert = load_certificate(pem(pki, name))
    return account, certificate_logins.bind_certificate(app.services.db, account, cert)


def test_a_bound_certificate_is_the_api_caller(app, client, make_account, pki):
    bind(app, make_account, pki, "alice")
    for _ in range(3):
        answer = client.get("/api/whoami", extra_environ=tls_environ(pki, "alice"))
        assert answer.json == {"username": "alice", "admin": False, "auth": "certificate"}
    assert "Set-Cookie" not in answer.headers
    rows, _ = audit.entries(app.services.db, action="certificate-login")
    # API calls are audited once a minute per certificate, not once per call.
    assert [(row.username, row.outcome) for row in rows] == [("alice", "success")]


def test_a_browser_gets_one_session_on_its_first_page(app, client, make_account, pki):
    bind(app, make_account, pki, "alice")
    first = client.get("/account/", extra_environ=tls_environ(pki, "alice"))
    assert "session_id=" in first.headers["Set-Cookie"] and "secure" in first.headers["Set-Cookie"].lower()
    assert first.html.select_one(".badge").text == "certificate"
    assert format_fingerprint(pki.clients["alice"].fingerprint) in first.text
    again = client.get("/account/", extra_environ=tls_environ(pki, "alice"))
    # The session is kept, not regenerated on every page: the browser's cookie stands.
    assert "Set-Cookie" not in again.headers
    assert "session_id=" + client.cookies["session_id"] == first.headers["Set-Cookie"].split(";")[0]
    assert again.html.select_one(".badge").text == "certificate"
    rows, _ = audit.entries(app.services.db, action="certificate-login")
    assert len(rows) == 1 and "browser session" in rows[0].detail


def test_an_unbound_certificate_gets_403_with_its_fingerprint(app, client, pki):
    shown = format_fingerprint(pki.clients["bob"].fingerprint)
    api = client.get("/api/whoami", extra_environ=tls_environ(pki, "bob"), status=403)
    assert "not bound" in api.json["detail"] and shown in api.json["detail"]
    page = client.get("/account/", extra_environ=tls_environ(pki, "bob"), status=403)
    assert "not bound" in page.text and shown in page.text
    for public in ("/", "/sitemap", "/account/login"):
        client.get(public, extra_environ=tls_environ(pki, "bob"), status=200)
    rows, _ = audit.entries(app.services.db, action="certificate-login")
    assert [row.outcome for row in rows] == ["failure", "failure"]
    assert pki.clients["bob"].fingerprint in rows[0].detail


def test_revoked_and_expired_certificates_are_refused(app, client, make_account, pki, tmp_path):
    alice, bound = bind(app, make_account, pki, "alice")
    certificate_logins.revoke_certificate(app.services.db, bound.id)
    answer = client.get("/api/whoami", extra_environ=tls_environ(pki, "alice"), status=403)
    assert "revoked" in answer.json["detail"]
    # Bound while valid, expired since: a front server that does not check dates must not let it in.
    info = describe(load_certificate(pem(pki, "bob")))
    bob = make_account("bob")
    with app.services.db.write() as connection:
        connection.execute(certificates.insert().values(
            account_id=bob.id, fingerprint=info.fingerprint, subject=info.subject, issuer=info.issuer,
            serial=info.serial, not_before=info.not_before, not_after=utcnow() - dt.timedelta(seconds=1),
            created_at=utcnow()))
    answer = client.get("/api/whoami", extra_environ=tls_environ(pki, "bob"), status=403)
    assert "expired" in answer.json["detail"]


def test_a_disabled_account_certificate_is_refused(app, client, make_account, pki):
    from proto import accounts
    alice, _ = bind(app, make_account, pki, "alice")
    accounts.set_disabled(app.services.db, alice, True)
    answer = client.get("/api/whoami", extra_environ=tls_environ(pki, "alice"), status=403)
    assert "disabled" in answer.json["detail"]


def test_spoofed_certificate_headers_from_an_untrusted_address_are_ignored(proxied_app, make_account, pki):
    bind(proxied_app, make_account, pki, "alice")
    client = TestApp(proxied_app, extra_environ={"REMOTE_ADDR": STRANGER})
    client.get("/api/whoami", headers=nginx_headers(pki, "alice"), status=401)
    rows, _ = audit.entries(proxied_app.services.db, action="certificate-header-ignored")
    assert len(rows) == 1 and rows[0].address == STRANGER and rows[0].outcome == "refused"


def test_certificate_headers_from_the_trusted_proxy_log_in(proxied_app, make_account, pki):
    bind(proxied_app, make_account, pki, "alice")
    client = TestApp(proxied_app, extra_environ={"REMOTE_ADDR": PROXY})
    answer = client.get("/api/whoami", headers={**nginx_headers(pki, "alice"), "X-Forwarded-For": STRANGER})
    assert answer.json == {"username": "alice", "admin": False, "auth": "certificate"}
    rows, _ = audit.entries(proxied_app.services.db, action="certificate-login")
    assert rows[0].address == STRANGER
    # nginx with no client certificate: NONE and an empty value, so anonymous.
    client.get("/api/whoami", headers={"X-SSL-Client-Verify": "NONE"}, status=401)


@pytest.mark.parametrize("headers", [
    {"X-SSL-Client-Cert": "not%20a%20certificate", "X-SSL-Client-Verify": "SUCCESS"},
    {"X-Forwarded-For": "somewhere"},
    {"X-Forwarded-Proto": "gopher"},
])
def test_garbage_from_the_trusted_proxy_is_400(proxied_app, headers):
    client = TestApp(proxied_app, extra_environ={"REMOTE_ADDR": PROXY})
    client.get("/api/whoami", headers=headers, status=400)
    TestApp(proxied_app, extra_environ={"REMOTE_ADDR": STRANGER}).get("/api/whoami", headers=headers, status=401)


def test_forwarded_address_and_scheme_are_believed_from_the_trusted_proxy_only(proxied_app, make_account):
    make_account("alice")
    proxied = TestApp(proxied_app, extra_environ={"REMOTE_ADDR": PROXY})
    forwarded = {"X-Forwarded-For": "198.51.100.7", "X-Forwarded-Proto": "https"}
    page = proxied.get("/account/login", headers=forwarded)
    assert "Strict-Transport-Security" in page.headers and "secure" in page.headers["Set-Cookie"].lower()
    assert proxied.get("/account/", headers=forwarded, status=303).headers["Location"].startswith("https://")
    form = TestApp(proxied_app, extra_environ={"REMOTE_ADDR": PROXY}).get(
        "/account/login", headers={"X-Forwarded-For": "198.51.100.7"}).forms[0]
    form["username"], form["password"] = "alice", "correct horse battery"
    form.submit(headers={"X-Forwarded-For": "198.51.100.7"}, status=303)
    rows, _ = audit.entries(proxied_app.services.db, action="login")
    assert rows[0].address == "198.51.100.7"
    stranger = TestApp(proxied_app, extra_environ={"REMOTE_ADDR": STRANGER})
    page = stranger.get("/account/login", headers=forwarded)
    assert "Strict-Transport-Security" not in page.headers and "secure" not in page.headers["Set-Cookie"].lower()
    login(stranger, "alice", "wrong password")
    rows, _ = audit.entries(proxied_app.services.db, action="login")
    assert rows[0].address == STRANGER


def form_for(page, action: str):
    """Return the page's form whose hidden ``action`` field says ``action``."""
    return next(form for form in page.forms.values() if form.fields.get("action") and form.fields["action"][0].value == action)


def test_admin_binds_by_paste_and_upload_and_revokes(admin_client, app, make_account, pki):
    make_account("alice")
    page = admin_client.get("/admin/users/alice/")
    form = form_for(page, "bind-cert")
    form["certificate"] = pem(pki, "alice")
    shown = form.submit().follow()
    assert format_fingerprint(pki.clients["alice"].fingerprint) in shown.text
    form = form_for(shown, "bind-cert")
    form["certificate_file"] = ("bob.pem", pem(pki, "bob").encode())
    shown = form.submit().follow()
    assert format_fingerprint(pki.clients["bob"].fingerprint) in shown.text
    again = form_for(admin_client.get("/admin/users/alice/"), "bind-cert")
    again["certificate"] = pem(pki, "alice")
    refused = again.submit(status=400)
    assert "already bound" in refused.html.find(class_="form-error").text
    junk = form_for(admin_client.get("/admin/users/alice/"), "bind-cert")
    junk["certificate"] = "hello"
    assert "not a PEM certificate" in junk.submit(status=400).text
    # Newest first: the first Revoke button is bob's certificate, the second alice's.
    revoke_forms = [form for form in admin_client.get("/admin/users/alice/").forms.values()
                    if form.fields.get("action") and form.fields["action"][0].value == "revoke-cert"]
    revoke_forms[1].submit(status=303)
    rows, _ = audit.entries(app.services.db, action="admin-revoke-cert")
    assert rows[0].outcome == "success" and "certificate " in rows[0].detail
    client = TestApp(app)
    assert TestApp(app).get("/api/whoami", extra_environ=tls_environ(pki, "alice"), status=403).json["detail"] \
        .startswith("Your client certificate has been revoked")
    assert TestApp(app).get("/api/whoami", extra_environ=tls_environ(pki, "bob")).json["username"] == "alice"


def test_the_account_page_lists_the_callers_certificates(app, user_client, pki):
    from proto import accounts
    alice = accounts.find_account(app.services.db, "alice")
    certificate_logins.bind_certificate(app.services.db, alice, load_certificate(pem(pki, "alice")))
    page = user_client.get("/account/")
    cells = [cell.text.strip() for cell in page.html.select("table")[0].select("td")]
    assert cells[0] == "CN=alice,O=Proto development" and cells[-1] == "active"
    assert format_fingerprint(pki.clients["alice"].fingerprint) in cells
