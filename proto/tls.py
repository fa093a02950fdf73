"""Serving HTTPS with the standard library: the server's TLS context, make-certs file names, fingerprints as text.

    [global]
    server.ssl_certificate = "server.pem"
    server.ssl_private_key = "server-key.pem"
    [proto]
    client_ca = "ca.pem"
    client_verify = "optional"

No cryptography import on purpose: every start reads this module, and
cryptography takes some 25 ms to import. Parsing and issuing certificates
are in ``proto.certificates``, which re-exports all of this.
"""

from __future__ import annotations

import os
import re
import ssl
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cryptography import x509

CLIENT_VERIFY_MODES: dict[str, ssl.VerifyMode] = {
    "none": ssl.CERT_NONE,
    "optional": ssl.CERT_OPTIONAL,
    "required": ssl.CERT_REQUIRED,
}

# File names are part of the make-certs contract (docs and conf examples use them).
CA_CERT_FILE = "ca.pem"
CA_KEY_FILE = "ca-key.pem"
SERVER_CERT_FILE = "server.pem"
SERVER_KEY_FILE = "server-key.pem"

_HEX_FINGERPRINT = re.compile(r"[0-9a-f]{64}")
_FINGERPRINT_LABEL = re.compile(r"^\s*sha-?256(?:\s+fingerprint)?\s*=", re.IGNORECASE)


class CertificateError(ValueError):
    """A certificate, key or PKI file that cannot be used."""


def format_fingerprint(value: str | x509.Certificate) -> str:
    """Return a fingerprint for display: uppercase hex pairs joined by colons."""
    if not isinstance(value, str):
        # A certificate in hand means cryptography is loaded already.
        from proto.certificates import fingerprint

        value = fingerprint(value)
    digest = parse_fingerprint(value)
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2)).upper()


def parse_fingerprint(text: str) -> str:
    """Normalize a pasted SHA-256 fingerprint (any case, colons, spaces) to lowercase hex."""
    # openssl prints "SHA256 Fingerprint=AB:CD:..."; people paste it whole.
    text = _FINGERPRINT_LABEL.sub("", text, count=1)
    digest = re.sub(r"[\s:]", "", text).lower()
    if not _HEX_FINGERPRINT.fullmatch(digest):
        raise CertificateError("not a SHA-256 fingerprint (64 hex digits expected)")
    return digest


def build_server_ssl_context(
    certificate: Path,
    private_key: Path,
    client_ca: Path | None,
    client_verify: str,
) -> ssl.SSLContext:
    """Build the server's TLS context, asking for client certificates as configured."""
    if client_verify not in CLIENT_VERIFY_MODES:
        raise ValueError(
            f"client_verify must be one of {', '.join(map(repr, CLIENT_VERIFY_MODES))},"
            f" not {client_verify!r}"
        )
    verify_mode = CLIENT_VERIFY_MODES[client_verify]
    if verify_mode != ssl.CERT_NONE and not client_ca:
        raise ValueError(f"client_verify = {client_verify!r} needs client_ca")
    # For CLIENT_AUTH with no cafile the default context trusts nothing for client
    # certificates (verify_mode starts at CERT_NONE, so the system store is not
    # loaded): only client_ca below is ever trusted.
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        context.load_cert_chain(
            certfile=os.fspath(certificate),
            keyfile=os.fspath(private_key),
            # Without a callback OpenSSL would prompt on the terminal for an
            # encrypted key and hang a service.
            password=_refuse_encrypted_key,
        )
    except ssl.SSLError as exc:
        raise CertificateError(
            f"cannot use server certificate {certificate} with key {private_key}: {exc}"
        ) from None
    except OSError as exc:
        # ssl leaves exc.filename empty, so name both files.
        raise CertificateError(
            f"cannot read server certificate {certificate} or key {private_key}:"
            f" {exc.strerror or exc}"
        ) from None
    if verify_mode != ssl.CERT_NONE:
        assert client_ca is not None
        try:
            context.load_verify_locations(cafile=os.fspath(client_ca))
        except ssl.SSLError as exc:
            raise CertificateError(f"cannot use client CA {client_ca}: {exc}") from None
        except OSError as exc:
            raise CertificateError(
                f"cannot read client CA {client_ca}: {exc.strerror or exc}"
            ) from None
        context.verify_mode = verify_mode
    return context


def _refuse_encrypted_key() -> bytes:
    """Refuse to decrypt a passphrase-protected server key."""
    raise CertificateError("encrypted server private keys are not supported")
