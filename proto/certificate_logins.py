"""Client certificates bound to accounts: bind, list, revoke, and log in by certificate.

    python -m proto bind-cert alice alice.pem

A certificate is known by the SHA-256 fingerprint of its DER bytes (never by its
subject, which every server spells differently). An expired, revoked or unbound
certificate, or one whose account is disabled, authenticates nobody. No web code
here: the auth tool, the admin page and the CLI all call it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from typing import TYPE_CHECKING

from sqlalchemy import select, update
from sqlalchemy.engine import Row
from sqlalchemy.exc import IntegrityError

from proto.accounts import Account, AccountError
from proto.storage.database import Database
from proto.storage.tables import accounts, certificates, utcnow
from proto.tls import CertificateError, format_fingerprint, parse_fingerprint

if TYPE_CHECKING:
    from cryptography import x509

# Why account_for_certificate found no account: for the audit log and the 403 message.
UNBOUND, REVOKED, EXPIRED, DISABLED = "unbound", "revoked", "expired", "disabled"
MAX_PEM_BYTES = 64 * 1024


class CertificateBindError(AccountError):
    """A certificate cannot be bound or revoked; the message is for the person who asked."""


@dataclasses.dataclass(frozen=True)
class BoundCertificate:
    """A certificate bound to an account, as stored."""

    id: int
    account_id: int
    fingerprint: str
    subject: str
    issuer: str
    serial: str
    not_before: dt.datetime
    not_after: dt.datetime
    created_at: dt.datetime
    revoked_at: dt.datetime | None

    @classmethod
    def from_row(cls, row: Row) -> BoundCertificate:
        """Build a BoundCertificate from a ``certificates`` row."""
        return cls(row.id, row.account_id, row.fingerprint, row.subject, row.issuer, row.serial,
                   row.not_before, row.not_after, row.created_at, row.revoked_at)

    @property
    def display_fingerprint(self) -> str:
        """Return the fingerprint as people compare it: AB:CD:..."""
        return format_fingerprint(self.fingerprint)

    def is_expired(self, at: dt.datetime | None = None) -> bool:
        """Tell whether the certificate is outside its validity period."""
        at = at or utcnow()
        return not self.not_before <= at <= self.not_after


def read_certificate(data: bytes | str) -> x509.Certificate:
    """Parse a pasted or uploaded PEM (or DER) certificate, or raise CertificateBindError."""
    if len(data) > MAX_PEM_BYTES:
        raise CertificateBindError("That is too large to be one certificate.")
    # proto.certificates imports cryptography, a cost paid by the first certificate, not by every start.
    from proto.certificates import load_certificate

    try:
        return load_certificate(data)
    except CertificateError:
        raise CertificateBindError("That is not a PEM certificate (-----BEGIN CERTIFICATE----- ...).") from None


def bind_certificate(db: Database, account: Account, cert: x509.Certificate) -> BoundCertificate:
    """Bind a current certificate to an account; refuse an expired or already bound one."""
    from proto.certificates import describe  # imports cryptography: see read_certificate

    info = describe(cert)
    now = utcnow()
    if not info.is_current(now):
        state = "expired" if info.not_after < now else "not valid yet"
        raise CertificateBindError(f"The certificate {format_fingerprint(info.fingerprint)} is {state}.")
    values = {"account_id": account.id, "fingerprint": info.fingerprint, "subject": info.subject,
              "issuer": info.issuer, "serial": info.serial, "not_before": info.not_before,
              "not_after": info.not_after, "created_at": now, "revoked_at": None}
    try:
        with db.write() as connection:
            new_id = connection.execute(certificates.insert().values(values)).inserted_primary_key[0]
    except IntegrityError:
        # Revoked ones stay bound too: a revoked certificate must never come back by rebinding.
        raise CertificateBindError(
            f"The certificate {format_fingerprint(info.fingerprint)} is already bound to an account.") from None
    return BoundCertificate(id=new_id, **values)


def list_certificates(db: Database, account: Account) -> list[BoundCertificate]:
    """Return the account's certificates, newest first, revoked ones included."""
    with db.read() as connection:
        rows = connection.execute(select(certificates).where(certificates.c.account_id == account.id)
                                  .order_by(certificates.c.id.desc())).all()
    return [BoundCertificate.from_row(row) for row in rows]


