"""Tests for proto.certificates: the development PKI, parsing, fingerprints and real TLS."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import ipaddress
import shutil
import socket
import ssl
import stat
import subprocess
import threading
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from cryptography.x509.verification import (
    Criticality,
    DNSName,
    ExtensionPolicy,
    IPAddress,
    PolicyBuilder,
    Store,
    VerificationError,
)

from proto.certificates import (
    CertificateError,
    ClientFiles,
    DevPki,
    build_server_ssl_context,
    decode_forwarded_certificate,
    describe,
    fingerprint,
    format_fingerprint,
    load_certificate,
    make_client_certificate,
    make_dev_pki,
    parse_fingerprint,
)

OPENSSL = shutil.which("openssl")
needs_openssl = pytest.mark.skipif(OPENSSL is None, reason="openssl is not installed")
UTC = dt.timezone.utc


def read_cert(path: Path) -> x509.Certificate:
    """Load a certificate file."""
    return load_certificate(path.read_bytes())


def mode(path: Path) -> int:
    """Return a file's permission bits."""
    return stat.S_IMODE(path.stat().st_mode)


def openssl(*args: str) -> str:
    """Run openssl and return its standard output."""
    assert OPENSSL is not None
    done = subprocess.run(
        [OPENSSL, *args], capture_output=True, text=True, check=False, timeout=30
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def client_verifier(ca: x509.Certificate) -> PolicyBuilder:
    """Return a policy that verifies client certificates against `ca`.

    cryptography's client verifier insists on a subjectAltName, which a client
    certificate does not need (browsers, nginx and OpenSSL do not ask for one).
    """
    ee = ExtensionPolicy.webpki_defaults_ee().may_be_present(
        x509.SubjectAlternativeName, Criticality.AGNOSTIC, None
    )
    return PolicyBuilder().store(Store([ca])).extension_policies(
        ca_policy=ExtensionPolicy.webpki_defaults_ca(), ee_policy=ee
    )


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> DevPki:
    """A development PKI with clients alice and bob."""
    return make_dev_pki(tmp_path_factory.mktemp("pki"), ["alice", "bob"], p12_password="s3cret")


@pytest.fixture(scope="module")
def foreign(tmp_path_factory: pytest.TempPathFactory) -> DevPki:
    """An unrelated development PKI whose client mallory nobody trusts."""
    return make_dev_pki(tmp_path_factory.mktemp("foreign"), ["mallory"])


@pytest.fixture(scope="module")
def expired(pki: DevPki, tmp_path_factory: pytest.TempPathFactory) -> ClientFiles:
    """A client certificate issued by the good CA that expired yesterday."""
    now = dt.datetime.now(UTC)
    return make_client_certificate(
        pki.ca_certificate,
        pki.ca_private_key,
        "old",
        tmp_path_factory.mktemp("expired"),
        not_before=now - dt.timedelta(days=30),
        not_after=now - dt.timedelta(days=1),
    )


# --------------------------------------------------------------------------
# make_dev_pki


def test_make_dev_pki_writes_every_file(pki: DevPki) -> None:
    names = sorted(path.name for path in pki.directory.iterdir())
    assert names == sorted(
        [
            "ca.pem", "ca-key.pem", "server.pem", "server-key.pem",
            "alice.pem", "alice-key.pem", "alice.p12",
            "bob.pem", "bob-key.pem", "bob.p12",
        ]
    )
    assert pki.ca_created and pki.server_created
    assert set(pki.clients) == {"alice", "bob"}
    alice = pki.clients["alice"]
    assert alice.certificate == pki.directory / "alice.pem"
    assert alice.private_key == pki.directory / "alice-key.pem"
    assert alice.pkcs12 == pki.directory / "alice.p12"
    assert alice.pkcs12_password == "s3cret"
    assert alice.fingerprint == fingerprint(read_cert(alice.certificate))


def test_secret_files_are_owner_only_and_certificates_not_writable_by_others(
    pki: DevPki,
) -> None:
    secrets = [pki.ca_private_key, pki.server_private_key]
    for client in pki.clients.values():
        secrets += [client.private_key, client.pkcs12]
    for path in secrets:
        assert mode(path) == 0o600, path
    for path in [pki.ca_certificate, pki.server_certificate, pki.clients["bob"].certificate]:
        assert mode(path) & 0o022 == 0, path


def test_keys_are_unencrypted_p256(pki: DevPki) -> None:
    key = serialization.load_pem_private_key(pki.server_private_key.read_bytes(), None)
    assert key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    ) == read_cert(pki.server_certificate).public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert key.curve.name == "secp256r1"  # type: ignore[union-attr]


