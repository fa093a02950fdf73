"""Client and server certificates: a development PKI, parsing, fingerprints, TLS.

What needs no cryptography (the TLS context, the make-certs file names,
fingerprints as text) is in ``proto.tls`` and re-exported here.

Turned on by the ``[proto]`` config keys ``client_ca`` and ``client_verify``
(``"none"``, ``"optional"``, ``"required"``) next to ``server.ssl_certificate``
and ``server.ssl_private_key`` in ``[global]``; ``python -m proto make-certs DIR
--client NAME`` writes a development CA, a localhost server certificate and
client certificates with :func:`make_dev_pki`.

Certificates are identified by the SHA-256 fingerprint of their DER bytes, never
by subject name: every server spells distinguished names differently.

Plain Python on purpose (no cherrypy import): the CLI, run.py, the certificate
login tool and the tests all use it.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import ipaddress
import os
import re
import secrets
import tempfile
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
from cryptography.hazmat.primitives.asymmetric.types import (
    CertificateIssuerPrivateKeyTypes,
    PrivateKeyTypes,
)
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

# Re-exported: the part that needs no cryptography lives in proto.tls.
from proto.tls import (
    CA_CERT_FILE,
    CA_KEY_FILE,
    CLIENT_VERIFY_MODES,
    SERVER_CERT_FILE,
    SERVER_KEY_FILE,
    CertificateError,
    build_server_ssl_context,
    format_fingerprint,
    parse_fingerprint,
)

__all__ = [
    "CLIENT_VERIFY_MODES",
    "CertificateError",
    "CertificateInfo",
    "ClientFiles",
    "DevPki",
    "build_server_ssl_context",
    "decode_forwarded_certificate",
    "describe",
    "fingerprint",
    "format_fingerprint",
    "load_certificate",
    "make_client_certificate",
    "make_dev_pki",
    "parse_fingerprint",
]

# A client name becomes a file name and a CN: keep it to characters that are safe
# in both, and keep "ca"/"server" out so a client can never clobber those files.
_CLIENT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")
_RESERVED_NAMES = frozenset({"ca", "server"})

# A CA that outlives its leaves lets make-certs add clients for years; leaves keep
# the 825-day ceiling that macOS and iOS enforce on TLS server certificates.
_CA_DAYS = 3650
# Tolerate a few minutes of clock skew between the machine that issues and the
# one that verifies.
_BACKDATE = dt.timedelta(minutes=5)

_PEM_CERTIFICATE = re.compile(
    r"-----BEGIN CERTIFICATE-----(?P<body>.*?)-----END CERTIFICATE-----", re.DOTALL
)
_BASE64 = re.compile(r"[A-Za-z0-9+/]+={0,2}")
# Key types a reused CA may have (a CA made elsewhere need not be P-256).
_ISSUER_KEY_TYPES = (
    ec.EllipticCurvePrivateKey,
    rsa.RSAPrivateKey,
    ed25519.Ed25519PrivateKey,
    ed448.Ed448PrivateKey,
    dsa.DSAPrivateKey,
)


# --------------------------------------------------------------------------
# Parsing and describing certificates


def load_certificate(data: bytes | str) -> x509.Certificate:
    """Parse one certificate from PEM (text or bytes) or DER bytes."""
    if isinstance(data, str):
        try:
            raw = data.strip().encode("ascii")
        except UnicodeEncodeError:
            raise CertificateError("not a PEM or DER certificate") from None
    else:
        raw = bytes(data)
    if not raw.strip():
        raise CertificateError("not a PEM or DER certificate: empty input")
    try:
        if b"-----BEGIN" in raw:
            return x509.load_pem_x509_certificate(raw)
        return x509.load_der_x509_certificate(raw)
    except ValueError:
        raise CertificateError("not a PEM or DER certificate") from None


def fingerprint(cert: x509.Certificate) -> str:
    """Return the SHA-256 fingerprint of the DER bytes as lowercase hex."""
    return cert.fingerprint(hashes.SHA256()).hex()


@dataclass(frozen=True)
class CertificateInfo:
    """What Proto shows and stores about a certificate."""

    subject: str
    issuer: str
    serial: str
    not_before: dt.datetime
    not_after: dt.datetime
    fingerprint: str
    common_name: str | None = None

    def is_current(self, at: dt.datetime | None = None) -> bool:
        """Tell whether the certificate is within its validity period at `at` (default now)."""
        if at is None:
            at = dt.datetime.now(dt.timezone.utc)
        elif at.tzinfo is None:
            # A naive time is ambiguous; guessing its zone could accept an
            # expired certificate for hours.
            raise ValueError("is_current needs an aware datetime")
        return self.not_before <= at <= self.not_after


def describe(cert: x509.Certificate) -> CertificateInfo:
    """Summarize a certificate: names, serial, validity and fingerprint."""
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    common_name = names[0].value if names else None
    return CertificateInfo(
        subject=cert.subject.rfc4514_string(),
        issuer=cert.issuer.rfc4514_string(),
        serial=format(cert.serial_number, "x"),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        fingerprint=fingerprint(cert),
        common_name=common_name if isinstance(common_name, str) else None,
    )


def decode_forwarded_certificate(value: str) -> x509.Certificate:
    """Decode a client certificate passed in a header by a front server.

    Accepts nginx's ``$ssl_client_escaped_cert`` (URL-escaped PEM), PEM whose
    line breaks were folded into spaces or tabs (Apache ``%{SSL_CLIENT_CERT}s``,
    nginx's old ``$ssl_client_cert``), and bare base64 DER.
    """
    # Base64 never contains "%", so unquoting unescaped PEM is harmless; unquote
    # (not unquote_plus) because "+" is a base64 digit.
    try:
        text = urllib.parse.unquote(value, errors="strict").strip()
    except UnicodeDecodeError:
        raise CertificateError("forwarded value is not an escaped PEM certificate") from None
    if not text:
        raise CertificateError("no certificate in the forwarded value")
    match = _PEM_CERTIFICATE.search(text)
    body = match.group("body") if match else text
    body = re.sub(r"\s+", "", body)
    if not _BASE64.fullmatch(body):
        raise CertificateError("forwarded value is not an escaped PEM certificate")
    try:
        der = base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        raise CertificateError("forwarded value is not an escaped PEM certificate") from None
    return load_certificate(der)


# --------------------------------------------------------------------------
# Development PKI


@dataclass(frozen=True)
class ClientFiles:
    """The files written for one client certificate."""

    name: str
    certificate: Path
    private_key: Path
    pkcs12: Path
    pkcs12_password: str
    fingerprint: str


@dataclass(frozen=True)
class DevPki:
    """The files of a development PKI and what make_dev_pki created this time."""

    directory: Path
    ca_certificate: Path
    ca_private_key: Path
    server_certificate: Path
    server_private_key: Path
    clients: dict[str, ClientFiles]
    ca_created: bool
    server_created: bool


def make_dev_pki(
    directory: Path,
    clients: Sequence[str] = (),
    *,
    p12_password: str | None = None,
    days: int = 825,
    overwrite: bool = False,
    legacy_pkcs12: bool = False,
) -> DevPki:
    """Write a development CA, a localhost server certificate and client certificates.

    An existing CA in `directory` is reused, so clients can be added later; an
    existing server certificate issued by it is kept unless `overwrite`. An
    existing client file is an error (FileExistsError) unless `overwrite`.
    Without `p12_password` each client's PKCS#12 file gets its own random one.
    """
    if isinstance(clients, str):
        # A bare string would otherwise become one client per character.
        raise TypeError("clients must be a sequence of names, not a string")
    if days < 1:
        raise ValueError("days must be at least 1")
    names = list(dict.fromkeys(clients))
    for name in names:
        _check_client_name(name)

    directory = Path(directory)
    # Only a newly created directory gets 0700; an existing one is the caller's.
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    ca_cert_path = directory / CA_CERT_FILE
    ca_key_path = directory / CA_KEY_FILE
    server_cert_path = directory / SERVER_CERT_FILE
    server_key_path = directory / SERVER_KEY_FILE

    # Refuse before writing anything, so a refused run leaves no half-made client.
    if not overwrite:
        for name in names:
            for path in _client_paths(directory, name):
                _refuse_existing(path)

    ca_exists = ca_cert_path.exists() or ca_key_path.exists()
    server_exists = server_cert_path.exists() or server_key_path.exists()
    if not ca_exists and server_exists and not overwrite:
        # A new CA could not have issued the old server certificate: say so
        # before writing anything.
        raise CertificateError(
            f"{server_cert_path} exists without {CA_CERT_FILE}; remove it or pass overwrite"
        )

    ca_created = False
    if ca_exists:
        ca_cert, ca_key = _load_ca(ca_cert_path, ca_key_path)
    else:
        ca_key = _new_private_key()
        ca_cert = _ca_certificate(ca_key, max(days, _CA_DAYS))
        _write_private(ca_key_path, _private_key_pem(ca_key), overwrite=False)
        _write_public(ca_cert_path, _certificate_pem(ca_cert), overwrite=False)
        ca_created = True

    server_created = False
    if overwrite or not server_exists:
        server_key = _new_private_key()
        server_cert = _server_certificate(server_key, ca_cert, ca_key, days)
        _write_private(server_key_path, _private_key_pem(server_key), overwrite=overwrite)
        _write_public(server_cert_path, _certificate_pem(server_cert), overwrite=overwrite)
        server_created = True
    else:
        _check_server_files(server_cert_path, server_key_path, ca_cert)

    made = {
        name: _issue_client(
            ca_cert,
            ca_key,
            name,
            directory,
            p12_password=p12_password,
            overwrite=overwrite,
            not_before=None,
            not_after=None,
            days=days,
            legacy_pkcs12=legacy_pkcs12,
        )
        for name in names
    }
    return DevPki(
        directory=directory,
        ca_certificate=ca_cert_path,
        ca_private_key=ca_key_path,
        server_certificate=server_cert_path,
        server_private_key=server_key_path,
        clients=made,
        ca_created=ca_created,
        server_created=server_created,
    )


def make_client_certificate(
    ca_certificate: Path,
    ca_private_key: Path,
    name: str,
    directory: Path,
    *,
    p12_password: str | None = None,
    overwrite: bool = False,
    not_before: dt.datetime | None = None,
    not_after: dt.datetime | None = None,
    days: int = 825,
    legacy_pkcs12: bool = False,
) -> ClientFiles:
    """Issue a client certificate CN=`name` and write NAME.pem, NAME-key.pem, NAME.p12.

    `not_before`/`not_after` (aware datetimes) override the validity period, for
    instance to make an expired certificate in a test.
    """
    _check_client_name(name)
    ca_cert, ca_key = _load_ca(Path(ca_certificate), Path(ca_private_key))
    return _issue_client(
        ca_cert,
        ca_key,
        name,
        Path(directory),
        p12_password=p12_password,
        overwrite=overwrite,
        not_before=not_before,
        not_after=not_after,
        days=days,
        legacy_pkcs12=legacy_pkcs12,
    )


def _issue_client(
    ca_cert: x509.Certificate,
    ca_key: CertificateIssuerPrivateKeyTypes,
    name: str,
    directory: Path,
    *,
    p12_password: str | None,
    overwrite: bool,
    not_before: dt.datetime | None,
    not_after: dt.datetime | None,
    days: int,
    legacy_pkcs12: bool,
) -> ClientFiles:
    """Issue one client certificate with an already loaded CA and write its files."""
    cert_path, key_path, p12_path = _client_paths(directory, name)
    if not overwrite:
        for path in (cert_path, key_path, p12_path):
            _refuse_existing(path)
    start, end = _validity(not_before, not_after, days)
    key = _new_private_key()
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Proto development"),
            x509.NameAttribute(NameOID.COMMON_NAME, name),
        ]
    )
    cert = (
        _leaf_builder(subject, key, ca_cert, start, end)
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False
        )
        .sign(ca_key, _signature_hash(ca_key))
    )
    password = p12_password if p12_password is not None else secrets.token_urlsafe(12)
    p12 = pkcs12.serialize_key_and_certificates(
        name=name.encode("utf-8"),
        key=key,
        cert=cert,
        cas=[ca_cert],
        encryption_algorithm=_pkcs12_encryption(password, legacy=legacy_pkcs12),
    )
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    _write_private(key_path, _private_key_pem(key), overwrite=overwrite)
    _write_public(cert_path, _certificate_pem(cert), overwrite=overwrite)
    _write_private(p12_path, p12, overwrite=overwrite)
    return ClientFiles(
        name=name,
        certificate=cert_path,
        private_key=key_path,
        pkcs12=p12_path,
        pkcs12_password=password,
        fingerprint=fingerprint(cert),
    )


def _check_client_name(name: str) -> None:
    """Reject a client name that is unsafe as a file name or collides with the CA/server files."""
    if not isinstance(name, str) or not _CLIENT_NAME.fullmatch(name):
        raise ValueError(
            f"invalid client name {name!r}: use 1-64 letters, digits, '.', '_', '@'"
            " or '-', starting with a letter or digit"
        )
    if name.lower() in _RESERVED_NAMES:
        raise ValueError(f"invalid client name {name!r}: reserved for the CA/server files")


def _client_paths(directory: Path, name: str) -> tuple[Path, Path, Path]:
    """Return the certificate, key and PKCS#12 paths for a client."""
    return (
        directory / f"{name}.pem",
        directory / f"{name}-key.pem",
        directory / f"{name}.p12",
    )


def _refuse_existing(path: Path) -> None:
    """Raise FileExistsError naming `path` if it exists."""
    if path.exists() or path.is_symlink():
        raise FileExistsError(f"{path} already exists; refusing to overwrite it")


def _validity(
    not_before: dt.datetime | None, not_after: dt.datetime | None, days: int
) -> tuple[dt.datetime, dt.datetime]:
    """Resolve a certificate's validity period from optional bounds and a length in days."""
    for label, value in (("not_before", not_before), ("not_after", not_after)):
        if value is not None and value.tzinfo is None:
            raise ValueError(f"{label} must be an aware datetime")
    now = dt.datetime.now(dt.timezone.utc)
    length = dt.timedelta(days=days)
    if not_before is None and not_after is None:
        start, end = now - _BACKDATE, now + length
    elif not_before is None:
        assert not_after is not None
        start, end = min(now - _BACKDATE, not_after - length), not_after
    elif not_after is None:
        start, end = not_before, not_before + length
    else:
        start, end = not_before, not_after
    if start >= end:
        raise ValueError("not_before must be earlier than not_after")
    return start, end


def _new_private_key() -> ec.EllipticCurvePrivateKey:
    """Generate a P-256 key: fast, and accepted by browsers, nginx, lighttpd and cheroot."""
    return ec.generate_private_key(ec.SECP256R1())


def _signature_hash(key: CertificateIssuerPrivateKeyTypes) -> hashes.SHA256 | None:
    """Return the digest to sign with (None for EdDSA keys, which hash internally)."""
    if isinstance(key, ed25519.Ed25519PrivateKey | ed448.Ed448PrivateKey):
        return None
    return hashes.SHA256()


def _ca_certificate(key: ec.EllipticCurvePrivateKey, days: int) -> x509.Certificate:
    """Create a self-signed development CA certificate."""
    # A random suffix keeps two development CAs apart in a browser's store,
    # which otherwise matches issuers by name.
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Proto development"),
            x509.NameAttribute(
                NameOID.COMMON_NAME, f"Proto development CA {secrets.token_hex(4)}"
            ),
        ]
    )
    now = dt.datetime.now(dt.timezone.utc)
    public_key = key.public_key()
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _BACKDATE)
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(signs_certificates=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .sign(key, hashes.SHA256())
    )