def find_certificate(db: Database, fingerprint_text: str) -> BoundCertificate | None:
    """Return the bound certificate with this fingerprint (any spelling), or None."""
    try:
        digest = parse_fingerprint(fingerprint_text)
    except CertificateError as error:
        raise CertificateBindError(str(error)) from None
    with db.read() as connection:
        row = connection.execute(select(certificates).where(certificates.c.fingerprint == digest)).first()
    return BoundCertificate.from_row(row) if row else None


def revoke_certificate(db: Database, certificate_id: int, *, account: Account | None = None) -> BoundCertificate:
    """Revoke a bound certificate (only the account's own when ``account`` is given)."""
    conditions = [certificates.c.id == certificate_id, certificates.c.revoked_at.is_(None)]
    if account is not None:
        conditions.append(certificates.c.account_id == account.id)
    with db.write() as connection:
        result = connection.execute(update(certificates).where(*conditions).values(revoked_at=utcnow()))
        if result.rowcount != 1:
            raise CertificateBindError("There is no such unrevoked certificate.")
        row = connection.execute(select(certificates).where(certificates.c.id == certificate_id)).one()
    return BoundCertificate.from_row(row)


def account_for_certificate(db: Database, cert: x509.Certificate) -> tuple[Account | None, str]:
    """Return the account a verified certificate logs in, or None and why not."""
    from proto.certificates import fingerprint  # imports cryptography: see read_certificate

    digest = fingerprint(cert)
    query = (select(accounts, certificates.c.revoked_at.label("cert_revoked_at"),
                    certificates.c.not_before.label("cert_not_before"),
                    certificates.c.not_after.label("cert_not_after"))
             .join(certificates, certificates.c.account_id == accounts.c.id)
             .where(certificates.c.fingerprint == digest))
    with db.read() as connection:
        row = connection.execute(query).first()
    if row is None:
        return None, UNBOUND
    if row.cert_revoked_at is not None:
        return None, REVOKED
    now = utcnow()
    # The stored period is the certificate's own: the TLS layer checks it too, a front server may not.
    if not row.cert_not_before <= now <= row.cert_not_after:
        return None, EXPIRED
    if row.disabled:
        return None, DISABLED
    return Account.from_row(row), ""


def note_login(db: Database, account: Account) -> None:
    """Remember when the account last logged in (a certificate login starting a session)."""
    with db.write() as connection:
        connection.execute(update(accounts).where(accounts.c.id == account.id).values(last_login_at=utcnow()))


def refusal_message(reason: str, fingerprint_hex: str) -> str:
    """Say why a verified certificate does not log in, with its fingerprint for the admin."""
    shown = format_fingerprint(fingerprint_hex)
    why = {UNBOUND: "is not bound to any account", REVOKED: "has been revoked",
           EXPIRED: "has expired", DISABLED: "belongs to a disabled account"}[reason]
    hint = " Ask an admin to bind it." if reason == UNBOUND else ""
    return f"Your client certificate {why}. Its SHA-256 fingerprint is {shown}.{hint}"


class RecentUses:
    """Remember when each key was last recorded, so busy API clients are audited once a minute."""

    def __init__(self, interval: dt.timedelta = dt.timedelta(minutes=1), limit: int = 10_000) -> None:
        self.interval, self.limit = interval, limit
        self._seen: dict[str, dt.datetime] = {}
        self._lock = threading.Lock()

    def due(self, key: str, now: dt.datetime | None = None) -> bool:
        """Tell whether ``key`` should be recorded now, and if so note that it was."""
        now = now or utcnow()
        with self._lock:
            last = self._seen.get(key)
            if last is not None and now - last < self.interval:
                return False
            if len(self._seen) >= self.limit:
                # Bounded memory: forgetting costs at most one extra audit row per key.
                self._seen.clear()
            self._seen[key] = now
            return True