def test_ca_is_a_ca(pki: DevPki) -> None:
    ca = read_cert(pki.ca_certificate)
    constraints = ca.extensions.get_extension_for_class(x509.BasicConstraints)
    assert constraints.critical and constraints.value.ca
    assert ca.extensions.get_extension_for_class(x509.KeyUsage).value.key_cert_sign
    assert ca.subject == ca.issuer


def test_server_certificate_is_for_localhost(pki: DevPki) -> None:
    cert = read_cert(pki.server_certificate)
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == ["localhost"]
    assert set(san.get_values_for_type(x509.IPAddress)) == {
        ipaddress.ip_address("127.0.0.1"),
        ipaddress.ip_address("::1"),
    }
    eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(eku) == [ExtendedKeyUsageOID.SERVER_AUTH]
    assert cert.issuer == read_cert(pki.ca_certificate).subject
    assert cert.not_valid_after_utc - cert.not_valid_before_utc <= dt.timedelta(days=826)


def test_client_certificate_names_the_client(pki: DevPki) -> None:
    cert = read_cert(pki.clients["alice"].certificate)
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "alice"
    eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(eku) == [ExtendedKeyUsageOID.CLIENT_AUTH]
    assert not cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca


def test_certificates_verify_against_the_ca(pki: DevPki, foreign: DevPki) -> None:
    ca = read_cert(pki.ca_certificate)
    for name in ("alice", "bob"):
        chain = client_verifier(ca).build_client_verifier().verify(
            read_cert(pki.clients[name].certificate), []
        ).chain
        assert chain[-1] == ca
    server = read_cert(pki.server_certificate)
    servers = PolicyBuilder().store(Store([ca]))
    servers.build_server_verifier(DNSName("localhost")).verify(server, [])
    servers.build_server_verifier(IPAddress(ipaddress.ip_address("127.0.0.1"))).verify(server, [])
    with pytest.raises(VerificationError):
        client_verifier(ca).build_client_verifier().verify(
            read_cert(foreign.clients["mallory"].certificate), []
        )
    with pytest.raises(VerificationError):
        # A client certificate is no server certificate (EKU, no SAN).
        servers.build_server_verifier(DNSName("localhost")).verify(
            read_cert(pki.clients["alice"].certificate), []
        )


@needs_openssl
def test_openssl_verifies_the_certificates(pki: DevPki, foreign: DevPki) -> None:
    ca = str(pki.ca_certificate)
    alice = str(pki.clients["alice"].certificate)
    assert openssl("verify", "-CAfile", ca, "-purpose", "sslclient", alice).strip().endswith(": OK")
    assert openssl(
        "verify", "-CAfile", ca, "-purpose", "sslserver",
        "-verify_hostname", "localhost", str(pki.server_certificate),
    ).strip().endswith(": OK")
    assert openssl(
        "verify", "-CAfile", ca, "-verify_ip", "127.0.0.1", str(pki.server_certificate)
    ).strip().endswith(": OK")
    refused = subprocess.run(
        [OPENSSL, "verify", "-CAfile", ca, str(foreign.clients["mallory"].certificate)],
        capture_output=True, text=True, check=False, timeout=30,
    )
    assert refused.returncode != 0


def test_pkcs12_holds_key_certificate_and_ca(pki: DevPki) -> None:
    alice = pki.clients["alice"]
    key, cert, cas = pkcs12.load_key_and_certificates(alice.pkcs12.read_bytes(), b"s3cret")
    assert cert == read_cert(alice.certificate)
    assert cas == [read_cert(pki.ca_certificate)]
    assert key is not None
    assert key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ) == alice.private_key.read_bytes()
    with pytest.raises(ValueError):
        pkcs12.load_key_and_certificates(alice.pkcs12.read_bytes(), b"wrong")


@needs_openssl
def test_openssl_reads_the_pkcs12(pki: DevPki) -> None:
    out = openssl(
        "pkcs12", "-in", str(pki.clients["bob"].pkcs12), "-passin", "pass:s3cret",
        "-nokeys", "-clcerts",
    )
    assert "CN = bob" in out or "CN=bob" in out


