"""Binding client certificates to accounts and finding the account a certificate logs in."""

from __future__ import annotations

import datetime as dt

import pytest

from proto import accounts, certificate_logins
from proto.certificate_logins import CertificateBindError
from proto.certificates import format_fingerprint, load_certificate, make_client_certificate, make_dev_pki


@pytest.fixture
def pki(tmp_path):
    return make_dev_pki(tmp_path / "certs", ["alice", "bob"], p12_password="pw")


def cert_of(pki, name):
    return load_certificate(pki.clients[name].certificate.read_bytes())


def test_a_bound_certificate_logs_its_account_in(app, make_account, pki):
    db = app.services.db
    alice = make_account("alice")
    bound = certificate_logins.bind_certificate(db, alice, cert_of(pki, "alice"))
    assert bound.fingerprint == pki.clients["alice"].fingerprint
    assert bound.subject == "CN=alice,O=Proto development"
    assert certificate_logins.account_for_certificate(db, cert_of(pki, "alice")) == (alice, "")
    assert [c.fingerprint for c in certificate_logins.list_certificates(db, alice)] == [bound.fingerprint]


def test_unbound_revoked_and_disabled_certificates_say_why(app, make_account, pki):
    db = app.services.db
    alice = make_account("alice")
    make_account("root", admin=True)
    assert certificate_logins.account_for_certificate(db, cert_of(pki, "bob")) == (None, "unbound")
    bound = certificate_logins.bind_certificate(db, alice, cert_of(pki, "alice"))
    accounts.set_disabled(db, alice, True)
    assert certificate_logins.account_for_certificate(db, cert_of(pki, "alice")) == (None, "disabled")
    certificate_logins.revoke_certificate(db, bound.id)
    assert certificate_logins.account_for_certificate(db, cert_of(pki, "alice")) == (None, "revoked")
    with pytest.raises(CertificateBindError):
        certificate_logins.revoke_certificate(db, bound.id)


def test_binding_refuses_expired_and_already_bound_certificates(app, make_account, pki, tmp_path):
    db = app.services.db
    alice, bob = make_account("alice"), make_account("bob")
    certificate_logins.bind_certificate(db, alice, cert_of(pki, "alice"))
    with pytest.raises(CertificateBindError, match="already bound"):
        certificate_logins.bind_certificate(db, bob, cert_of(pki, "alice"))
    past = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=30)
    old = make_client_certificate(pki.ca_certificate, pki.ca_private_key, "old", tmp_path / "old",
                                  not_before=past, not_after=past + dt.timedelta(days=1))
    with pytest.raises(CertificateBindError, match="expired"):
        certificate_logins.bind_certificate(db, bob, load_certificate(old.certificate.read_bytes()))


def test_a_revoked_certificate_cannot_be_bound_again(app, make_account, pki):
    db = app.services.db
    alice = make_account("alice")
    bound = certificate_logins.bind_certificate(db, alice, cert_of(pki, "alice"))
    certificate_logins.revoke_certificate(db, bound.id, account=alice)
    with pytest.raises(CertificateBindError, match="already bound"):
        certificate_logins.bind_certificate(db, alice, cert_of(pki, "alice"))


def test_an_account_revokes_only_its_own(app, make_account, pki):
    db = app.services.db
    alice, bob = make_account("alice"), make_account("bob")
    bound = certificate_logins.bind_certificate(db, alice, cert_of(pki, "alice"))
    with pytest.raises(CertificateBindError):
        certificate_logins.revoke_certificate(db, bound.id, account=bob)


def test_read_certificate_refuses_what_is_not_one():
    with pytest.raises(CertificateBindError, match="not a PEM certificate"):
        certificate_logins.read_certificate(b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
    with pytest.raises(CertificateBindError, match="too large"):
        certificate_logins.read_certificate(b"x" * 70_000)


def test_find_certificate_takes_any_spelling(app, make_account, pki):
    db = app.services.db
    bound = certificate_logins.bind_certificate(db, make_account("alice"), cert_of(pki, "alice"))
    assert certificate_logins.find_certificate(db, format_fingerprint(bound.fingerprint).lower()) == bound
    with pytest.raises(CertificateBindError):
        certificate_logins.find_certificate(db, "nope")


def test_refusal_message_names_the_fingerprint(pki):
    digest = pki.clients["alice"].fingerprint
    message = certificate_logins.refusal_message("unbound", digest)
    assert "not bound" in message and format_fingerprint(digest) in message


def test_recent_uses_records_a_key_once_a_minute():
    uses = certificate_logins.RecentUses()
    now = dt.datetime.now(dt.timezone.utc)
    assert uses.due("a", now) and not uses.due("a", now + dt.timedelta(seconds=30))
    assert uses.due("b", now) and uses.due("a", now + dt.timedelta(seconds=61))