def _key_usage(*, signs_certificates: bool) -> x509.KeyUsage:
    """Return the key usage of a CA (signs certificates and CRLs) or of an end entity (signs only)."""
    return x509.KeyUsage(
        digital_signature=True, content_commitment=False, key_encipherment=False, data_encipherment=False,
        key_agreement=False, key_cert_sign=signs_certificates, crl_sign=signs_certificates,
        encipher_only=False, decipher_only=False,
    )


def _leaf_builder(
    subject: x509.Name,
    key: ec.EllipticCurvePrivateKey,
    ca_cert: x509.Certificate,
    not_before: dt.datetime,
    not_after: dt.datetime,
) -> x509.CertificateBuilder:
    """Start an end-entity certificate with the extensions strict verifiers require."""
    public_key = key.public_key()
    ski = ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca_cert.subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(signs_certificates=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski),
            critical=False,
        )
    )


def _server_certificate(
    key: ec.EllipticCurvePrivateKey,
    ca_cert: x509.Certificate,
    ca_key: CertificateIssuerPrivateKeyTypes,
    days: int,
) -> x509.Certificate:
    """Issue the localhost server certificate (DNS localhost, IP 127.0.0.1 and ::1)."""
    start, end = _validity(None, None, days)
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Proto development"),
            x509.NameAttribute(NameOID.COMMON_NAME, "localhost"),
        ]
    )
    san = x509.SubjectAlternativeName(
        [
            x509.DNSName("localhost"),
            x509.IPAddress(ipaddress.IPv4Address("127.0.0.1")),
            x509.IPAddress(ipaddress.IPv6Address("::1")),
        ]
    )
    return (
        _leaf_builder(subject, key, ca_cert, start, end)
        .add_extension(san, critical=False)
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
        )
        .sign(ca_key, _signature_hash(ca_key))
    )