def test_pkcs12_gets_a_random_password_by_default(foreign: DevPki, tmp_path: Path) -> None:
    mallory = foreign.clients["mallory"]
    assert len(mallory.pkcs12_password) >= 16
    pkcs12.load_key_and_certificates(
        mallory.pkcs12.read_bytes(), mallory.pkcs12_password.encode()
    )
    again = make_dev_pki(tmp_path, ["x", "y"])
    passwords = {c.pkcs12_password for c in again.clients.values()}
    assert len(passwords) == 2 and mallory.pkcs12_password not in passwords


def test_legacy_pkcs12_still_loads(pki: DevPki, tmp_path: Path) -> None:
    client = make_client_certificate(
        pki.ca_certificate, pki.ca_private_key, "oldmac", tmp_path,
        p12_password="pw", legacy_pkcs12=True,
    )
    _, cert, _ = pkcs12.load_key_and_certificates(client.pkcs12.read_bytes(), b"pw")
    assert cert == read_cert(client.certificate)


def test_rerun_reuses_the_ca_and_adds_a_client(tmp_path: Path) -> None:
    first = make_dev_pki(tmp_path, ["alice"])
    kept = {
        name: (tmp_path / name).read_bytes()
        for name in ("ca.pem", "ca-key.pem", "server.pem", "server-key.pem", "alice.pem")
    }
    second = make_dev_pki(tmp_path, ["carol"])
    assert not second.ca_created and not second.server_created
    for name, data in kept.items():
        assert (tmp_path / name).read_bytes() == data, name
    assert set(second.clients) == {"carol"}
    ca = read_cert(first.ca_certificate)
    carol = read_cert(second.clients["carol"].certificate)
    client_verifier(ca).build_client_verifier().verify(carol, [])


def test_rerun_refuses_to_overwrite_a_client(tmp_path: Path) -> None:
    make_dev_pki(tmp_path, ["alice"])
    before = {path.name: path.read_bytes() for path in tmp_path.iterdir()}
    with pytest.raises(FileExistsError, match=r"alice\.pem already exists"):
        make_dev_pki(tmp_path, ["dave", "alice"])
    # Nothing was written: not even dave, who came first.
    assert {path.name: path.read_bytes() for path in tmp_path.iterdir()} == before


def test_overwrite_replaces_a_client_and_keeps_it_private(tmp_path: Path) -> None:
    first = make_dev_pki(tmp_path, ["alice"])
    (tmp_path / "alice-key.pem").chmod(0o644)
    ca_before = first.ca_certificate.read_bytes()
    second = make_dev_pki(tmp_path, ["alice"], overwrite=True)
    assert second.clients["alice"].fingerprint != first.clients["alice"].fingerprint
    assert mode(second.clients["alice"].private_key) == 0o600
    assert mode(second.clients["alice"].pkcs12) == 0o600
    assert second.ca_certificate.read_bytes() == ca_before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_make_client_certificate_refuses_existing_files(pki: DevPki) -> None:
    with pytest.raises(FileExistsError, match="alice"):
        make_client_certificate(pki.ca_certificate, pki.ca_private_key, "alice", pki.directory)


def test_server_certificate_without_its_ca_is_refused(tmp_path: Path) -> None:
    make_dev_pki(tmp_path)
    (tmp_path / "ca.pem").unlink()
    (tmp_path / "ca-key.pem").unlink()
    with pytest.raises(CertificateError, match="server.pem"):
        make_dev_pki(tmp_path, ["alice"])
    assert not (tmp_path / "ca.pem").exists()


def test_mismatched_ca_key_is_refused(tmp_path: Path) -> None:
    make_dev_pki(tmp_path / "one")
    make_dev_pki(tmp_path / "two")
    (tmp_path / "one" / "ca-key.pem").write_bytes((tmp_path / "two" / "ca-key.pem").read_bytes())
    with pytest.raises(CertificateError, match="does not match"):
        make_dev_pki(tmp_path / "one", ["alice"])


def test_unreadable_ca_certificate_is_named(tmp_path: Path) -> None:
    make_dev_pki(tmp_path)
    (tmp_path / "ca.pem").write_text("garbage")
    with pytest.raises(CertificateError, match=r"ca\.pem: not a PEM or DER certificate"):
        make_dev_pki(tmp_path, ["alice"])


def test_kept_server_certificate_must_match_its_key(tmp_path: Path) -> None:
    make_dev_pki(tmp_path, ["alice"])
    (tmp_path / "server-key.pem").write_bytes((tmp_path / "alice-key.pem").read_bytes())
    with pytest.raises(CertificateError, match=r"server-key\.pem does not match"):
        make_dev_pki(tmp_path, ["bob"])


def test_missing_ca_key_is_refused(tmp_path: Path) -> None:
    make_dev_pki(tmp_path)
    (tmp_path / "ca-key.pem").unlink()
    with pytest.raises(CertificateError, match="ca-key.pem is missing"):
        make_dev_pki(tmp_path, ["alice"])


@pytest.mark.parametrize(
    "name", ["", "ca", "Server", "../evil", "a/b", ".hidden", "-dash", "two words", "x" * 65, "é"]
)
def test_unsafe_client_names_are_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(ValueError, match="invalid client name"):
        make_dev_pki(tmp_path, [name])
    assert list(tmp_path.iterdir()) == []


def test_clients_must_not_be_a_bare_string(tmp_path: Path) -> None:
    with pytest.raises(TypeError):
        make_dev_pki(tmp_path, "alice")


# --------------------------------------------------------------------------
# Fingerprints, describe, load


def test_fingerprint_is_sha256_of_der(pki: DevPki) -> None:
    cert = read_cert(pki.clients["alice"].certificate)
    der = cert.public_bytes(serialization.Encoding.DER)
    assert fingerprint(cert) == hashlib.sha256(der).hexdigest()
    shown = format_fingerprint(cert)
    assert shown == format_fingerprint(fingerprint(cert))
    assert shown.replace(":", "").lower() == fingerprint(cert)
    assert len(shown) == 95 and shown == shown.upper()


@needs_openssl
def test_fingerprint_matches_openssl(pki: DevPki) -> None:
    path = pki.clients["bob"].certificate
    out = openssl("x509", "-noout", "-fingerprint", "-sha256", "-in", str(path))
    assert out.strip().split("=", 1)[1] == format_fingerprint(read_cert(path))


@pytest.mark.parametrize(
    "text",
    [
        "AB" * 32,
        ":".join(["ab"] * 32),
        " " + " ".join(["Ab"] * 32) + "\n",
        "sha256 Fingerprint=" + ":".join(["AB"] * 32),
        "SHA256 Fingerprint=" + ":".join(["ab"] * 32),
        "sha-256=" + "ab" * 32,
    ],
)
def test_parse_fingerprint_normalizes(text: str) -> None:
    assert parse_fingerprint(text) == "ab" * 32


@pytest.mark.parametrize("text", ["", "ab" * 31, "ab" * 33, "zz" * 32, "ab" * 20])
def test_parse_fingerprint_rejects(text: str) -> None:
    with pytest.raises(CertificateError, match="fingerprint"):
        parse_fingerprint(text)


def test_describe(pki: DevPki) -> None:
    cert = read_cert(pki.clients["alice"].certificate)
    info = describe(cert)
    assert info.subject == "CN=alice,O=Proto development"
    assert info.issuer == read_cert(pki.ca_certificate).subject.rfc4514_string()
    assert info.issuer.startswith("CN=Proto development CA ")
    assert int(info.serial, 16) == cert.serial_number
    assert info.serial == info.serial.lower()
    assert info.not_before.tzinfo is not None and info.not_after.utcoffset() == dt.timedelta(0)
    assert info.fingerprint == fingerprint(cert)
    assert info.common_name == "alice"
    assert info.is_current()
    assert not info.is_current(info.not_after + dt.timedelta(seconds=1))
    assert not info.is_current(info.not_before - dt.timedelta(seconds=1))
    with pytest.raises(ValueError, match="aware"):
        info.is_current(dt.datetime.now())


def test_expired_certificate_is_not_current(expired: ClientFiles) -> None:
    info = describe(read_cert(expired.certificate))
    assert not info.is_current()
    assert info.not_after < dt.datetime.now(UTC)


def test_validity_bounds_are_checked(pki: DevPki, tmp_path: Path) -> None:
    now = dt.datetime.now(UTC)
    with pytest.raises(ValueError, match="earlier"):
        make_client_certificate(
            pki.ca_certificate, pki.ca_private_key, "x", tmp_path,
            not_before=now, not_after=now - dt.timedelta(days=1),
        )
    with pytest.raises(ValueError, match="aware"):
        make_client_certificate(
            pki.ca_certificate, pki.ca_private_key, "x", tmp_path,
            not_after=dt.datetime.now(),
        )
    future = make_client_certificate(
        pki.ca_certificate, pki.ca_private_key, "future", tmp_path,
        not_before=now + dt.timedelta(days=1),
    )
    assert not describe(read_cert(future.certificate)).is_current()