def _load_ca(
    cert_path: Path, key_path: Path
) -> tuple[x509.Certificate, CertificateIssuerPrivateKeyTypes]:
    """Load an existing CA certificate and key, checking that they belong together."""
    for path in (cert_path, key_path):
        if not path.exists():
            raise CertificateError(
                f"{path} is missing; the CA needs both {CA_CERT_FILE} and {CA_KEY_FILE}"
            )
    cert = _load_certificate_file(cert_path)
    key = _load_private_key_file(key_path)
    if not isinstance(key, _ISSUER_KEY_TYPES):
        raise CertificateError(f"CA key {key_path} cannot sign certificates")
    if _public_der(key.public_key()) != _public_der(cert.public_key()):
        raise CertificateError(f"CA key {key_path} does not match {cert_path}")
    try:
        constraints = cert.extensions.get_extension_for_class(x509.BasicConstraints).value
    except x509.ExtensionNotFound:
        constraints = None
    if constraints is None or not constraints.ca:
        raise CertificateError(f"{cert_path} is not a CA certificate")
    return cert, key


def _check_server_files(
    cert_path: Path, key_path: Path, ca_cert: x509.Certificate
) -> None:
    """Check that a kept server certificate has its key and was issued by the CA."""
    for path in (cert_path, key_path):
        if not path.exists():
            raise CertificateError(
                f"{path} is missing; pass overwrite to make a new server certificate"
            )
    cert = _load_certificate_file(cert_path)
    try:
        cert.verify_directly_issued_by(ca_cert)
    except (ValueError, TypeError, InvalidSignature) as exc:
        raise CertificateError(
            f"{cert_path} was not issued by {CA_CERT_FILE} ({exc.__class__.__name__});"
            " pass overwrite to make a new server certificate"
        ) from None
    key = _load_private_key_file(key_path)
    if _public_der(key.public_key()) != _public_der(cert.public_key()):
        raise CertificateError(f"{key_path} does not match {cert_path}")