def test_load_certificate_accepts_pem_text_pem_bytes_and_der(pki: DevPki) -> None:
    cert = read_cert(pki.ca_certificate)
    pem = cert.public_bytes(serialization.Encoding.PEM)
    der = cert.public_bytes(serialization.Encoding.DER)
    assert load_certificate(pem) == cert
    assert load_certificate(pem.decode()) == cert
    assert load_certificate("\n  " + pem.decode() + "\n") == cert
    assert load_certificate(der) == cert


@pytest.mark.parametrize(
    "data",
    [
        b"",
        "",
        "   ",
        b"hello world",
        "not a certificate",
        "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
        b"\x30\x82\x01\x00garbage",
        "ünïcödé",
        bytes(range(256)),
    ],
)
def test_load_certificate_rejects_garbage(data: bytes | str) -> None:
    with pytest.raises(CertificateError, match="not a PEM or DER certificate"):
        load_certificate(data)


def test_certificate_error_is_a_value_error() -> None:
    assert issubclass(CertificateError, ValueError)


# --------------------------------------------------------------------------
# Certificates forwarded by a front server


@pytest.fixture(scope="module")
def alice_pem(pki: DevPki) -> str:
    """Alice's certificate as PEM text."""
    return pki.clients["alice"].certificate.read_text()


def _folded(pem: str, separator: str) -> str:
    """Return PEM with its line breaks replaced, as header folding leaves it."""
    return separator.join(pem.strip().splitlines())


@pytest.mark.parametrize(
    "encode",
    [
        pytest.param(lambda pem: urllib.parse.quote(pem), id="nginx-escaped"),
        pytest.param(lambda pem: urllib.parse.quote(pem, safe=""), id="fully-escaped"),
        pytest.param(lambda pem: _folded(pem, " "), id="apache-spaces"),
        pytest.param(lambda pem: _folded(pem, "\n\t"), id="nginx-tab-folded"),
        pytest.param(lambda pem: pem, id="plain-pem"),
        pytest.param(lambda pem: "  " + urllib.parse.quote(pem) + "  ", id="padded"),
        pytest.param(
            lambda pem: "".join(pem.strip().splitlines()[1:-1]), id="bare-base64-der"
        ),
    ],
)
def test_decode_forwarded_certificate(alice_pem: str, encode, pki: DevPki) -> None:
    cert = decode_forwarded_certificate(encode(alice_pem))
    assert fingerprint(cert) == pki.clients["alice"].fingerprint


def test_nginx_escaped_form_really_has_escapes(alice_pem: str) -> None:
    value = urllib.parse.quote(alice_pem)
    assert "\n" not in value and "%0A" in value and " " not in value


@pytest.mark.parametrize(
    "value",
    [
        "",
        "   ",
        "(null)",
        "-",
        "%ZZ",
        "%ff%fe%fd",
        "-----BEGIN CERTIFICATE----- !!!! -----END CERTIFICATE-----",
        "-----BEGIN CERTIFICATE----- AAAA -----END CERTIFICATE-----",
        base64.b64encode(b"\x00" * 300).decode(),
        "-----BEGIN PRIVATE KEY----- AAAA -----END PRIVATE KEY-----",
    ],
)
def test_decode_forwarded_certificate_rejects_garbage(value: str) -> None:
    with pytest.raises(CertificateError):
        decode_forwarded_certificate(value)


# --------------------------------------------------------------------------
# The server's TLS context


def test_context_settings(pki: DevPki) -> None:
    for verify, expected in [
        ("none", ssl.CERT_NONE),
        ("optional", ssl.CERT_OPTIONAL),
        ("required", ssl.CERT_REQUIRED),
    ]:
        context = build_server_ssl_context(
            pki.server_certificate, pki.server_private_key, pki.ca_certificate, verify
        )
        assert context.verify_mode == expected
        assert context.minimum_version >= ssl.TLSVersion.TLSv1_2
    context = build_server_ssl_context(
        pki.server_certificate, pki.server_private_key, pki.ca_certificate, "required"
    )
    # Only the configured CA is trusted for client certificates, never the system store.
    trusted = context.get_ca_certs(binary_form=True)
    assert trusted == [read_cert(pki.ca_certificate).public_bytes(serialization.Encoding.DER)]


def test_context_without_client_ca_for_none(pki: DevPki) -> None:
    context = build_server_ssl_context(pki.server_certificate, pki.server_private_key, None, "none")
    assert context.verify_mode == ssl.CERT_NONE


@pytest.mark.parametrize("verify", ["optional", "required"])
def test_context_needs_a_client_ca_to_verify(pki: DevPki, verify: str) -> None:
    with pytest.raises(ValueError, match="needs client_ca"):
        build_server_ssl_context(pki.server_certificate, pki.server_private_key, None, verify)


@pytest.mark.parametrize("verify", ["", "Optional", "yes", "true", "CERT_REQUIRED"])
def test_context_rejects_unknown_verify_values(pki: DevPki, verify: str) -> None:
    with pytest.raises(ValueError, match="client_verify must be one of"):
        build_server_ssl_context(
            pki.server_certificate, pki.server_private_key, pki.ca_certificate, verify
        )


def test_context_reports_unusable_files(pki: DevPki, tmp_path: Path) -> None:
    with pytest.raises(CertificateError, match="missing.pem"):
        build_server_ssl_context(pki.server_certificate, tmp_path / "missing.pem", None, "none")
    with pytest.raises(CertificateError, match="alice-key.pem"):
        build_server_ssl_context(
            pki.server_certificate, pki.clients["alice"].private_key, None, "none"
        )
    with pytest.raises(CertificateError, match="ca.pem"):
        build_server_ssl_context(
            pki.server_certificate, pki.server_private_key, tmp_path / "ca.pem", "optional"
        )


@needs_openssl
def test_context_refuses_an_encrypted_key_without_prompting(pki: DevPki, tmp_path: Path) -> None:
    encrypted = tmp_path / "encrypted-key.pem"
    openssl(
        "pkey", "-in", str(pki.server_private_key), "-aes256", "-passout", "pass:x",
        "-out", str(encrypted),
    )
    with pytest.raises(CertificateError, match="encrypted"):
        build_server_ssl_context(pki.server_certificate, encrypted, None, "none")


# --------------------------------------------------------------------------
# Real TLS handshakes


@dataclass
class Outcome:
    """What both ends of one TLS connection saw."""

    client_error: BaseException | None
    client_data: bytes
    server_error: BaseException | None
    server_peer: bytes | None
    server_peer_dict: dict | None

    @property
    def ok(self) -> bool:
        """Tell whether the client got the server's whole answer."""
        return self.client_error is None and self.client_data.endswith(b"\n")


def connect(
    server_context: ssl.SSLContext,
    trust: Path,
    client: ClientFiles | None = None,
    *,
    tls_version: ssl.TLSVersion | None = None,
) -> Outcome:
    """Serve one TLS connection on 127.0.0.1 and connect to it, maybe with a client certificate."""
    server: dict[str, object] = {}

    with socket.create_server(("127.0.0.1", 0)) as listener:
        listener.settimeout(10)
        port = listener.getsockname()[1]

        def serve() -> None:
            try:
                conn, _ = listener.accept()
            except OSError as exc:
                server["error"] = exc
                return
            with conn:
                conn.settimeout(10)
                try:
                    with server_context.wrap_socket(conn, server_side=True) as tls:
                        peer = tls.getpeercert(binary_form=True)
                        server["peer"] = peer
                        server["peer_dict"] = tls.getpeercert()
                        answer = hashlib.sha256(peer).hexdigest() if peer else "none"
                        tls.sendall(answer.encode() + b"\n")
                except (ssl.SSLError, OSError) as exc:
                    server["error"] = exc

        thread = threading.Thread(target=serve, daemon=True)
        thread.start()

        context = ssl.create_default_context(cafile=str(trust))
        if tls_version is not None:
            context.maximum_version = tls_version
        if client is not None:
            context.load_cert_chain(str(client.certificate), str(client.private_key))
        client_error: BaseException | None = None
        data = b""
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
                with context.wrap_socket(raw, server_hostname="localhost") as tls:
                    # In TLS 1.3 the client finishes its handshake before the
                    # server has checked the client certificate: a refusal
                    # shows up on this first read, as an alert or an EOF.
                    while not data.endswith(b"\n"):
                        chunk = tls.recv(1024)
                        if not chunk:
                            break
                        data += chunk
        except (ssl.SSLError, OSError) as exc:
            client_error = exc
        thread.join(10)
        assert not thread.is_alive()

    return Outcome(
        client_error=client_error,
        client_data=data,
        server_error=server.get("error"),  # type: ignore[arg-type]
        server_peer=server.get("peer"),  # type: ignore[arg-type]
        server_peer_dict=server.get("peer_dict"),  # type: ignore[arg-type]
    )