def _load_certificate_file(path: Path) -> x509.Certificate:
    """Load a certificate file, naming the file in any error."""
    try:
        return load_certificate(path.read_bytes())
    except CertificateError as exc:
        raise CertificateError(f"{path}: {exc}") from None


def _load_private_key_file(path: Path) -> PrivateKeyTypes:
    """Load an unencrypted PEM private key, naming the file in any error."""
    try:
        return serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (ValueError, TypeError) as exc:
        # TypeError: the key is encrypted; make-certs keys never are.
        raise CertificateError(f"cannot load private key {path}: {exc}") from None


def _public_der(public_key: object) -> bytes:
    """Serialize a public key for comparison."""
    return public_key.public_bytes(  # type: ignore[attr-defined]
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _pkcs12_encryption(
    password: str, *, legacy: bool
) -> serialization.KeySerializationEncryption:
    """Return the PKCS#12 encryption: AES-256/SHA-256 as OpenSSL 3 writes, or legacy 3DES/SHA-1."""
    builder = serialization.PrivateFormat.PKCS12.encryption_builder().kdf_rounds(50_000)
    if legacy:
        # Some older keychains (macOS before AES support, old Windows) import only this.
        builder = builder.key_cert_algorithm(
            pkcs12.PBES.PBESv1SHA1And3KeyTripleDESCBC
        ).hmac_hash(hashes.SHA1())
    else:
        builder = builder.key_cert_algorithm(
            pkcs12.PBES.PBESv2SHA256AndAES256CBC
        ).hmac_hash(hashes.SHA256())
    return builder.build(password.encode("utf-8"))


def _private_key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    """Serialize a private key as unencrypted PKCS#8 PEM (servers read it unattended)."""
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _certificate_pem(cert: x509.Certificate) -> bytes:
    """Serialize a certificate as PEM."""
    return cert.public_bytes(serialization.Encoding.PEM)


def _write_private(path: Path, data: bytes, *, overwrite: bool) -> None:
    """Write a secret file that is never readable by others, not even briefly."""
    _write_file(path, data, mode=0o600, overwrite=overwrite)


def _write_public(path: Path, data: bytes, *, overwrite: bool) -> None:
    """Write a certificate file, readable by all."""
    _write_file(path, data, mode=0o644, overwrite=overwrite)


def _write_file(path: Path, data: bytes, *, mode: int, overwrite: bool) -> None:
    """Create `path` with `mode` from the first byte; replace atomically when overwriting."""
    if not overwrite:
        # O_EXCL: a file that appeared since the checks (or a planted symlink)
        # is an error, never followed or truncated.
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
        try:
            fd = os.open(path, flags, mode)
        except FileExistsError:
            raise FileExistsError(f"{path} already exists; refusing to overwrite it") from None
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        return
    # Overwriting: a fresh temporary file (0600 from mkstemp) renamed over the
    # old one, so the old file's permissions never carry over to the new content.
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