def server_context(pki: DevPki, verify: str) -> ssl.SSLContext:
    """Build the server context under test for `pki`."""
    return build_server_ssl_context(
        pki.server_certificate, pki.server_private_key, pki.ca_certificate, verify
    )


TLS_VERSIONS = [
    pytest.param(ssl.TLSVersion.TLSv1_2, id="tls1.2"),
    pytest.param(ssl.TLSVersion.TLSv1_3, id="tls1.3"),
]


@pytest.mark.parametrize("version", TLS_VERSIONS)
@pytest.mark.parametrize("verify", ["none", "optional"])
def test_handshake_without_client_certificate(pki: DevPki, verify: str, version) -> None:
    outcome = connect(server_context(pki, verify), pki.ca_certificate, tls_version=version)
    assert outcome.ok, (outcome.client_error, outcome.server_error)
    assert outcome.server_error is None
    assert outcome.server_peer is None
    assert not outcome.server_peer_dict
    assert outcome.client_data == b"none\n"


@pytest.mark.parametrize("version", TLS_VERSIONS)
@pytest.mark.parametrize("verify", ["optional", "required"])
def test_handshake_with_good_client_certificate(pki: DevPki, verify: str, version) -> None:
    alice = pki.clients["alice"]
    outcome = connect(server_context(pki, verify), pki.ca_certificate, alice, tls_version=version)
    assert outcome.ok, (outcome.client_error, outcome.server_error)
    assert outcome.server_peer is not None
    assert fingerprint(load_certificate(outcome.server_peer)) == alice.fingerprint
    assert outcome.client_data == alice.fingerprint.encode() + b"\n"
    assert outcome.server_peer_dict and dict(
        item[0] for item in outcome.server_peer_dict["subject"]
    )["commonName"] == "alice"


def test_handshake_with_verify_none_ignores_client_certificate(pki: DevPki) -> None:
    outcome = connect(server_context(pki, "none"), pki.ca_certificate, pki.clients["alice"])
    assert outcome.ok
    assert outcome.server_peer is None


@pytest.mark.parametrize("version", TLS_VERSIONS)
def test_required_without_client_certificate_fails(pki: DevPki, version) -> None:
    outcome = connect(server_context(pki, "required"), pki.ca_certificate, tls_version=version)
    assert not outcome.ok
    assert isinstance(outcome.server_error, ssl.SSLError)
    assert outcome.server_error.reason == "PEER_DID_NOT_RETURN_A_CERTIFICATE"
    assert outcome.server_peer is None


@pytest.mark.parametrize("version", TLS_VERSIONS)
@pytest.mark.parametrize("verify", ["optional", "required"])
def test_foreign_client_certificate_fails(
    pki: DevPki, foreign: DevPki, verify: str, version
) -> None:
    outcome = connect(
        server_context(pki, verify), pki.ca_certificate, foreign.clients["mallory"],
        tls_version=version,
    )
    assert not outcome.ok
    assert isinstance(outcome.server_error, ssl.SSLCertVerificationError)
    assert "unable to get local issuer certificate" in str(outcome.server_error)
    assert outcome.server_peer is None


@pytest.mark.parametrize("verify", ["optional", "required"])
def test_expired_client_certificate_fails(pki: DevPki, expired: ClientFiles, verify: str) -> None:
    outcome = connect(server_context(pki, verify), pki.ca_certificate, expired)
    assert not outcome.ok
    assert isinstance(outcome.server_error, ssl.SSLCertVerificationError)
    assert "certificate has expired" in str(outcome.server_error)


def test_client_trusting_the_dev_ca_accepts_the_server(pki: DevPki, foreign: DevPki) -> None:
    assert connect(server_context(pki, "none"), pki.ca_certificate).ok
    # A client that trusts another CA refuses our server: the CA really matters.
    refused = connect(server_context(pki, "none"), foreign.ca_certificate)
    assert isinstance(refused.client_error, ssl.SSLCertVerificationError)
